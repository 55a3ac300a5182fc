"""Root query fields. They run the same repository queries as the REST endpoints."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from resources.availability.ranges import check_range
from resources.catalogue.repository import KitFilters, list_kits
from resources.graphql.types import Kit, kit_connection, page_size, parse_id
from shared.clock import utcnow
from shared.db import reader_session
from shared.graphql import GraphQLContext
from shared.graphql_types import NearInput
from shared.pagination import Connection
from shared.problems import InvalidInput

MAX_LIST_FILTER = 20


@strawberry.input(description="Every given condition must hold (AND).")
class KitFilter:
    centre: strawberry.ID | None = strawberry.field(default=None, description="Owned by.")
    kinds: list[str] | None = strawberry.field(default=None, description="Any of these.")
    subjects: list[str] | None = strawberry.field(default=None, description="All of these.")
    audiences: list[str] | None = strawberry.field(default=None, description="All of these.")
    age: int | None = strawberry.field(default=None, description="Suitable for this age.")
    available_from: date | None = strawberry.field(
        default=None, description="With availableTo: a reservation of those dates would fit."
    )
    available_to: date | None = None
    quantity: int = strawberry.field(default=1, description="Items needed (with the range).")
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


def _available(given: KitFilter) -> tuple[date, date, int] | None:
    if given.available_from is None and given.available_to is None:
        return None
    if given.available_from is None or given.available_to is None:
        raise InvalidInput("filter: give availableFrom and availableTo together")
    if not 1 <= given.quantity <= 1000:
        raise InvalidInput("filter.quantity: between 1 and 1000")
    check_range(
        given.available_from,
        given.available_to,
        today=utcnow().date(),
        where="filter",
        names=("availableFrom", "availableTo"),
    )
    return (given.available_from, given.available_to, given.quantity)


def kit_filters(given: KitFilter | None) -> KitFilters:
    """The REST filters; retired kits are left out as REST does by default."""
    given = given or KitFilter()
    if given.age is not None and not 0 <= given.age <= 120:
        raise InvalidInput("filter.age: between 0 and 120")
    return KitFilters(
        centre_id=parse_id(given.centre, "filter.centre") if given.centre else None,
        kinds=_bounded(given.kinds, "kinds"),
        subjects=_bounded(given.subjects, "subjects"),
        audiences=_bounded(given.audiences, "audiences"),
        age=given.age,
        available=_available(given),
        near=_near(given.near),
    )


@strawberry.type
class Query:
    @strawberry.field(description="Find kits and materials.")
    async def kits(
        self,
        info: Info,
        filter: KitFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Kit]:
        context: GraphQLContext = info.context
        filters = kit_filters(filter)
        async with reader_session(context.db) as session:
            rows, next_cursor = await list_kits(
                session, filters, limit=page_size(first), after=after
            )
        context.loaders.prime_kits(rows)
        return kit_connection(rows, has_next=next_cursor is not None)

    @strawberry.field(description="One kit or material; null for unknown ids.")
    async def kit(self, info: Info, id: strawberry.ID) -> Kit | None:
        row = await info.context.loaders.kit.load(parse_id(id))
        return Kit.from_row(row) if row else None
