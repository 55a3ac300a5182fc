"""REST endpoints for offers: `/v1/offers`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import AwareDatetime

from exchange.dependencies import DirectoryDep, Languages
from exchange.models import Offer
from exchange.offers import repository, service
from exchange.offers.repository import OfferFilters
from exchange.offers.schemas import (
    OfferCreate,
    OfferKind,
    OfferPage,
    OfferRead,
    OfferStatus,
    OfferUpdate,
)
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.etags import etag_for
from shared.language_maps import QueryLanguageTag, pick
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import InvalidInput
from shared.taxonomy import Subject

router = APIRouter(prefix="/v1/offers", tags=["offers"])


def offer_read(offer: Offer, languages: list[str]) -> OfferRead:
    return OfferRead(
        id=offer.id,
        host_centre_id=offer.host_centre_id,
        host_country=offer.host_country,
        kind=offer.kind,
        title=offer.title,
        title_text=pick(offer.title, languages) or "",
        description=offer.description,
        description_text=pick(offer.description, languages),
        subjects=offer.subjects,
        languages=offer.languages,
        methods=offer.methods,
        audiences=offer.audiences,
        window_starts_on=offer.window_starts_on,
        window_ends_on=offer.window_ends_on,
        min_days=offer.min_days,
        max_days=offer.max_days,
        places=offer.places,
        places_left=max(offer.places - offer.places_taken, 0),
        status=offer.status,
        created_at=offer.created_at,
        updated_at=offer.updated_at,
        version=offer.version,
    )


def offer_filters(
    host_centre: uuid.UUID | None = None,
    kind: Annotated[list[OfferKind] | None, Query(max_length=4)] = None,
    subject: Annotated[
        list[Subject] | None, Query(max_length=11, description="Any of these.")
    ] = None,
    language: Annotated[
        list[QueryLanguageTag] | None,
        Query(max_length=10, description="Runs in any of these languages."),
    ] = None,
    offer_status: Annotated[
        list[OfferStatus] | None,
        Query(alias="status", max_length=3, description="Default: open offers only."),
    ] = None,
    available_from: Annotated[date | None, Query(description="The window overlaps from…")] = None,
    available_to: Annotated[date | None, Query(description="…to this day.")] = None,
    modified_after: AwareDatetime | None = None,
) -> OfferFilters:
    if available_from and available_to and available_to < available_from:
        raise InvalidInput(
            "query.available_to: before available_from",
            errors=[{"field": "query.available_to", "message": "before available_from"}],
        )
    return OfferFilters(
        host_centre_id=host_centre,
        kinds=tuple(kind or ()),
        subjects=tuple(subject or ()),
        languages=tuple(language or ()),
        statuses=tuple(offer_status or ("open",)),
        available_from=available_from,
        available_to=available_to,
        modified_after=modified_after,
    )


@router.get("", summary="Find exchange offers", response_model=OfferPage)
async def list_offers(
    session: SessionDep,
    languages: Languages,
    filters: Annotated[OfferFilters, Depends(offer_filters)],
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> OfferPage:
    """Public. Filters combine with AND; oldest first, keyset-paged."""
    rows, next_cursor = await repository.list_offers(session, filters, limit=limit, after=after)
    return OfferPage(items=[offer_read(r, languages) for r in rows], next_cursor=next_cursor)


@router.post(
    "",
    summary="Offer placements (host centre managers)",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferRead,
)
async def create_offer(
    data: OfferCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
    response: Response,
) -> OfferRead:
    offer = await service.create_offer(session, principal=principal, data=data, directory=directory)
    response.headers["Location"] = f"/v1/offers/{offer.id}"
    response.headers["ETag"] = etag_for(offer.version)
    return offer_read(offer, languages)


@router.get("/{offer_id}", summary="One offer", response_model=OfferRead)
async def get_offer(
    offer_id: uuid.UUID, session: SessionDep, languages: Languages, response: Response
) -> OfferRead:
    offer = await service.get_offer(session, offer_id=offer_id)
    response.headers["ETag"] = etag_for(offer.version)
    return offer_read(offer, languages)


@router.patch(
    "/{offer_id}", summary="Change an offer (host centre managers)", response_model=OfferRead
)
async def update_offer(
    offer_id: uuid.UUID,
    data: OfferUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> OfferRead:
    """Send `If-Match` with the ETag you read; a stale one is a 412 and changes nothing.
    `status: cancelled` cancels every running application, giving their places back."""
    offer = await service.update_offer(
        session,
        principal=principal,
        offer_id=offer_id,
        data=data,
        if_match=if_match,
        directory=directory,
    )
    response.headers["ETag"] = etag_for(offer.version)
    return offer_read(offer, languages)
