"""Root query fields. They run the same queries and rules as the REST endpoints."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from exchange.applications import service as applications
from exchange.applications.repository import ApplicationFilters
from exchange.errors import ApplicationNotFound
from exchange.graphql.errors import as_graphql_errors
from exchange.graphql.types import ExchangeApplication, ExchangeOffer, offer_connection
from exchange.offers.repository import OfferFilters, list_offers
from shared.auth import principal_of
from shared.db import reader_session
from shared.graphql import GraphQLContext
from shared.graphql_types import page_size, parse_id
from shared.pagination import Connection
from shared.problems import InvalidInput, Unauthorized

MAX_LIST_FILTER = 20
OFFER_STATUSES = ("open", "closed", "cancelled")


@strawberry.input(description="Every given condition must hold (AND).")
class ExchangeOfferFilter:
    host_centre: strawberry.ID | None = None
    kinds: list[str] | None = strawberry.field(default=None, description="Any of these.")
    subjects: list[str] | None = strawberry.field(default=None, description="Any of these.")
    languages: list[str] | None = strawberry.field(
        default=None, description="Runs in any of these."
    )
    statuses: list[str] | None = strawberry.field(
        default=None, description="Default: open offers only."
    )
    available_from: date | None = strawberry.field(
        default=None, description="The window overlaps from this day…"
    )
    available_to: date | None = strawberry.field(default=None, description="…to this one.")


def _bounded(values: list[str] | None, field: str) -> tuple[str, ...]:
    if values is not None and len(values) > MAX_LIST_FILTER:
        raise InvalidInput(f"filter.{field}: at most {MAX_LIST_FILTER} values")
    return tuple(values or ())


def offer_filters(given: ExchangeOfferFilter | None) -> OfferFilters:
    given = given or ExchangeOfferFilter()
    statuses = _bounded(given.statuses, "statuses") or ("open",)
    unknown = [s for s in statuses if s not in OFFER_STATUSES]
    if unknown:
        raise InvalidInput(f"filter.statuses: unknown {', '.join(unknown)}")
    if given.available_from and given.available_to and given.available_to < given.available_from:
        raise InvalidInput("filter.availableTo: before availableFrom")
    return OfferFilters(
        host_centre_id=parse_id(given.host_centre, "filter.hostCentre")
        if given.host_centre
        else None,
        kinds=_bounded(given.kinds, "kinds"),
        subjects=_bounded(given.subjects, "subjects"),
        languages=_bounded(given.languages, "languages"),
        statuses=statuses,
        available_from=given.available_from,
        available_to=given.available_to,
    )


@strawberry.type
class Query:
    @strawberry.field(description="Find exchange offers (public).")
    async def exchange_offers(
        self,
        info: Info,
        filter: ExchangeOfferFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[ExchangeOffer]:
        context: GraphQLContext = info.context
        filters = offer_filters(filter)
        async with reader_session(context.db) as session:
            rows, next_cursor = await list_offers(
                session, filters, limit=page_size(first), after=after
            )
        context.loaders.prime_offers(rows)
        return offer_connection(rows, has_next=next_cursor is not None)

    @strawberry.field(description="One exchange offer; null for unknown ids.")
    async def exchange_offer(self, info: Info, id: strawberry.ID) -> ExchangeOffer | None:
        row = await info.context.loaders.offer.load(parse_id(id))
        return ExchangeOffer.from_row(row) if row else None

    @strawberry.field(
        description="Applications you may see (yours; your centres' as home or host), oldest "
        "first. Needs a token."
    )
    async def exchange_applications(
        self,
        info: Info,
        offer: strawberry.ID | None = None,
        statuses: list[str] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> list[ExchangeApplication]:
        principal = principal_of(info)
        if principal is None:
            raise as_graphql_errors(Unauthorized("This field needs a bearer token."))
        filters = ApplicationFilters(
            offer_id=parse_id(offer, "offer") if offer else None,
            statuses=_bounded(statuses, "statuses"),
        )
        async with reader_session(info.context.db) as session:
            rows, _ = await applications.list_visible(
                session, principal=principal, filters=filters, limit=page_size(first), after=after
            )
        return [ExchangeApplication.from_row(r) for r in rows]

    @strawberry.field(description="One application, if you may see it; else null.")
    async def exchange_application(
        self, info: Info, id: strawberry.ID
    ) -> ExchangeApplication | None:
        principal = principal_of(info)
        application_id = parse_id(id)
        async with reader_session(info.context.db) as session:
            try:
                row, _ = await applications.visible_application(
                    session,
                    principal=principal,
                    application_id=application_id,
                    directory=info.context.request.app.state.peers["directory"],
                )
            except ApplicationNotFound:
                return None
        return ExchangeApplication.from_row(row)
