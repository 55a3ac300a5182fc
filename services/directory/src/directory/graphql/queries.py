"""Root query fields. They run the same repository queries as the REST endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from directory.centres.repository import (
    CentreFilters,
    Near,
    cursor_for,
    ordering_of,
    search_centres,
    search_config_for,
)
from directory.educators.repository import EducatorFilters, list_educators
from directory.graphql.types import Centre, Educator, Network
from directory.networks.repository import list_networks
from shared.db import reader_session
from shared.graphql import GraphQLContext
from shared.graphql_types import NearInput, page_size, parse_id
from shared.pagination import Connection, connection_from, encode_cursor
from shared.problems import InvalidInput


@strawberry.input(description="Every given condition must hold (AND).")
class CentreFilter:
    q: str | None = None
    search_language: str | None = None
    country: str | None = None
    region: str | None = None
    subjects: list[str] | None = None
    audiences: list[str] | None = None
    languages: list[str] | None = None
    label: str | None = None
    network: strawberry.ID | None = None
    near: NearInput | None = None
    modified_after: datetime | None = None


def _centre_filters(given: CentreFilter | None) -> CentreFilters:
    if given is None:
        return CentreFilters()
    near = None
    if given.near is not None:
        n = given.near
        if not (-90 <= n.lat <= 90 and -180 <= n.lon <= 180 and 0 < n.radius_km <= 2000):
            raise InvalidInput("filter.near: lat/lon out of range or radiusKm not in (0, 2000]")
        near = Near(lat=n.lat, lon=n.lon, radius_km=n.radius_km)
    if given.q is not None and not 1 <= len(given.q) <= 200:
        raise InvalidInput("filter.q: 1 to 200 characters")
    if given.modified_after is not None and given.modified_after.tzinfo is None:
        raise InvalidInput("filter.modifiedAfter: needs a UTC offset")
    language = given.search_language
    return CentreFilters(
        q=given.q,
        search_language=search_config_for(language),
        country=given.country,
        region=given.region,
        subjects=tuple(given.subjects or ()),
        audiences=tuple(given.audiences or ()),
        languages=tuple(given.languages or ()),
        label_scheme=given.label,
        network_id=parse_id(given.network, "filter.network") if given.network else None,
        near=near,
        modified_after=given.modified_after,
    )


def _id_cursors(rows: list[Any]) -> list[str]:
    # Any edge's cursor is a valid `after`: it is the keyset position of that row.
    return [encode_cursor("id", [str(r.id)]) for r in rows]


@strawberry.type
class Query:
    @strawberry.field(description="Find centres; ordered by distance with `near`, else relevance.")
    async def centres(
        self,
        info: Info,
        filter: CentreFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Centre]:
        context: GraphQLContext = info.context
        filters = _centre_filters(filter)
        async with reader_session(context.db) as session:
            rows, next_cursor = await search_centres(
                session, filters, limit=page_size(first), after=after
            )
        for row in rows:
            context.loaders.centre.prime(row.id, row)
        return connection_from(
            [Centre.from_row(r) for r in rows],
            [cursor_for(r, ordering_of(filters)) for r in rows],
            has_next=next_cursor is not None,
        )

    @strawberry.field
    async def centre(self, info: Info, id: strawberry.ID) -> Centre | None:
        row = await info.context.loaders.centre.load(parse_id(id))
        return Centre.from_row(row) if row else None

    @strawberry.field
    async def networks(
        self, info: Info, kind: str | None = None, first: int = 50, after: str | None = None
    ) -> Connection[Network]:
        async with reader_session(info.context.db) as session:
            rows, next_cursor = await list_networks(
                session, kind=kind, country=None, limit=page_size(first), after=after
            )
        return connection_from(
            [Network.from_row(r) for r in rows],
            _id_cursors(rows),
            has_next=next_cursor is not None,
        )

    @strawberry.field
    async def network(self, info: Info, id: strawberry.ID) -> Network | None:
        row = await info.context.loaders.network.load(parse_id(id))
        return Network.from_row(row) if row else None

    @strawberry.field(description="Public profiles, plus those the caller may see.")
    async def educators(
        self,
        info: Info,
        centre: strawberry.ID | None = None,
        subjects: list[str] | None = None,
        available_for_exchange: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Educator]:
        context: GraphQLContext = info.context
        filters = EducatorFilters(
            centre_id=parse_id(centre, "centre") if centre else None,
            subjects=tuple(subjects or ()),
            available_for_exchange=available_for_exchange,
        )
        async with reader_session(context.db) as session:
            records, next_cursor = await list_educators(
                session,
                principal=context.principal,
                filters=filters,
                limit=page_size(first),
                after=after,
            )
        return connection_from(
            [Educator.from_record(r) for r in records],
            _id_cursors(records),
            has_next=next_cursor is not None,
        )

    @strawberry.field
    async def educator(self, info: Info, id: strawberry.ID) -> Educator | None:
        record = await info.context.loaders.educator.load(parse_id(id))
        return Educator.from_record(record) if record else None
