"""REST endpoints for iCalendar feeds and JSON-LD.

Everything here is public and cacheable by shared caches, so drafts are never shown — not even
to their centre's staff, whose token a cache would not see.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue import repository as catalogue
from events.catalogue import service as catalogue_service
from events.dependencies import DirectoryDep, Languages
from events.errors import EventNotFound
from events.feeds.caching import cacheable
from events.feeds.centre_names import centre_name
from events.feeds.ics import ICS_MEDIA_TYPE, Reader, calendar_of
from events.feeds.jsonld import JSONLD_MEDIA_TYPE, course_instance
from events.feeds.repository import FeedItem, FeedScope, feed_items
from shared.clock import utcnow
from shared.db import SessionDep

# `/v1/events/{event_id}.ics` is also matched by the catalogue's `/v1/events/{event_id}`, which
# would answer 422 (not a UUID): main.py must include this router before the catalogue's.
router = APIRouter(tags=["feeds"])

NUTS_CODE = r"^[A-Z]{2}[A-Z0-9]{0,3}$"


CALENDAR_SCHEMA: dict[str, Any] = {"type": "string", "description": "An RFC 5545 VCALENDAR."}
COURSE_INSTANCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A schema.org CourseInstance (JSON-LD).",
    "required": ["@context", "@type", "@id", "name", "startDate", "endDate", "eventStatus"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "CourseInstance"},
        "@id": {"type": "string"},
        "name": {"type": "string"},
        "startDate": {"type": "string", "format": "date-time"},
        "endDate": {"type": "string", "format": "date-time"},
        "eventStatus": {"type": "string"},
        "maximumAttendeeCapacity": {"type": "integer"},
        "remainingAttendeeCapacity": {"type": "integer"},
    },
}


def _documented(media_type: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type: {"schema": schema}}, "description": "OK"},
        304: {"description": "Not modified: your copy (If-None-Match) is current."},
    }


def _reader(request: Request, languages: list[str]) -> Reader:
    return Reader(languages=languages, base_url=request.app.state.settings.public_base_url)


async def _published(session: AsyncSession, event_id: uuid.UUID) -> FeedItem:
    event = await catalogue_service.get_event(session, event_id=event_id)
    if event.status == "draft":
        raise EventNotFound(f"No event has id {event_id}.")
    sessions = await catalogue.sessions_of(session, [event_id])
    return FeedItem(event, sessions[event_id])


@router.get(
    "/v1/events/{event_id}.ics",
    summary="One event as iCalendar (one VEVENT per session)",
    response_class=Response,
    responses=_documented(ICS_MEDIA_TYPE, CALENDAR_SCHEMA),
)
async def event_calendar(
    event_id: uuid.UUID, request: Request, session: SessionDep, languages: Languages
) -> Response:
    """Each session has the stable UID `{session_id}@pdnet`; import it or subscribe to it."""
    item = await _published(session, event_id)
    calendar = calendar_of([item], _reader(request, languages), uid=f"event-{event_id}@pdnet")
    return cacheable(request, calendar.to_ical(), ICS_MEDIA_TYPE)


@router.get(
    "/v1/centres/{centre_id}/events.ics",
    summary="A centre's calendar feed",
    response_class=Response,
    responses=_documented(ICS_MEDIA_TYPE, CALENDAR_SCHEMA),
)
async def centre_calendar(
    centre_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    languages: Languages,
    directory: DirectoryDep,
) -> Response:
    """Events the centre hosts or co-hosts that have not ended (at most 500), soonest first.

    Cancelled events stay for 30 days after their cancellation, with STATUS:CANCELLED.
    """
    name = await centre_name(directory, centre_id, languages) or f"centre {centre_id}"
    items = await feed_items(session, FeedScope(centre_id=centre_id), now=utcnow())
    calendar = calendar_of(
        items,
        _reader(request, languages),
        uid=f"centre-{centre_id}-events@pdnet",
        name=f"pdnet events · {name}",
    )
    return cacheable(request, calendar.to_ical(), ICS_MEDIA_TYPE)


@router.get(
    "/v1/regions/{nuts}/events.ics",
    summary="A region's calendar feed",
    response_class=Response,
    responses=_documented(ICS_MEDIA_TYPE, CALENDAR_SCHEMA),
)
async def region_calendar(
    nuts: Annotated[
        str, Path(pattern=NUTS_CODE, description="NUTS code; FI1 covers FI1B and FI1C.")
    ],
    request: Request,
    session: SessionDep,
    languages: Languages,
) -> Response:
    """Events in the region that have not ended (at most 500), soonest first.

    Cancelled events stay for 30 days after their cancellation, with STATUS:CANCELLED.
    """
    items = await feed_items(session, FeedScope(region=nuts), now=utcnow())
    calendar = calendar_of(
        items,
        _reader(request, languages),
        uid=f"region-{nuts}-events@pdnet",
        name=f"pdnet events · {nuts}",
    )
    return cacheable(request, calendar.to_ical(), ICS_MEDIA_TYPE)


@router.get(
    "/v1/events/{event_id}/jsonld",
    summary="One event as schema.org JSON-LD (CourseInstance)",
    response_class=Response,
    responses=_documented(JSONLD_MEDIA_TYPE, COURSE_INSTANCE_SCHEMA),
)
async def event_jsonld(
    event_id: uuid.UUID, request: Request, session: SessionDep, languages: Languages
) -> Response:
    item = await _published(session, event_id)
    document = course_instance(
        item.event, item.sessions, languages, base_url=_reader(request, languages).base_url
    )
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return cacheable(request, body, JSONLD_MEDIA_TYPE)
