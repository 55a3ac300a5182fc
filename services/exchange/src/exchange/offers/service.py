"""Rules for offers: host centres publish and manage them; anyone may read them."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import domain_events
from exchange.access import ensure_manages_host
from exchange.applications import lifecycle
from exchange.dates import days_between
from exchange.errors import OfferNotFound, PlacesBelowTaken
from exchange.models import ACTIVE, Application, Offer
from exchange.offers import repository
from exchange.offers.schemas import MAX_DAYS, OfferCreate, OfferUpdate, check_window
from shared.auth import Principal
from shared.centre_directory import centre_facts
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.problems import InvalidInput


async def get_offer(session: AsyncSession, *, offer_id: uuid.UUID) -> Offer:
    offer = await session.get(Offer, offer_id)
    if offer is None:
        raise OfferNotFound(f"No offer has id {offer_id}.")
    return offer


async def create_offer(
    session: AsyncSession, *, principal: Principal, data: OfferCreate, directory: httpx.AsyncClient
) -> Offer:
    await ensure_manages_host(principal, data.host_centre_id, directory)
    if data.window_ends_on < utcnow().date():
        raise InvalidInput(
            "window_ends_on: the window has already ended",
            errors=[{"field": "body.window_ends_on", "message": "in the past"}],
        )
    host = await centre_facts(directory, data.host_centre_id, field="host_centre_id")
    length = days_between(data.window_starts_on, data.window_ends_on)
    now = utcnow()
    offer = Offer(
        id=new_id(),
        host_centre_id=data.host_centre_id,
        host_country=host.country,
        host_identifiers=dict(host.identifiers),
        host_network_ids=sorted(host.network_ids),
        kind=data.kind,
        title=data.title,
        description=data.description,
        subjects=list(dict.fromkeys(data.subjects)),
        languages=list(dict.fromkeys(data.languages)),
        methods=list(dict.fromkeys(data.methods)),
        audiences=list(dict.fromkeys(data.audiences)),
        window_starts_on=data.window_starts_on,
        window_ends_on=data.window_ends_on,
        min_days=data.min_days,
        max_days=data.max_days if data.max_days is not None else min(length, MAX_DAYS),
        places=data.places,
        places_taken=0,
        status="open",
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(offer)
    await session.flush()
    await domain_events.offer_event(session, "created", offer)
    return offer


async def update_offer(
    session: AsyncSession,
    *,
    principal: Principal,
    offer_id: uuid.UUID,
    data: OfferUpdate,
    if_match: str | None,
    directory: httpx.AsyncClient,
) -> Offer:
    offer = await repository.lock_offer(session, offer_id)
    if offer is None:
        raise OfferNotFound(f"No offer has id {offer_id}.")
    await ensure_manages_host(principal, offer.host_centre_id, directory)
    check_if_match(if_match, offer.version)
    changes = data.model_dump(exclude_unset=True)
    if offer.status == "cancelled" and changes:
        raise lifecycle.offer_cancelled(offer)
    starts = changes.get("window_starts_on", offer.window_starts_on)
    ends = changes.get("window_ends_on", offer.window_ends_on)
    min_days = changes.get("min_days", offer.min_days)
    max_days = changes.get("max_days", offer.max_days)
    try:
        check_window(starts, ends, min_days, max_days)
    except ValueError as exc:
        raise InvalidInput(f"body: {exc}", errors=[{"field": "body", "message": str(exc)}]) from exc
    if changes.get("places", offer.places) < offer.places_taken:
        raise PlacesBelowTaken(
            f"{offer.places_taken} places are already taken by accepted applications; "
            f"places cannot go below that.",
            places_taken=offer.places_taken,
        )
    for name, value in changes.items():
        if name in {"subjects", "languages", "methods", "audiences"}:
            value = list(dict.fromkeys(value))
        setattr(offer, name, value)
    now = utcnow()
    offer.updated_at = now
    offer.version += 1
    if changes.get("status") == "cancelled":
        await _cancel_running_applications(session, offer, actor=principal.subject)
    await session.flush()
    await domain_events.offer_event(session, "updated", offer)
    return offer


async def _cancel_running_applications(session: AsyncSession, offer: Offer, *, actor: str) -> None:
    rows = await session.execute(
        select(Application)
        .where(Application.offer_id == offer.id, Application.status.in_(ACTIVE))
        .order_by(Application.id)
        .with_for_update()
    )
    for application in rows.scalars():
        await lifecycle.end(
            session,
            application,
            action="cancel",
            to_status="cancelled",
            actor=actor,
            side="host",
            reason="The host cancelled the offer.",
            offer=offer,
        )
