"""Rules for reading the ledger, reading attendance, and taking credits from other services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from events.access import ensure_manages_host
from events.catalogue.service import get_event
from events.ledger import repository
from events.ledger.errors import CreditKeyReused, LedgerNotFound
from events.ledger.schemas import CreditCreate
from events.models import Attendance, LedgerEntry
from shared.auth import Principal
from shared.clock import new_id, utcnow
from shared.problems import Forbidden

LEDGER_WRITE_SCOPE = "ledger:write"


@dataclass(frozen=True)
class LedgerView:
    entries: list[LedgerEntry]
    next_cursor: str | None
    total_hours: Decimal
    by_centre: dict[uuid.UUID | None, Decimal]


async def read_ledger(
    session: AsyncSession, *, principal: Principal, teacher_id: str, limit: int, after: str | None
) -> LedgerView:
    """The teacher's own ledger, or any for a platform admin; a 404 for everyone else.

    A 404 rather than a 403, so nobody learns which teacher ids have a ledger.
    """
    if principal.subject != teacher_id and not principal.is_platform_admin:
        raise LedgerNotFound(f"No ledger of yours has teacher id {teacher_id}.")
    entries, next_cursor = await repository.ledger_page(
        session, teacher_id=teacher_id, limit=limit, after=after
    )
    total, by_centre = await repository.ledger_totals(session, teacher_id)
    return LedgerView(entries, next_cursor, total, by_centre)


async def list_attendance(
    session: AsyncSession,
    *,
    principal: Principal,
    event_id: uuid.UUID,
    directory: httpx.AsyncClient,
    limit: int,
    after: str | None,
) -> tuple[list[tuple[Attendance, str]], str | None]:
    event = await get_event(session, event_id=event_id)
    await ensure_manages_host(principal, event.host_centre_id, directory)
    return await repository.attendance_page(session, event_id=event_id, limit=limit, after=after)


def _differences(entry: LedgerEntry, data: CreditCreate) -> list[str]:
    stored = {
        "teacher_id": entry.teacher_id,
        "hours": entry.hours,
        "title": entry.title,
        "centre_id": entry.centre_id,
        "occurred_on": entry.occurred_on,
    }
    return [name for name, value in stored.items() if getattr(data, name) != value]


async def post_credit(
    session: AsyncSession, *, principal: Principal, data: CreditCreate
) -> tuple[LedgerEntry, bool]:
    """(entry, created). A retry with the same body gets the first entry back, unchanged;
    the same (source, source_key) with a different body is a 409."""
    if not (principal.is_platform_admin or LEDGER_WRITE_SCOPE in principal.scopes):
        raise Forbidden(
            f"Posting credits needs a platform admin or a client with scope {LEDGER_WRITE_SCOPE}."
        )
    created = await repository.insert_credit(
        session,
        {
            "id": new_id(),
            "created_at": utcnow(),
            "event_id": None,
            **data.model_dump(),
        },
    )
    entry = await repository.entry_by_key(session, data.source, data.source_key)
    if not created:
        differing = _differences(entry, data)
        if differing:
            raise CreditKeyReused(
                f"source_key {data.source_key!r} of {data.source!r} was posted before with a "
                f"different {', '.join(differing)}.",
                differing_fields=differing,
                existing_id=str(entry.id),
            )
    return entry, created
