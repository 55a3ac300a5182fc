"""The exchange's domain events (`offer.created`, `application.submitted`, ...), recorded in
the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.models import Application, Offer


async def offer_event(session: AsyncSession, name: str, offer: Offer) -> None:
    await _record(
        session,
        type=f"offer.{name}",
        subject_id=offer.id,
        data={"host_centre_id": offer.host_centre_id, "status": offer.status},
        personal=False,
    )


async def application_event(session: AsyncSession, name: str, application: Application) -> None:
    # Applications are personal data: the feed gives their ids to readers without rights.
    await _record(
        session,
        type=f"application.{name}",
        subject_id=application.id,
        data={
            "offer_id": application.offer_id,
            "educator_id": application.educator_id,
            "home_centre_id": application.home_centre_id,
            "host_centre_id": application.host_centre_id,
            "status": application.status,
        },
        personal=True,
    )


async def _record(
    session: AsyncSession, *, type: str, subject_id: uuid.UUID, data: dict[str, Any], personal: bool
) -> None:
    """Where events go. The shared outbox is wired in here once its tables are migrated."""
    return None
