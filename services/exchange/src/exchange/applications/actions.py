"""The actions that move an application along, each allowed only to its party.

Every action locks the application's row first, so two actions on one application happen one
after the other; the offer's places and the educator's days are guarded by PostgreSQL itself
(see `lifecycle.take_days` and `offers.repository.take_place`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.access import Parties
from exchange.applications import lifecycle
from exchange.applications.schemas import ApplicationAmend
from exchange.applications.service import (
    CENTS,
    check_dates,
    default_hours,
    visible_application,
)
from exchange.errors import IllegalTransition, OfferFull, OfferNotOpen
from exchange.ledger import Credit, LedgerCredential, post_credit
from exchange.models import Application, Offer
from exchange.offers import repository as offers
from shared.auth import Principal
from shared.clock import utcnow
from shared.etags import check_if_match
from shared.problems import Forbidden, InvalidInput


@dataclass(frozen=True)
class Caller:
    principal: Principal
    directory: httpx.AsyncClient


@dataclass(frozen=True)
class Ledger:
    client: httpx.AsyncClient
    credential: LedgerCredential


def _side_for(
    application: Application,
    action: str,
    step: lifecycle.Step,
    parties: Parties,
    wanted: str | None = None,
) -> str:
    """The side the caller acts for; 403 if none of the step's sides is theirs."""
    usable = [s for s in step.sides if s in parties.sides]
    if wanted is not None:
        # `home` covers the applicant's own report; `host` is only the host's managers.
        allowed = {"home": ("home", "applicant"), "host": ("host",)}[wanted]
        usable = [s for s in usable if s in allowed]
    if not usable:
        who = " or ".join(lifecycle.SIDE_NAMES[s] for s in step.sides)
        raise Forbidden(
            f"Only {who} may {action} an application that is {application.status}.",
            current_status=application.status,
        )
    return usable[0]


async def _begin(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, action: str
) -> tuple[Application, lifecycle.Step, Parties]:
    application, parties = await visible_application(
        session,
        principal=caller.principal,
        application_id=application_id,
        directory=caller.directory,
        lock=True,
    )
    return application, lifecycle.step_for(application, action), parties


SIMPLE_ACTIONS = ("approve", "decline", "accept", "start", "withdraw", "cancel")
"""The actions that record the step with the caller's reason, and at most take or give back
the application's place."""

REASON_REQUIRED = frozenset({"decline", "cancel"})
"""Simple actions that may not be taken without a reason."""

_ENDINGS = frozenset({"decline", "withdraw", "cancel"})
"""Actions that end the application and so give back its place and the educator's days."""


async def take_simple_action(
    session: AsyncSession,
    caller: Caller,
    application_id: uuid.UUID,
    action: str,
    reason: str | None,
) -> Application:
    """One of `SIMPLE_ACTIONS`, by the party its step allows."""
    assert action in SIMPLE_ACTIONS, action
    application, step, parties = await _begin(session, caller, application_id, action)
    side = _side_for(application, action, step, parties)
    if action == "accept":
        await _take_place(session, application)
    elif action in _ENDINGS:
        await lifecycle.release(session, application)
    await lifecycle.move(
        session,
        application,
        action=action,
        to_status=step.to,
        actor=caller.principal.subject,
        side=side,
        reason=reason,
    )
    return application


async def _take_place(session: AsyncSession, application: Application) -> None:
    """One of the offer's places, or a 409 when none is left."""
    if not await offers.take_place(session, application.offer_id):
        offer = await session.get(Offer, application.offer_id)
        assert offer is not None
        await session.refresh(offer)
        if offer.status == "cancelled":
            raise lifecycle.offer_cancelled(offer)
        raise OfferFull(
            f"All {offer.places} places on this offer are taken.",
            places=offer.places,
            places_taken=offer.places_taken,
        )
    application.holds_place = True


def _agreement(application: Application, offer: Offer) -> dict[str, Any]:
    return {
        "offer_id": str(offer.id),
        "kind": offer.kind,
        "title": offer.title,
        "host_centre_id": str(application.host_centre_id),
        "home_centre_id": str(application.home_centre_id),
        "educator_id": str(application.educator_id),
        "starts_on": application.starts_on.isoformat(),
        "ends_on": application.ends_on.isoformat(),
        "work_plan": application.work_plan,
        "cpd_hours": str(application.cpd_hours),
    }


