"""Rules for events: who may publish and change them, and what a consistent event is."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from events import domain_events
from events.access import ensure_manages_host
from events.catalogue import repository
from events.catalogue.schemas import EventCancel, EventCreate, EventUpdate
from events.errors import EventNotFound
from events.models import Event, Session
from events.registrations.lifecycle import cancel_all_registrations, promote_waitlist
from shared.auth import Principal
from shared.centre_directory import centre_facts
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.problems import Conflict, InvalidInput


async def get_event(
    session: AsyncSession, *, event_id: uuid.UUID, principal: Principal | None = None
) -> Event:
    """Drafts are visible only to their host's staff (checked by the caller)."""
    events = await repository.get_events(session, [event_id])
    if event_id not in events:
        raise EventNotFound(f"No event has id {event_id}.")
    return events[event_id]


async def create_event(
    session: AsyncSession,
    *,
    principal: Principal,
    data: EventCreate,
    directory: httpx.AsyncClient,
) -> Event:
    await ensure_manages_host(principal, data.host_centre_id, directory)
    # Checked before anything is written: a directory outage leaves nothing half-made.
    host = await centre_facts(directory, data.host_centre_id, field="host_centre_id")
    for index, co_host in enumerate(data.co_host_centre_ids):
        await centre_facts(directory, co_host, field=f"co_host_centre_ids.{index}")
    now = utcnow()
    opens = data.registration_opens_at or now
    closes = data.registration_closes_at or data.starts_at
    if closes <= opens:
        raise InvalidInput(
            "registration_closes_at: the registration window would close before it opens",
            errors=[{"field": "body.registration_closes_at", "message": "before opening"}],
        )
    venue = data.venue.model_dump(exclude_none=True) if data.venue else None
    event = Event(
        id=new_id(),
        **data.model_dump(
            exclude={
                "sessions",
                "venue",
                "cpd_hours",
                "registration_opens_at",
                "registration_closes_at",
            }
        ),
        venue=venue,
        registration_opens_at=opens,
        registration_closes_at=closes,
        country=host.country,
        region=host.region,
        lat=(venue or {}).get("lat", host.lat),
        lon=(venue or {}).get("lon", host.lon),
        seats_taken=0,
        waitlist_count=0,
        next_waitlist_position=1,
    )
    session.add(event)
    await session.flush()
    sessions = data.sessions or []
    if sessions:
        for s in sessions:
            session.add(Session(event_id=event.id, **s.model_dump()))
    else:
        session.add(
            Session(
                event_id=event.id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                cpd_hours=data.cpd_hours or 0,
            )
        )
    await session.flush()
    await domain_events.event_changed(session, "event.created", event)
    if event.status == "scheduled":
        await domain_events.event_changed(session, "event.published", event)
    return event


async def update_event(
    session: AsyncSession,
    *,
    principal: Principal,
    event_id: uuid.UUID,
    patch: EventUpdate,
    if_match: str | None,
    directory: httpx.AsyncClient,
) -> Event:
    event = await repository.lock_event(session, event_id)
    if event is None:
        raise EventNotFound(f"No event has id {event_id}.")
    await ensure_manages_host(principal, event.host_centre_id, directory)
    check_if_match(if_match, event.version)
    if event.status == "cancelled":
        raise Conflict("A cancelled event cannot be changed.")
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("capacity", event.capacity) < event.seats_taken:
        raise Conflict(
            f"capacity cannot go below the {event.seats_taken} places already taken.",
            seats_taken=event.seats_taken,
        )
    if changes.get("waitlist_capacity", event.waitlist_capacity) < event.waitlist_count:
        raise Conflict(
            f"waitlist_capacity cannot go below the {event.waitlist_count} people waiting.",
            waitlist_count=event.waitlist_count,
        )
    if "venue" in changes and changes["venue"] is not None:
        changes["venue"] = {k: v for k, v in changes["venue"].items() if v is not None}
    published = event.status != "scheduled" and changes.get("status") == "scheduled"
    for key, value in changes.items():
        setattr(event, key, value)
    event.version += 1
    event.updated_at = utcnow()
    await session.flush()
    await domain_events.event_changed(
        session, "event.updated", event, changed=sorted(patch.model_fields_set)
    )
    if published:
        await domain_events.event_changed(session, "event.published", event)
    if "capacity" in changes:
        await promote_waitlist(session, event, now=utcnow())
    return event


async def cancel_event(
    session: AsyncSession,
    *,
    principal: Principal,
    event_id: uuid.UUID,
    data: EventCancel,
    directory: httpx.AsyncClient,
) -> Event:
    event = await repository.lock_event(session, event_id)
    if event is None:
        raise EventNotFound(f"No event has id {event_id}.")
    await ensure_manages_host(principal, event.host_centre_id, directory)
    if event.status == "cancelled":
        return event
    await mark_cancelled(session, event, reason=data.reason, now=utcnow())
    return event


async def mark_cancelled(
    session: AsyncSession, event: Event, *, reason: str, now: datetime
) -> None:
    """Cancels a locked event and every registration with it."""
    await cancel_all_registrations(session, event, reason=f"event cancelled: {reason}", now=now)
    event.status = "cancelled"
    event.status_reason = reason
    event.version += 1
    event.updated_at = now
    await session.flush()
    await domain_events.event_changed(session, "event.cancelled", event, reason=reason)
