"""REST endpoints for events: `/v1/events`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from events.access import manages_host
from events.catalogue import repository, service
from events.catalogue.repository import EventFilters
from events.catalogue.schemas import (
    DeliveryMode,
    EventCancel,
    EventCreate,
    EventKind,
    EventPage,
    EventRead,
    EventStatus,
    EventUpdate,
)
from events.dependencies import DirectoryDep, Languages
from events.errors import EventNotFound
from shared.api_models import Instant
from shared.auth import CurrentPrincipal, MaybePrincipal
from shared.clock import utcnow
from shared.db import SessionDep
from shared.etags import etag_for
from shared.language_maps import QueryLanguageTag
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import InvalidInput
from shared.taxonomy import Audience, Subject

router = APIRouter(prefix="/v1/events", tags=["events"])


def _near(near: str | None, radius_km: float) -> tuple[float, float, float] | None:
    if near is None:
        return None
    lat_text, _, lon_text = near.partition(",")
    lat, lon = float(lat_text), float(lon_text)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(
            "near: latitude or longitude out of range",
            errors=[{"field": "query.near", "message": "out of range"}],
        )
    return (lat, lon, radius_km)


def event_filters(
    centre: Annotated[uuid.UUID | None, Query(description="Hosted or co-hosted by.")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    region: Annotated[str | None, Query(pattern=r"^[A-Z]{2}[A-Z0-9]{0,3}$")] = None,
    subject: Annotated[list[Subject] | None, Query(max_length=10)] = None,
    language: Annotated[
        list[QueryLanguageTag] | None,
        Query(max_length=10, description="Taught in any of these languages."),
    ] = None,
    audience: Annotated[list[Audience] | None, Query(max_length=4)] = None,
    kind: Annotated[list[EventKind] | None, Query(max_length=7)] = None,
    delivery_mode: Annotated[list[DeliveryMode] | None, Query(max_length=3)] = None,
    event_status: Annotated[
        list[EventStatus] | None,
        Query(alias="status", max_length=4, description="Default: scheduled and postponed."),
    ] = None,
    starts_after: Annotated[
        Instant | None, Query(description="Default: now (upcoming events).")
    ] = None,
    starts_before: Instant | None = None,
    near: Annotated[
        str | None,
        Query(pattern=r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$", description="lat,lon"),
    ] = None,
    radius_km: Annotated[float, Query(gt=0, le=2000)] = 50.0,
    modified_after: Instant | None = None,
    course_key: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")] = None,
) -> EventFilters:
    return EventFilters(
        centre_id=centre,
        country=country,
        region=region,
        subjects=tuple(subject or ()),
        languages=tuple(language or ()),
        audiences=tuple(audience or ()),
        kinds=tuple(kind or ()),
        delivery_modes=tuple(delivery_mode or ()),
        statuses=tuple(event_status or ("scheduled", "postponed")),
        starts_after=starts_after or (None if modified_after else utcnow()),
        starts_before=starts_before,
        near=_near(near, radius_km),
        modified_after=modified_after,
        course_key=course_key,
    )


@router.get("", summary="Find events (upcoming first)", response_model=EventPage)
async def list_events(
    session: SessionDep,
    languages: Languages,
    principal: MaybePrincipal,
    directory: DirectoryDep,
    filters: Annotated[EventFilters, Depends(event_filters)],
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> EventPage:
    """Filters combine with AND; ordered by start time."""
    wants_drafts = "draft" in filters.statuses
    if wants_drafts and not (
        filters.centre_id and await manages_host(principal, filters.centre_id, directory)
    ):
        raise InvalidInput(
            "status: drafts are listed only for a centre you manage (give `centre`)",
            errors=[{"field": "query.status", "message": "draft needs centre you manage"}],
        )
    events, next_cursor = await repository.list_events(session, filters, limit=limit, after=after)
    sessions = await repository.sessions_of(session, [e.id for e in events])
    return EventPage(
        items=[EventRead.build(e, sessions[e.id], languages) for e in events],
        next_cursor=next_cursor,
    )


@router.get("/{event_id}", summary="One event", response_model=EventRead)
async def get_event(
    event_id: uuid.UUID,
    session: SessionDep,
    languages: Languages,
    principal: MaybePrincipal,
    directory: DirectoryDep,
    response: Response,
) -> EventRead:
    event = await service.get_event(session, event_id=event_id)
    if event.status == "draft" and not await manages_host(
        principal, event.host_centre_id, directory
    ):
        raise EventNotFound(f"No event has id {event_id}.")
    sessions = await repository.sessions_of(session, [event_id])
    response.headers["ETag"] = etag_for(event.version)
    return EventRead.build(event, sessions[event_id], languages)


@router.post(
    "", summary="Publish an event", status_code=status.HTTP_201_CREATED, response_model=EventRead
)
async def create_event(
    data: EventCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
    response: Response,
) -> EventRead:
    event = await service.create_event(session, principal=principal, data=data, directory=directory)
    sessions = await repository.sessions_of(session, [event.id])
    response.headers["Location"] = f"/v1/events/{event.id}"
    response.headers["ETag"] = etag_for(event.version)
    return EventRead.build(event, sessions[event.id], languages)


@router.patch("/{event_id}", summary="Change an event", response_model=EventRead)
async def update_event(
    event_id: uuid.UUID,
    patch: EventUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> EventRead:
    event = await service.update_event(
        session,
        principal=principal,
        event_id=event_id,
        patch=patch,
        if_match=if_match,
        directory=directory,
    )
    sessions = await repository.sessions_of(session, [event_id])
    response.headers["ETag"] = etag_for(event.version)
    return EventRead.build(event, sessions[event_id], languages)


@router.post("/{event_id}/cancel", summary="Cancel an event", response_model=EventRead)
async def cancel_event(
    event_id: uuid.UUID,
    data: EventCancel,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
) -> EventRead:
    """Every registration is cancelled with it."""
    event = await service.cancel_event(
        session, principal=principal, event_id=event_id, data=data, directory=directory
    )
    sessions = await repository.sessions_of(session, [event_id])
    return EventRead.build(event, sessions[event_id], languages)
