"""Offers ranked for an educator, and educators suggested for an offer."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import String, cast, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.access import ensure_manages_host
from exchange.matching.scoring import Fit, Placement, Profile, fit
from exchange.models import EducatorDay, Offer
from exchange.offers.service import get_offer
from shared.auth import Principal
from shared.centre_directory import (
    DirectoryUnavailable,
    EducatorFacts,
    educator_facts,
    educator_from_json,
)
from shared.clock import utcnow

MAX_CANDIDATE_OFFERS = 500
EDUCATOR_PAGES = 3
"""Pages of 200 educators open to exchange read from the directory per suggestion."""


@dataclass(frozen=True)
class Ranked:
    offer: Offer
    fit: Fit


@dataclass(frozen=True)
class Suggested:
    educator: EducatorFacts
    fit: Fit


def placement_of(offer: Offer) -> Placement:
    return Placement(
        subjects=tuple(offer.subjects),
        languages=tuple(offer.languages),
        methods=tuple(offer.methods),
        window_starts_on=offer.window_starts_on,
        window_ends_on=offer.window_ends_on,
        min_days=offer.min_days,
    )


def profile_of(educator: EducatorFacts) -> Profile:
    return Profile(educator.subjects, educator.languages, educator.methods)


async def taken_days(
    session: AsyncSession, educator_ids: Sequence[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, frozenset[date]]:
    """Days each educator spends in confirmed exchanges, one query for all of them."""
    found: dict[uuid.UUID, set[date]] = defaultdict(set)
    if educator_ids:
        rows = await session.execute(
            select(EducatorDay.educator_id, EducatorDay.day).where(
                EducatorDay.educator_id.in_(set(educator_ids)),
                EducatorDay.day.between(first, last),
            )
        )
        for educator_id, day in rows.all():
            found[educator_id].add(day)
    return {i: frozenset(found.get(i, ())) for i in educator_ids}


async def offers_for_educator(
    session: AsyncSession,
    *,
    educator_id: uuid.UUID,
    authorization: str | None,
    available: tuple[date, date] | None,
    directory: httpx.AsyncClient,
    limit: int,
) -> tuple[EducatorFacts, list[Ranked]]:
    """Open offers with a place left, at other centres, sharing a subject or a language with
    the educator, best first."""
    educator = await educator_facts(
        directory, educator_id, field="query.educator_id", authorization=authorization
    )
    today = utcnow().date()
    stmt = select(Offer).where(
        Offer.status == "open",
        Offer.places_taken < Offer.places,
        Offer.window_ends_on >= today,
        Offer.host_centre_id != educator.centre_id,
    )
    if available is not None:
        stmt = stmt.where(
            Offer.window_ends_on >= available[0], Offer.window_starts_on <= available[1]
        )
    interests = [
        Offer.subjects.overlap(cast(list(educator.subjects), ARRAY(String)))
        if educator.subjects
        else None,
        Offer.languages.overlap(cast(list(educator.languages), ARRAY(String)))
        if educator.languages
        else None,
    ]
    clauses = [c for c in interests if c is not None]
    if clauses:
        stmt = stmt.where(or_(*clauses))
    offers = list(
        (
            await session.execute(stmt.order_by(Offer.id.desc()).limit(MAX_CANDIDATE_OFFERS))
        ).scalars()
    )
    if not offers:
        return educator, []
    first = min(o.window_starts_on for o in offers)
    last = max(o.window_ends_on for o in offers)
    taken = (await taken_days(session, [educator.id], first, last))[educator.id]
    profile = profile_of(educator)
    ranked = [
        Ranked(o, fit(profile, placement_of(o), today=today, available=available, taken=taken))
        for o in offers
    ]
    ranked.sort(key=lambda r: (-r.fit.score, r.offer.window_starts_on, r.offer.id))
    return educator, ranked[:limit]


async def _educators_open_to_exchange(
    directory: httpx.AsyncClient, authorization: str | None
) -> list[EducatorFacts]:
    headers = {"Authorization": authorization} if authorization else {}
    found: list[EducatorFacts] = []
    cursor: str | None = None
    for _ in range(EDUCATOR_PAGES):
        params: dict[str, str | int] = {"available_for_exchange": "true", "limit": 200}
        if cursor:
            params["after"] = cursor
        try:
            response = await directory.get("/v1/educators", params=params, headers=headers)
        except httpx.TransportError as exc:
            raise DirectoryUnavailable(
                "The centre directory cannot be reached. Retry shortly.", retry_after_s=10
            ) from exc
        if response.status_code != 200:
            raise DirectoryUnavailable(
                "The centre directory is failing. Retry shortly.", retry_after_s=10
            )
        body = response.json()
        found.extend(educator_from_json(item) for item in body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            break
    return found


async def educators_for_offer(
    session: AsyncSession,
    *,
    principal: Principal,
    authorization: str | None,
    offer_id: uuid.UUID,
    directory: httpx.AsyncClient,
    limit: int,
) -> tuple[Offer, list[Suggested]]:
    """For the host's managers: educators of other centres open to exchange, best first."""
    offer = await get_offer(session, offer_id=offer_id)
    await ensure_manages_host(principal, offer.host_centre_id, directory)
    educators = [
        e
        for e in await _educators_open_to_exchange(directory, authorization)
        if e.centre_id != offer.host_centre_id
    ]
    today = utcnow().date()
    taken = await taken_days(
        session, [e.id for e in educators], offer.window_starts_on, offer.window_ends_on
    )
    placement = placement_of(offer)
    suggested = [
        Suggested(e, fit(profile_of(e), placement, today=today, taken=taken[e.id]))
        for e in educators
    ]
    suggested.sort(key=lambda s: (-s.fit.score, str(s.educator.id)))
    return offer, suggested[:limit]
