"""REST endpoints for centres: `/v1/centres`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import BaseModel, Field

from directory import access
from directory.centres import service
from directory.centres.repository import CentreFilters, Near, search_config_for
from directory.centres.schemas import (
    CentreCreate,
    CentrePage,
    CentreRead,
    CentreStatus,
    CentreUpdate,
)
from shared.api_models import Instant
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.etags import etag_for
from shared.language_maps import LANGUAGE_TAG, QueryLanguageTag, language_preferences
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import InvalidInput
from shared.taxonomy import Audience, Subject

router = APIRouter(prefix="/v1/centres", tags=["centres"])

Languages = Annotated[list[str], Depends(language_preferences)]


def parse_near(near: str | None, radius_km: float) -> Near | None:
    if near is None:
        return None
    lat_text, sep, lon_text = near.partition(",")
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        lat = lon = float("nan")
    if not sep or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(
            "near: expected 'lat,lon' in degrees, e.g. near=60.17,24.94",
            errors=[{"field": "query.near", "message": "expected 'lat,lon' in degrees"}],
        )
    return Near(lat=lat, lon=lon, radius_km=radius_km)


def centre_filters(
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Full-text search in any language."),
    ] = None,
    search_lang: Annotated[
        str | None,
        Query(
            pattern=LANGUAGE_TAG,
            description="Analyse `q` as this language only (default: every supported one).",
        ),
    ] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    region: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}[A-Z0-9]{0,3}$", description="NUTS code or prefix.")
    ] = None,
    subject: Annotated[list[Subject] | None, Query(max_length=10)] = None,
    audience: Annotated[list[Audience] | None, Query(max_length=4)] = None,
    language: Annotated[list[QueryLanguageTag] | None, Query(max_length=10)] = None,
    label: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Holds a current label of this scheme."
        ),
    ] = None,
    network: Annotated[
        uuid.UUID | None,
        Query(description="Member of this network or of any network inside it."),
    ] = None,
    centre_status: Annotated[
        list[CentreStatus] | None,
        Query(alias="status", max_length=3, description="Default: active and temporarily_closed."),
    ] = None,
    near: Annotated[
        str | None,
        Query(
            pattern=r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$",
            description="`lat,lon`; results are ordered by distance.",
        ),
    ] = None,
    radius_km: Annotated[float, Query(gt=0, le=2000)] = 50.0,
    modified_after: Annotated[
        Instant | None,
        Query(description="Only centres changed after this instant (ISO 8601 with offset)."),
    ] = None,
) -> CentreFilters:
    statuses = tuple(centre_status or ("active", "temporarily_closed"))
    return CentreFilters(
        q=q,
        search_language=search_config_for(search_lang),
        country=country,
        region=region,
        subjects=tuple(subject or ()),
        audiences=tuple(audience or ()),
        languages=tuple(language or ()),
        label_scheme=label,
        network_id=network,
        statuses=statuses,
        near=parse_near(near, radius_km),
        modified_after=modified_after,
    )


@router.get("", summary="Find centres", response_model=CentrePage)
async def list_centres(
    session: SessionDep,
    languages: Languages,
    filters: Annotated[CentreFilters, Depends(centre_filters)],
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> CentrePage:
    """Filters combine with AND. Ordered by distance with `near`, by relevance with `q`, by
    change time with `modified_after`, otherwise by creation."""
    rows, next_cursor = await service.list_centres(
        session, filters=filters, limit=limit, after=after
    )
    return CentrePage(
        items=[CentreRead.from_row(row, languages) for row in rows], next_cursor=next_cursor
    )


@router.get("/{centre_id}", summary="One centre", response_model=CentreRead)
async def get_centre(
    centre_id: uuid.UUID, session: SessionDep, languages: Languages, response: Response
) -> CentreRead:
    row = await service.get_centre(session, centre_id=centre_id)
    response.headers["ETag"] = etag_for(row.version)
    return CentreRead.from_row(row, languages)


@router.post(
    "",
    summary="Create a centre",
    status_code=status.HTTP_201_CREATED,
    response_model=CentreRead,
)
async def create_centre(
    data: CentreCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
) -> CentreRead:
    centre_id = await service.create_centre(session, principal=principal, data=data)
    row = await service.get_centre(session, centre_id=centre_id)
    response.headers["Location"] = f"/v1/centres/{centre_id}"
    response.headers["ETag"] = etag_for(row.version)
    return CentreRead.from_row(row, languages)


@router.patch("/{centre_id}", summary="Change a centre", response_model=CentreRead)
async def update_centre(
    centre_id: uuid.UUID,
    patch: CentreUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(max_length=200, description="The ETag you read; a stale one gets 412."),
    ] = None,
) -> CentreRead:
    await service.update_centre(
        session, principal=principal, centre_id=centre_id, patch=patch, if_match=if_match
    )
    row = await service.get_centre(session, centre_id=centre_id)
    response.headers["ETag"] = etag_for(row.version)
    return CentreRead.from_row(row, languages)


class CentreNetworks(BaseModel):
    centre_id: uuid.UUID
    network_ids: list[uuid.UUID] = Field(
        description="Every network the centre belongs to, directly or through its networks."
    )


@router.get(
    "/{centre_id}/networks",
    summary="Networks a centre belongs to, transitively",
    response_model=CentreNetworks,
)
async def centre_networks(centre_id: uuid.UUID, session: SessionDep) -> CentreNetworks:
    """Other services use this to decide which network admins may act for a centre."""
    await service.get_centre(session, centre_id=centre_id)
    network_ids = await access.networks_of_centre(session, centre_id)
    return CentreNetworks(centre_id=centre_id, network_ids=sorted(network_ids))
