"""Importing a network's events: upsert by (source, origin id), all or nothing.

Host and co-host centres are asked of the directory once per distinct centre, not per row.
An event already imported may change what `PATCH /v1/events/{id}` may change; its host, dates
and sessions are fixed once published, so a row changing them is rejected, as is one that
would cut capacity below the places taken or touch a cancelled event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx
from pydantic import Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from events import domain_events
from events.catalogue.repository import sessions_of
from events.catalogue.schemas import EventCreate, EventRead
from events.models import Event, Session
from events.registrations.lifecycle import promote_waitlist
from shared.auth import Principal
from shared.bulk.centre_checks import facts_of_centres, may_import_for
from shared.bulk.imports import (
    ImportReport,
    OriginId,
    SourceName,
    lock_imported,
    lock_source,
    reject_duplicates,
    reject_other_sources,
)
from shared.bulk.rejections import Rejections
from shared.centre_directory import CentreFacts
from shared.clock import new_id, utcnow

UPDATABLE = (
    "course_key",
    "co_host_centre_ids",
    "title",
    "description",
    "kind",
    "delivery_mode",
    "venue",
    "online_url",
    "languages",
    "audiences",
    "subjects",
    "capacity",
    "waitlist_capacity",
    "requires_approval",
    "status",
)
# Columns of an export that an import ignores, so an export can be imported elsewhere.
EXPORT_ONLY = frozenset(EventRead.model_fields) - frozenset(EventCreate.model_fields)


class EventImportRow(EventCreate):
    origin_id: OriginId
    data_source: SourceName | None = Field(
        None, description="If given, the import's own source (as in an export)."
    )

    @model_validator(mode="before")
    @classmethod
    def _ignore_export_columns(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if k not in EXPORT_ONLY}
        if isinstance(data.get("sessions"), list):
            data["sessions"] = [
                {k: v for k, v in s.items() if k != "id"} if isinstance(s, dict) else s
                for s in data["sessions"]
            ]
        if isinstance(data.get("venue"), dict):
            data["venue"] = {k: v for k, v in data["venue"].items() if v is not None}
        return data


def _planned_sessions(row: EventImportRow) -> list[tuple[Any, Any, Decimal]]:
    if row.sessions:
        return [(s.starts_at, s.ends_at, Decimal(s.cpd_hours)) for s in row.sessions]
    return [(row.starts_at, row.ends_at, Decimal(row.cpd_hours or 0))]


def _fixed_part_changed(row: EventImportRow, event: Event, sessions: list[Session]) -> bool:
    current = [(s.starts_at, s.ends_at, Decimal(s.cpd_hours)) for s in sessions]
    return (
        row.starts_at != event.starts_at
        or row.ends_at != event.ends_at
        or _planned_sessions(row) != current
    )


async def _check_rows(
    session: AsyncSession,
    rows: Sequence[tuple[int, EventImportRow]],
    *,
    principal: Principal,
    existing: dict[str, Event],
    facts: dict[uuid.UUID, CentreFacts | None],
    rejections: Rejections,
) -> None:
    current_sessions = await sessions_of(session, [e.id for e in existing.values()])
    for line, row in rows:
        host = facts[row.host_centre_id]
        if host is None:
            rejections.add(line, f"host_centre_id: no centre has id {row.host_centre_id}")
            continue
        unknown = [c for c in row.co_host_centre_ids if facts[c] is None]
        if unknown:
            rejections.add(line, f"co_host_centre_ids: no centre has id {unknown[0]}")
            continue
        if not may_import_for(principal, host):
            rejections.add(line, f"host_centre_id: you may not import events of {host.id}")
            continue
        event = existing.get(row.origin_id)
        if event is None:
            continue
        if event.status == "cancelled":
            rejections.add(line, f"event {event.id} is cancelled and cannot change")
        elif event.host_centre_id != row.host_centre_id:
            rejections.add(line, f"host_centre_id: event {event.id} is hosted by another centre")
        elif _fixed_part_changed(row, event, current_sessions[event.id]):
            rejections.add(
                line, f"starts_at, ends_at, sessions: fixed since event {event.id} was published"
            )
        elif row.capacity < event.seats_taken:
            rejections.add(
                line, f"capacity: {event.seats_taken} places are already taken in {event.id}"
            )
        elif row.waitlist_capacity < event.waitlist_count:
            rejections.add(
                line, f"waitlist_capacity: {event.waitlist_count} people wait for {event.id}"
            )


def _new_event(row: EventImportRow, host: CentreFacts, source: str) -> Event:
    now = utcnow()
    venue = row.venue.model_dump(exclude_none=True) if row.venue else None
    return Event(
        id=new_id(),
        **row.model_dump(
            exclude={
                "origin_id",
                "data_source",
                "sessions",
                "venue",
                "cpd_hours",
                "registration_opens_at",
                "registration_closes_at",
            }
        ),
        venue=venue,
        registration_opens_at=row.registration_opens_at or now,
        registration_closes_at=row.registration_closes_at or row.starts_at,
        country=host.country,
        region=host.region,
        lat=(venue or {}).get("lat", host.lat),
        lon=(venue or {}).get("lon", host.lon),
        seats_taken=0,
        waitlist_count=0,
        next_waitlist_position=1,
        data_source=source,
        origin_id=row.origin_id,
    )


async def import_events(
    session: AsyncSession,
    *,
    principal: Principal,
    directory: httpx.AsyncClient,
    source: str,
    rows: Sequence[tuple[int, EventImportRow]],
    rejections: Rejections,
    received: int,
) -> ImportReport:
    reject_duplicates(rows, lambda r: r.origin_id, rejections, what="origin_id")
    reject_other_sources(rows, source, rejections)
    for line, row in rows:
        closes = row.registration_closes_at or row.starts_at
        if row.registration_opens_at is not None and closes <= row.registration_opens_at:
            rejections.add(line, "registration_closes_at: the window closes before it opens")
    centre_ids = {c for _, row in rows for c in (row.host_centre_id, *row.co_host_centre_ids)}
    facts = await facts_of_centres(directory, centre_ids)
    await lock_source(session, "events", source)
    existing = await lock_imported(session, Event, source, [r.origin_id for _, r in rows])
    await _check_rows(
        session, rows, principal=principal, existing=existing, facts=facts, rejections=rejections
    )
    rejections.raise_if_any(received)

    now = utcnow()
    created: list[tuple[Event, EventImportRow]] = []
    updated: list[tuple[Event, bool]] = []
    for _, row in rows:
        event = existing.get(row.origin_id)
        if event is None:
            host = facts[row.host_centre_id]
            assert host is not None  # checked above
            created.append((_new_event(row, host, source), row))
            continue
        grows = row.capacity > event.capacity
        for name in UPDATABLE:
            value = getattr(row, name)
            if name == "venue" and value is not None:
                value = value.model_dump(exclude_none=True)
            setattr(event, name, value)
        event.version += 1
        event.updated_at = now
        updated.append((event, grows))
    session.add_all(event for event, _ in created)
    await session.flush()
    session.add_all(
        Session(event_id=event.id, starts_at=starts, ends_at=ends, cpd_hours=hours)
        for event, row in created
        for starts, ends, hours in _planned_sessions(row)
    )
    await session.flush()
    for event, _ in created:
        await domain_events.event_changed(session, "event.created", event, source=source)
    for event, grows in updated:
        await domain_events.event_changed(session, "event.updated", event, source=source)
        if grows:
            await promote_waitlist(session, event, now=now)
    return ImportReport(
        kind="events", source=source, received=received, created=len(created), updated=len(updated)
    )
