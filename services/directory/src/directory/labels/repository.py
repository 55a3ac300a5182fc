"""Quality label queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from directory.models import LabelHolder, QualityLabel
from shared.pagination import decode_cursor, encode_cursor


async def list_labels(
    session: AsyncSession,
    *,
    scheme: str | None,
    holder: uuid.UUID | None,
    current_on: date | None,
    limit: int,
    after: str | None,
) -> tuple[list[QualityLabel], str | None]:
    stmt = select(QualityLabel).order_by(QualityLabel.id).limit(limit + 1)
    if scheme:
        stmt = stmt.where(QualityLabel.scheme == scheme)
    if holder:
        stmt = stmt.where(
            QualityLabel.id.in_(select(LabelHolder.label_id).where(LabelHolder.centre_id == holder))
        )
    if current_on:
        stmt = stmt.where(
            QualityLabel.valid_from <= current_on,
            or_(QualityLabel.valid_to.is_(None), QualityLabel.valid_to >= current_on),
        )
    if after:
        (last_id,) = decode_cursor(after, "id", 1)
        stmt = stmt.where(QualityLabel.id > uuid.UUID(last_id))
    labels = list((await session.execute(stmt)).scalars())
    if len(labels) <= limit:
        return labels, None
    return labels[:limit], encode_cursor("id", [str(labels[limit - 1].id)])


async def holders_of(
    session: AsyncSession, label_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    holders: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if label_ids:
        rows = await session.execute(
            select(LabelHolder.label_id, LabelHolder.centre_id)
            .where(LabelHolder.label_id.in_(list(label_ids)))
            .order_by(LabelHolder.centre_id)
        )
        for label_id, centre_id in rows:
            holders[label_id].append(centre_id)
    return holders


async def replace_holders(
    session: AsyncSession, label_id: uuid.UUID, centre_ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(delete(LabelHolder).where(LabelHolder.label_id == label_id))
    for centre_id in dict.fromkeys(centre_ids):
        session.add(LabelHolder(label_id=label_id, centre_id=centre_id))