async def confirm(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, wanted: str | None
) -> Application:
    """One side's confirmation of the agreement; the second one confirms the exchange, which
    takes the educator's days (409 if another confirmed exchange holds any of them)."""
    application, step, parties = await _begin(session, caller, application_id, "confirm")
    if wanted is None and {"home", "host"} <= parties.sides:
        # Someone who manages both centres confirms the side still missing.
        wanted = "host" if application.home_confirmed_at else "home"
    side = _side_for(application, "confirm", step, parties, wanted)
    now = utcnow()
    if side == "home":
        if application.home_confirmed_at is not None:
            raise _already(application, "The home centre has already confirmed the agreement.")
        application.home_confirmed_at = now
    else:
        if application.host_confirmed_at is not None:
            raise _already(application, "The host centre has already confirmed the agreement.")
        application.host_confirmed_at = now
    to_status = "accepted"
    if application.home_confirmed_at and application.host_confirmed_at:
        offer = await session.get(Offer, application.offer_id)
        assert offer is not None
        await lifecycle.take_days(session, application)
        application.agreement = _agreement(application, offer) | {"confirmed_at": now.isoformat()}
        to_status = step.to
    await lifecycle.move(
        session,
        application,
        action="confirm",
        to_status=to_status,
        actor=caller.principal.subject,
        side=side,
    )
    return application


def _already(application: Application, detail: str) -> IllegalTransition:
    allowed = lifecycle.next_steps(application.status)
    return IllegalTransition(
        detail,
        current_status=application.status,
        allowed_next=sorted(set(allowed.values())),
        allowed_actions=sorted(allowed),
    )


async def report(
    session: AsyncSession,
    caller: Caller,
    application_id: uuid.UUID,
    text: dict[str, str],
    wanted: str | None,
) -> Application:
    """One side's report; with both in, the exchange is completed."""
    application, step, parties = await _begin(session, caller, application_id, "report")
    if wanted is None and "host" in parties.sides and parties.sides & {"home", "applicant"}:
        wanted = "host" if application.home_report else "home"
    side = _side_for(application, "report", step, parties, wanted)
    if side == "host":
        if application.host_report is not None:
            raise _already(application, "The host centre has already reported.")
        application.host_report = text
    else:
        if application.home_report is not None:
            raise _already(application, "The sending side has already reported.")
        application.home_report = text
    done = application.home_report is not None and application.host_report is not None
    await lifecycle.move(
        session,
        application,
        action="report",
        to_status=step.to if done else application.status,
        actor=caller.principal.subject,
        side=side,
    )
    return application


async def recognise(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, ledger: Ledger
) -> Application:
    """Credits the agreed CPD hours to the educator's ledger, then marks it recognised.

    The credit's key is the application's id and its body comes from the agreed terms, so
    if this transaction fails after the ledger took the credit, the retry gets the same
    entry back instead of a second one. If the ledger cannot be reached nothing changes.
    """
    application, step, parties = await _begin(session, caller, application_id, "recognise")
    side = _side_for(application, "recognise", step, parties)
    offer = await session.get(Offer, application.offer_id)
    assert offer is not None
    entry_id = await post_credit(
        ledger.client,
        ledger.credential,
        Credit(
            teacher_id=application.applicant_subject,
            hours=application.cpd_hours,
            source_key=str(application.id),
            title=offer.title,
            centre_id=application.host_centre_id,
            occurred_on=application.ends_on,
        ),
    )
    application.ledger_entry_id = entry_id
    application.recognised_at = utcnow()
    await lifecycle.move(
        session,
        application,
        action="recognise",
        to_status=step.to,
        actor=caller.principal.subject,
        side=side,
    )
    return application


async def amend(
    session: AsyncSession,
    caller: Caller,
    application_id: uuid.UUID,
    data: ApplicationAmend,
    if_match: str | None,
) -> Application:
    """New dates or terms. Past `submitted` this reopens approval from the start."""
    application, step, parties = await _begin(session, caller, application_id, "amend")
    side = _side_for(application, "amend", step, parties)
    check_if_match(if_match, application.version)
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    if not changes:
        raise InvalidInput(
            "body: nothing to change", errors=[{"field": "body", "message": "empty"}]
        )
    starts_on = changes.get("starts_on", application.starts_on)
    ends_on = changes.get("ends_on", application.ends_on)
    if ends_on < starts_on:
        raise InvalidInput(
            "body.ends_on: before starts_on",
            errors=[{"field": "body.ends_on", "message": "before starts_on"}],
        )
    offer = await session.get(Offer, application.offer_id)
    assert offer is not None
    if offer.status == "cancelled":
        raise OfferNotOpen(f"The offer {offer.id} is cancelled.", offer_status=offer.status)
    if "starts_on" in changes or "ends_on" in changes:
        check_dates(offer, starts_on, ends_on, today=utcnow().date())
        if "cpd_hours" not in changes and application.cpd_hours == default_hours(
            application.starts_on, application.ends_on
        ):
            changes["cpd_hours"] = default_hours(starts_on, ends_on)
    if application.status != "submitted":
        await lifecycle.release(session, application)
    if "cpd_hours" in changes:
        changes["cpd_hours"] = changes["cpd_hours"].quantize(CENTS)
    for name, value in changes.items():
        setattr(application, name, value)
    reason = data.reason or "The dates or terms changed; approval starts again."
    await lifecycle.move(
        session,
        application,
        action="amend",
        to_status=step.to,
        actor=caller.principal.subject,
        side=side,
        reason=reason,
    )
    return application
