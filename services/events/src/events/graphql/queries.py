"""Root query fields. They run the same repository queries as the REST endpoints."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from events.catalogue.repository import EventFilters, list_events
from events.graphql.types import (
    Event,
    Registration,
    event_connection,
    page_size,
    parse_id,
)
from events.graphql.upcoming import LISTED_STATUSES
from events.registrations.repository import page as registrations_page
from events.registrations.repository import queue_ranks
from shared.auth import IsAuthenticated, principal_of
from shared.clock import utcnow
from shared.db import reader_session
from shared.graphql import GraphQLContext
from shared.graphql_types import NearInput
from shared.pagination import Connection, connection_from, encode_cursor
from shared.problems import InvalidInput

MAX_LIST_FILTER = 20


@strawberry.input(description="Every given condition must hold (AND).")
class EventFilter:
    centre: strawberry.ID | None = strawberry.field(
        default=None, description="Hosted or co-hosted by this centre."
    )
    country: str | None = None
    region: str | None = strawberry.field(
        default=None, description="A NUTS code at any level; `FI1` matches `FI1B`."
    )
    subjects: list[str] | None = strawberry.field(default=None, description="All of these.")
    languages: list[str] | None = strawberry.field(
        default=None, description="Taught in any of these languages."
    )
    audiences: list[str] | None = strawberry.field(default=None, description="All of these.")
    kinds: list[str] | None = strawberry.field(default=None, description="Any of these.")
    delivery_modes: list[str] | None = strawberry.field(default=None, description="Any of these.")
    starts_after: datetime | None = strawberry.field(
        default=None, description="Default: now (upcoming events)."
    )
    starts_before: datetime | None = None
    near: NearInput | None = None


def _near(given: NearInput | None) -> tuple[float, float, float] | None:
    if given is None:
        return None
    if not (-90 <= given.lat <= 90 and -180 <= given.lon <= 180 and 0 < given.radius_km <= 2000):
        raise InvalidInput("filter.near: lat/lon out of range or radiusKm not in (0, 2000]")
    return (given.lat, given.lon, given.radius_km)


def _bounded(values: list[str] | None, field: str) -> tuple[str, ...]:
    if values is not None and len(values) > MAX_LIST_FILTER:
        raise InvalidInput(f"filter.{field}: at most {MAX_LIST_FILTER} values")
    return tuple(values or ())


def _instant(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(f"filter.{field}: needs a UTC offset")
    return value


def event_filters(given: EventFilter | None) -> EventFilters:
    """The REST filters, with drafts and cancelled events left out as REST does by default."""
    given = given or EventFilter()
    return EventFilters(
        centre_id=parse_id(given.centre, "filter.centre") if given.centre else None,
        country=given.country,
        region=given.region,
        subjects=_bounded(given.subjects, "subjects"),
        languages=_bounded(given.languages, "languages"),
        audiences=_bounded(given.audiences, "audiences"),
        kinds=_bounded(given.kinds, "kinds"),
        delivery_modes=_bounded(given.delivery_modes, "deliveryModes"),
        statuses=LISTED_STATUSES,
        starts_after=_instant(given.starts_after, "startsAfter") or utcnow(),
        starts_before=_instant(given.starts_before, "startsBefore"),
        near=_near(given.near),
    )


@strawberry.type
class Query:
    @strawberry.field(description="Find events, soonest first. Drafts are never listed.")
    async def events(
        self,
        info: Info,
        filter: EventFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Event]:
        context: GraphQLContext = info.context
        filters = event_filters(filter)
        async with reader_session(context.db) as session:
            rows, next_cursor = await list_events(
                session, filters, limit=page_size(first), after=after
            )
        context.loaders.prime_events(rows)
        return event_connection(rows, has_next=next_cursor is not None)

    @strawberry.field(description="One event; null for unknown ids and drafts.")
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        row = await info.context.loaders.event.load(parse_id(id))
        return Event.from_row(row) if row else None

    @strawberry.field(
        description="The caller's own registrations.", permission_classes=[IsAuthenticated]
    )
    async def my_registrations(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Registration]:
        context: GraphQLContext = info.context
        principal = principal_of(info)
        assert principal is not None  # IsAuthenticated let the call through
        async with reader_session(context.db) as session:
            rows, next_cursor = await registrations_page(
                session, teacher_id=principal.subject, limit=page_size(first), after=after
            )
            ranks = await queue_ranks(session, rows)
        return connection_from(
            [Registration.from_row(r, ranks.get(r.id)) for r in rows],
            [encode_cursor("id", [str(r.id)]) for r in rows],
            has_next=next_cursor is not None,
        )
