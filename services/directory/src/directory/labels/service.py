"""Rules for quality labels: who may award them and to whom."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from directory import access
from directory.errors import CentreNotFound, LabelNotFound
from directory.labels import repository
from directory.labels.schemas import LabelCreate, LabelUpdate
from directory.models import Centre, QualityLabel
from shared.auth import Principal, Role, require_role
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.outbox import record
from shared.problems import InvalidInput


async def _check_holders(
    session: AsyncSession, principal: Principal, centre_ids: Sequence[uuid.UUID]
) -> None:
    """Labels are recorded by platform admins, or by network admins for their own centres."""
    require_role(principal, Role.NETWORK_ADMIN)
    found = set(
        (await session.execute(select(Centre.id).where(Centre.id.in_(list(centre_ids))))).scalars()
    )
    missing = [c for c in centre_ids if c not in found]
    if missing:
        raise CentreNotFound(f"No centre has id {missing[0]}.")
    for centre_id in centre_ids:
        await access.ensure_manages_centre(session, principal, centre_id)


async def get_label(session: AsyncSession, *, label_id: uuid.UUID) -> QualityLabel:
    label = await session.get(QualityLabel, label_id)
    if label is None:
        raise LabelNotFound(f"No quality label has id {label_id}.")
    return label


async def create_label(
    session: AsyncSession, *, principal: Principal, data: LabelCreate
) -> uuid.UUID:
    await _check_holders(session, principal, data.holders)
    label = QualityLabel(id=new_id(), **data.model_dump(exclude={"holders"}))
    session.add(label)
    await session.flush()
    await repository.replace_holders(session, label.id, data.holders)
    await session.flush()
    await record(session, type="label.created", subject_id=label.id, data={"holders": data.holders})
    return label.id


async def update_label(
    session: AsyncSession,
    *,
    principal: Principal,
    label_id: uuid.UUID,
    patch: LabelUpdate,
    if_match: str | None,
) -> None:
    label = (
        await session.execute(
            select(QualityLabel).where(QualityLabel.id == label_id).with_for_update()
        )
    ).scalar_one_or_none()
    if label is None:
        raise LabelNotFound(f"No quality label has id {label_id}.")
    current_holders = (await repository.holders_of(session, [label_id]))[label_id]
    await _check_holders(session, principal, current_holders)
    check_if_match(if_match, label.version)
    changes = patch.model_dump(exclude_unset=True)
    holders = changes.pop("holders", None)
    if holders is not None:
        await _check_holders(session, principal, holders)
        await repository.replace_holders(session, label_id, holders)
    for key, value in changes.items():
        setattr(label, key, value)
    if label.valid_to is not None and label.valid_to < label.valid_from:
        raise InvalidInput(
            "valid_to: is before valid_from",
            errors=[{"field": "body.valid_to", "message": "is before valid_from"}],
        )
    label.version += 1
    label.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        type="label.updated",
        subject_id=label_id,
        data={"version": label.version, "changed": sorted(patch.model_fields_set)},
    )
