"""The application's state machine: which action leads where, and who may take it.

submitted → home_approved (home) → accepted (host; takes a place) → confirmed (home and host
both confirm the agreement; takes the educator's days) → in_progress (host) → completed (a
report from each side) → recognised (home; credited to the ledger). Declined, withdrawn and
cancelled end it; an amendment of dates or terms sends it back to submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import domain_events
from exchange.errors import IllegalTransition, OfferNotOpen, OverlappingExchange
from exchange.models import Application, EducatorDay, Offer, Transition
from exchange.offers import repository as offers
from shared.clock import new_id, utcnow


@dataclass(frozen=True)
class Step:
    to: str
    sides: tuple[str, ...]
    """Who may take the step: `applicant`, `home` (the sending centre), `host`."""


_BEFORE_START = ("submitted", "home_approved", "accepted", "confirmed")

STEPS: dict[str, dict[str, Step]] = {
    "approve": {"submitted": Step("home_approved", ("home",))},
    "decline": {
        "submitted": Step("declined", ("home",)),
        "home_approved": Step("declined", ("host",)),
    },
    "accept": {"home_approved": Step("accepted", ("host",))},
    # The agreement needs both sides; the first confirmation leaves it `accepted`.
    "confirm": {"accepted": Step("confirmed", ("home", "host"))},
    "start": {"confirmed": Step("in_progress", ("host",))},
    # The applicant writes the sending side's report; the first report leaves it running.
    "report": {"in_progress": Step("completed", ("applicant", "home", "host"))},
    "recognise": {"completed": Step("recognised", ("home",))},
    "withdraw": {s: Step("withdrawn", ("applicant",)) for s in _BEFORE_START},
    "cancel": {
        s: Step("cancelled", ("home", "host")) for s in ("accepted", "confirmed", "in_progress")
    },
    "amend": {s: Step("submitted", ("applicant", "home", "host")) for s in _BEFORE_START},
}

SIDE_NAMES = {
    "applicant": "the applicant",
    "home": "the home centre's managers",
    "host": "the host centre's managers",
}


def next_steps(status: str) -> dict[str, str]:
    """Actions possible from `status` (by someone), and where each leads."""
    return {action: by[status].to for action, by in STEPS.items() if status in by}


def step_for(application: Application, action: str) -> Step:
    step = STEPS[action].get(application.status)
    if step is None:
        allowed = next_steps(application.status)
        targets = sorted(set(allowed.values()))
        where = (
            f"From {application.status} it can go to: {', '.join(targets)}."
            if targets
            else f"{application.status.capitalize()} is final."
        )
        raise IllegalTransition(
            f"Cannot {action} an application that is {application.status}. {where}",
            current_status=application.status,
            allowed_next=targets,
            allowed_actions=sorted(allowed),
        )
    return step


def offer_cancelled(offer: Offer) -> OfferNotOpen:
    return OfferNotOpen(f"The offer {offer.id} is cancelled.", offer_status=offer.status)


async def move(
    session: AsyncSession,
    application: Application,
    *,
    action: str,
    to_status: str,
    actor: str,
    side: str,
    reason: str | None = None,
) -> None:
    """Records the step in the history, and the new state on the application."""
    now = utcnow()
    from_status = application.status
    session.add(
        Transition(
            id=new_id(),
            application_id=application.id,
            action=action,
            from_status=application.status,
            to_status=to_status,
            actor=actor,
            side=side,
            reason=reason,
            at=now,
        )
    )
    application.status = to_status
    application.updated_at = now
    application.version += 1
    if reason is not None and to_status in ("declined", "withdrawn", "cancelled", "submitted"):
        application.status_reason = reason
    await session.flush()
    await domain_events.application_event(
        session, application, action=action, from_status=from_status
    )


async def release(
    session: AsyncSession, application: Application, *, offer: Offer | None = None
) -> None:
    """Gives back the offer's place and the educator's days the application held.

    The statements run before any attribute changes: they flush the session, and the row
    must never be flushed half-changed (its CHECK ties `holds_place` to `status`).
    """
    await session.execute(delete(EducatorDay).where(EducatorDay.application_id == application.id))
    if application.holds_place:
        if offer is not None:
            offer.places_taken -= 1
        else:
            await offers.give_back_place(session, application.offer_id)
        application.holds_place = False
    application.home_confirmed_at = None
    application.host_confirmed_at = None
    application.agreement = None


async def end(
    session: AsyncSession,
    application: Application,
    *,
    action: str,
    to_status: str,
    actor: str,
    side: str,
    reason: str | None,
    offer: Offer | None = None,
) -> None:
    await release(session, application, offer=offer)
    await move(
        session,
        application,
        action=action,
        to_status=to_status,
        actor=actor,
        side=side,
        reason=reason,
    )


async def take_days(session: AsyncSession, application: Application) -> None:
    """The educator's days for this exchange, or a 409 naming the days already taken.

    Each day is a row keyed by (educator, day): when two confirmations race, PostgreSQL
    makes the second wait for the first and then finds its days taken.
    """
    count = (application.ends_on - application.starts_on).days + 1
    days = [application.starts_on + timedelta(days=i) for i in range(count)]
    inserted = await session.execute(
        insert(EducatorDay)
        .values(
            [
                {"educator_id": application.educator_id, "day": d, "application_id": application.id}
                for d in days
            ]
        )
        .on_conflict_do_nothing()
        .returning(EducatorDay.day)
    )
    if len(inserted.all()) == count:
        return
    await overlap_refusal(session, application)
    raise OverlappingExchange("The educator already has a confirmed exchange within these dates.")


async def overlap_refusal(session: AsyncSession, application: Application) -> None:
    """Raises a 409 if the educator's confirmed exchanges take any of these days."""
    taken = await session.execute(
        select(EducatorDay.day, EducatorDay.application_id)
        .where(
            EducatorDay.educator_id == application.educator_id,
            EducatorDay.day.between(application.starts_on, application.ends_on),
            EducatorDay.application_id != application.id,
        )
        .order_by(EducatorDay.day)
    )
    rows = taken.all()
    if not rows:
        return
    raise OverlappingExchange(
        f"The educator already has a confirmed exchange from {rows[0].day} to {rows[-1].day} "
        "within these dates.",
        first_taken_day=rows[0].day.isoformat(),
        last_taken_day=rows[-1].day.isoformat(),
        other_application_id=str(rows[0].application_id),
    )
