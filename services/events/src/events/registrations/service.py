"""Rules for registrations: who registers, who sees, who cancels, approves and accepts."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events import domain_events
from events.access import ensure_manages_host, manages_host
from events.catalogue.repository import lock_event
from events.errors import EventNotFound, IllegalTransition, RegistrationNotFound
from events.models import Event, Registration
from events.registrations import lifecycle
from events.registrations.schemas import RegistrationCreate
from shared.auth import Principal, Role, require_role
from shared.clock import utcnow

_NEXT = {
    "pending_approval": ["confirmed (approve)", "rejected (reject)", "cancelled"],
    "confirmed": ["cancelled", "attended", "no_show"],
    "waitlisted": ["offered (automatic)", "cancelled"],
    "offered": ["confirmed (accept)", "cancelled"],
    "cancelled": [],
    "rejected": [],
    "attended": ["no_show or confirmed (attendance corrected by staff)"],
    "no_show": ["attended or confirmed (attendance corrected by staff)"],
}


def _illegal(registration: Registration, action: str) -> IllegalTransition:
    return IllegalTransition(
        f"Cannot {action} a registration that is {registration.status}.",
        current_status=registration.status,
        allowed_next=_NEXT[registration.status],
    )


async def register(
    session: AsyncSession, *, principal: Principal, event_id: uuid.UUID, data: RegistrationCreate
) -> list[Registration]:
    require_role(principal, Role.TEACHER, Role.EDUCATOR)
    teacher_ids = data.team or [principal.subject]
    unlocked = await session.get(Event, event_id)
    if unlocked is not None and unlocked.status == "scheduled":
        await lifecycle.refuse_if_full(session, unlocked, teacher_ids=teacher_ids)
    event = await lock_event(session, event_id)
    if event is None or event.status == "draft":
        raise EventNotFound(f"No event has id {event_id}.")
    return await lifecycle.place(
        session,
        event,
        teacher_ids=teacher_ids,
        registered_by=principal.subject,
        school=data.school,
        now=utcnow(),
    )


def _is_owner(principal: Principal, registration: Registration) -> bool:
    return principal.subject in (registration.teacher_id, registration.registered_by)


async def visible_registration(
    session: AsyncSession,
    *,
    principal: Principal,
    registration_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> tuple[Registration, Event]:
    """The registration for its owner and the host's staff; missing for anyone else."""
    registration = await session.get(Registration, registration_id)
    if registration is not None:
        event = await session.get(Event, registration.event_id)
        assert event is not None
        if _is_owner(principal, registration) or await manages_host(
            principal, event.host_centre_id, directory
        ):
            return registration, event
    raise RegistrationNotFound(f"No registration of yours has id {registration_id}.")


async def _locked(
    session: AsyncSession,
    principal: Principal,
    registration_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> tuple[Registration, Event, bool]:
    """Event then registration, locked in that order (the order every writer uses)."""
    _, event = await visible_registration(
        session, principal=principal, registration_id=registration_id, directory=directory
    )
    locked_event = await lock_event(session, event.id)
    assert locked_event is not None
    locked = (
        await session.execute(
            select(Registration)
            .where(Registration.id == registration_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    is_staff = await manages_host(principal, locked_event.host_centre_id, directory)
    return locked, locked_event, is_staff


async def cancel(
    session: AsyncSession,
    *,
    principal: Principal,
    registration_id: uuid.UUID,
    reason: str | None,
    directory: httpx.AsyncClient,
) -> Registration:
    registration, event, is_staff = await _locked(session, principal, registration_id, directory)
    if registration.status not in ("pending_approval", "confirmed", "waitlisted", "offered"):
        raise _illegal(registration, "cancel")
    now = utcnow()
    who = "staff" if is_staff and not _is_owner(principal, registration) else "teacher"
    lifecycle.release(
        event, registration, status="cancelled", reason=reason or f"cancelled by {who}", now=now
    )
    await session.flush()
    await domain_events.registrations_changed(session, "registration.cancelled", [registration])
    await lifecycle.promote_waitlist(session, event, now=now)
    return registration


async def accept_offer(
    session: AsyncSession,
    *,
    principal: Principal,
    registration_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> Registration:
    registration, event, _ = await _locked(session, principal, registration_id, directory)
    if not _is_owner(principal, registration):
        raise RegistrationNotFound(f"No registration of yours has id {registration_id}.")
    now = utcnow()
    if registration.status != "offered":
        raise _illegal(registration, "accept")
    assert registration.offer_expires_at is not None
    if registration.offer_expires_at <= now:
        raise IllegalTransition(
            "The offer has expired; the place passes to the next person waiting.",
            current_status="offered",
            allowed_next=["cancelled"],
        )
    registration.status = "pending_approval" if event.requires_approval else "confirmed"
    registration.offer_expires_at = None
    registration.updated_at = now
    await session.flush()
    await domain_events.registrations_placed(session, [registration])
    return registration


async def decide(
    session: AsyncSession,
    *,
    principal: Principal,
    registration_id: uuid.UUID,
    approve: bool,
    reason: str | None,
    directory: httpx.AsyncClient,
) -> Registration:
    registration, event, _ = await _locked(session, principal, registration_id, directory)
    await ensure_manages_host(principal, event.host_centre_id, directory)
    if registration.status != "pending_approval":
        raise _illegal(registration, "approve" if approve else "reject")
    now = utcnow()
    if approve:
        registration.status, registration.updated_at = "confirmed", now
        registration.status_reason = reason
        await session.flush()
        await domain_events.registrations_changed(session, "registration.confirmed", [registration])
    else:
        lifecycle.release(event, registration, status="rejected", reason=reason, now=now)
        await session.flush()
        await domain_events.registrations_changed(session, "registration.rejected", [registration])
        await lifecycle.promote_waitlist(session, event, now=now)
    await session.flush()
    return registration
