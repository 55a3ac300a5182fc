"""Rules for applications: who may see them, submission, and the reads around them.

Actions that move an application along live in `actions.py`; the state machine itself in
`lifecycle.py`. Functions here never commit: the request (or mutation) does.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import domain_events
from exchange.access import Parties, parties_of, visible_applications
from exchange.applications import lifecycle, repository
from exchange.applications.repository import ApplicationFilters
from exchange.applications.schemas import HOURS_PER_DAY, ApplicationCreate
from exchange.dates import days_between
from exchange.errors import AlreadyApplied, ApplicationNotFound, OfferNotOpen
from exchange.models import Application, Offer, Transition
from exchange.offers.service import get_offer
from shared.auth import Principal
from shared.centre_directory import centre_facts, educator_facts, manages_centre
from shared.clock import new_id, utcnow
from shared.problems import Forbidden, InvalidInput


def check_dates(offer: Offer, starts_on: date, ends_on: date, *, today: date) -> None:
    """Within the offer's window, for between its minimum and maximum days, not in the past."""
    problems: list[dict[str, str]] = []
    if starts_on < today:
        problems.append({"field": "body.starts_on", "message": "is in the past"})
    if starts_on < offer.window_starts_on or ends_on > offer.window_ends_on:
        problems.append(
            {
                "field": "body.starts_on",
                "message": f"the dates must lie within the offer's window "
                f"{offer.window_starts_on} – {offer.window_ends_on}",
            }
        )
    days = days_between(starts_on, ends_on)
    if not offer.min_days <= days <= offer.max_days:
        problems.append(
            {
                "field": "body.ends_on",
                "message": f"{days} days; the offer takes {offer.min_days} to {offer.max_days}",
            }
        )
    if problems:
        first = problems[0]
        raise InvalidInput(f"{first['field']}: {first['message']}", errors=problems)


CENTS = Decimal("0.01")


def default_hours(starts_on: date, ends_on: date) -> Decimal:
    return min(HOURS_PER_DAY * days_between(starts_on, ends_on), Decimal(1000)).quantize(CENTS)


async def submit(
    session: AsyncSession,
    *,
    principal: Principal,
    authorization: str | None,
    offer_id: uuid.UUID,
    data: ApplicationCreate,
    directory: httpx.AsyncClient,
) -> Application:
    offer = await get_offer(session, offer_id=offer_id)
    if offer.status != "open":
        raise OfferNotOpen(f"The offer is {offer.status}; it takes no applications.")
    educator = await educator_facts(
        directory, data.educator_id, field="educator_id", authorization=authorization
    )
    if educator.user_subject is None or educator.user_subject != principal.subject:
        raise Forbidden("Educators apply for themselves: the token must be the educator's own.")
    if educator.centre_id == offer.host_centre_id:
        raise InvalidInput(
            "educator_id: the educator works at the host centre; an exchange is with another one",
            errors=[{"field": "body.educator_id", "message": "belongs to the host centre"}],
        )
    check_dates(offer, data.starts_on, data.ends_on, today=utcnow().date())
    if await repository.active_application(session, offer_id=offer.id, educator_id=educator.id):
        raise AlreadyApplied("You already have an application to this offer that is running.")
    home = await centre_facts(directory, educator.centre_id, field="educator_id")
    now = utcnow()
    application = Application(
        id=new_id(),
        offer_id=offer.id,
        educator_id=educator.id,
        educator_kind=educator.kind,
        applicant_subject=principal.subject,
        home_centre_id=educator.centre_id,
        home_country=home.country,
        home_identifiers=dict(home.identifiers),
        home_network_ids=sorted(home.network_ids),
        host_centre_id=offer.host_centre_id,
        host_network_ids=list(offer.host_network_ids),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        motivation=data.motivation,
        work_plan=data.work_plan,
        cpd_hours=(data.cpd_hours or default_hours(data.starts_on, data.ends_on)).quantize(CENTS),
        status="submitted",
        holds_place=False,
        created_at=now,
        updated_at=now,
        version=1,
    )
    await lifecycle.overlap_refusal(session, application)
    session.add(application)
    await session.flush()
    session.add(
        Transition(
            id=new_id(),
            application_id=application.id,
            action="submit",
            from_status=None,
            to_status="submitted",
            actor=principal.subject,
            side="applicant",
            at=now,
        )
    )
    await session.flush()
    await domain_events.application_event(session, application, action="submit", from_status=None)
    return application


async def visible_application(
    session: AsyncSession,
    *,
    principal: Principal | None,
    application_id: uuid.UUID,
    directory: httpx.AsyncClient,
    lock: bool = False,
) -> tuple[Application, Parties]:
    """The application and the caller's sides on it; a 404 for anyone who may not see it,
    so nobody learns which ids exist."""
    if lock:
        application = await repository.lock_application(session, application_id)
    else:
        application = await session.get(Application, application_id)
    parties = (
        await parties_of(principal, application, directory) if application is not None else None
    )
    if application is None or parties is None or not parties.any:
        raise ApplicationNotFound(f"No application you may see has id {application_id}.")
    return application, parties


async def list_for_offer(
    session: AsyncSession,
    *,
    principal: Principal,
    offer_id: uuid.UUID,
    statuses: tuple[str, ...],
    directory: httpx.AsyncClient,
    limit: int,
    after: str | None,
) -> tuple[list[Application], str | None]:
    """All of them for the host's managers; the applicant's own and their home centre's for
    everyone else."""
    offer = await get_offer(session, offer_id=offer_id)
    hosts = await manages_centre(principal, offer.host_centre_id, directory)
    visible = visible_applications(principal) if not hosts else Application.offer_id == offer.id
    return await repository.list_applications(
        session,
        ApplicationFilters(offer_id=offer.id, statuses=statuses),
        visible=visible,
        limit=limit,
        after=after,
    )


async def list_visible(
    session: AsyncSession,
    *,
    principal: Principal,
    filters: ApplicationFilters,
    limit: int,
    after: str | None,
) -> tuple[list[Application], str | None]:
    return await repository.list_applications(
        session, filters, visible=visible_applications(principal), limit=limit, after=after
    )


async def read_history(
    session: AsyncSession,
    *,
    principal: Principal,
    application_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> list[Transition]:
    await visible_application(
        session, principal=principal, application_id=application_id, directory=directory
    )
    return await repository.history(session, application_id)
