"""GraphQL types of the exchange subgraph. Each wraps the same rows the REST API reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from exchange import models
from exchange.applications.lifecycle import next_steps
from exchange.graphql.loaders import CentreOffersKey, EducatorExchangesKey
from exchange.offers.repository import cursor_for, position_after
from shared.graphql_types import LocalizedText, localized, localized_texts, page_size, parse_id
from shared.pagination import Connection, connection_from
from shared.problems import InvalidInput

MAX_EXCHANGES = 50


def offer_connection(rows: Sequence[models.Offer], *, has_next: bool) -> Connection[ExchangeOffer]:
    return connection_from(
        [ExchangeOffer.from_row(r) for r in rows], [cursor_for(r) for r in rows], has_next=has_next
    )


@strawberry.federation.type(
    keys=["id"], description="A centre of the directory; this subgraph adds its exchange offers."
)
class Centre:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Centre:
        # The exchange service knows centres only by id; the directory resolves the rest.
        return cls(id=id)

    # Nullable, as every field one subgraph adds to another's entity: when this service cannot
    # answer, a gateway nulls only this field and keeps the directory's data beside it.
    @strawberry.field(
        description="Open exchange offers this centre hosts (null only when the exchange "
        "service could not answer)."
    )
    async def exchange_offers(
        self, info: Info, first: int = 10, after: str | None = None
    ) -> Connection[ExchangeOffer] | None:
        key = CentreOffersKey(parse_id(self.id), page_size(first), position_after(after))
        # Batched: a page of 50 centres costs one query, not 50.
        rows = await info.context.loaders.centre_offers.load(key)
        info.context.loaders.prime_offers(rows)
        return offer_connection(rows[:first], has_next=len(rows) > first)


@strawberry.federation.type(
    keys=["id"], description="An educator of the directory; this subgraph adds their exchanges."
)
class Educator:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Educator:
        return cls(id=id)

    @strawberry.field(
        description="The educator's exchanges you may see (yours, or your centres' as home or "
        "host), most recent first; empty without a token; null only when the exchange service "
        "could not answer."
    )
    async def exchanges(self, info: Info, first: int = 10) -> list[ExchangeApplication] | None:
        if not 1 <= first <= MAX_EXCHANGES:
            raise InvalidInput(f"first: must be between 1 and {MAX_EXCHANGES}")
        key = EducatorExchangesKey(parse_id(self.id), first)
        rows = await info.context.loaders.educator_exchanges.load(key)
        return [ExchangeApplication.from_row(r) for r in rows]


@strawberry.federation.type(
    keys=["id"],
    description="Placements a host centre offers teacher educators and PhD students: job "
    "shadowing, a teaching assignment, co-developing materials or a research visit.",
)
class ExchangeOffer:
    id: strawberry.ID
    row: strawberry.Private[models.Offer]

    @classmethod
    def from_row(cls, row: models.Offer) -> ExchangeOffer:
        return cls(id=strawberry.ID(str(row.id)), row=row)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> ExchangeOffer | None:
        row = await info.context.loaders.offer.load(parse_id(id))
        return cls.from_row(row) if row else None

    @strawberry.field
    def host_centre(self) -> Centre:
        return Centre(id=strawberry.ID(str(self.row.host_centre_id)))

    @strawberry.field(
        description="job_shadowing, teaching_assignment, co_development or research_visit."
    )
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(description="The topic in `lang`, else the caller's Accept-Language.")
    def title(self, info: Info, lang: str | None = None) -> str:
        return localized(self.row.title, lang, info) or ""

    @strawberry.field
    def titles(self) -> list[LocalizedText]:
        return localized_texts(self.row.title)

    @strawberry.field
    def description(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.description, lang, info)

    @strawberry.field
    def descriptions(self) -> list[LocalizedText]:
        return localized_texts(self.row.description)

    @strawberry.field
    def subjects(self) -> list[str]:
        return list(self.row.subjects)

    @strawberry.field(description="Languages the placement runs in.")
    def languages(self) -> list[str]:
        return list(self.row.languages)

    @strawberry.field
    def methods(self) -> list[str]:
        return list(self.row.methods)

    @strawberry.field
    def audiences(self) -> list[str]:
        return list(self.row.audiences)

    @strawberry.field
    def window_starts_on(self) -> date:
        return self.row.window_starts_on

    @strawberry.field
    def window_ends_on(self) -> date:
        return self.row.window_ends_on

    @strawberry.field
    def min_days(self) -> int:
        return self.row.min_days

    @strawberry.field
    def max_days(self) -> int:
        return self.row.max_days

    @strawberry.field
    def places(self) -> int:
        return self.row.places

    @strawberry.field
    def places_left(self) -> int:
        return max(self.row.places - self.row.places_taken, 0)

    @strawberry.field(description="open, closed (no new applications) or cancelled.")
    def status(self) -> str:
        return self.row.status


@strawberry.type(description="One step of an application's history.")
class ExchangeTransition:
    action: str
    from_status: str | None
    to_status: str
    actor: str
    side: str = strawberry.field(description="applicant, home or host.")
    reason: str | None
    at: datetime


@strawberry.type(
    description="An educator's application to an offer, and the exchange it becomes. Seen "
    "only by the applicant and the managers of the home and host centres."
)
class ExchangeApplication:
    id: strawberry.ID
    row: strawberry.Private[models.Application]

    @classmethod
    def from_row(cls, row: models.Application) -> ExchangeApplication:
        return cls(id=strawberry.ID(str(row.id)), row=row)

    @strawberry.field
    async def offer(self, info: Info) -> ExchangeOffer | None:
        row = await info.context.loaders.offer.load(self.row.offer_id)
        return ExchangeOffer.from_row(row) if row else None

    @strawberry.field
    def educator(self) -> Educator:
        return Educator(id=strawberry.ID(str(self.row.educator_id)))

    @strawberry.field(description="The sending centre.")
    def home_centre(self) -> Centre:
        return Centre(id=strawberry.ID(str(self.row.home_centre_id)))

    @strawberry.field(description="The receiving centre.")
    def host_centre(self) -> Centre:
        return Centre(id=strawberry.ID(str(self.row.host_centre_id)))

    @strawberry.field
    def starts_on(self) -> date:
        return self.row.starts_on

    @strawberry.field
    def ends_on(self) -> date:
        return self.row.ends_on

    @strawberry.field
    def days(self) -> int:
        return (self.row.ends_on - self.row.starts_on).days + 1

    @strawberry.field
    def status(self) -> str:
        return self.row.status

    @strawberry.field
    def status_reason(self) -> str | None:
        return self.row.status_reason

    @strawberry.field(description="Actions possible from this status (each for its party).")
    def next_actions(self) -> list[str]:
        return sorted(next_steps(self.row.status))

    @strawberry.field
    def motivation(self, info: Info, lang: str | None = None) -> str:
        return localized(self.row.motivation, lang, info) or ""

    @strawberry.field
    def work_plan(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.work_plan, lang, info)

    @strawberry.field(description="CPD hours credited on recognition.")
    def cpd_hours(self) -> Decimal:
        return self.row.cpd_hours

    @strawberry.field
    def home_confirmed_at(self) -> datetime | None:
        return self.row.home_confirmed_at

    @strawberry.field
    def host_confirmed_at(self) -> datetime | None:
        return self.row.host_confirmed_at

    @strawberry.field(description="The terms both sides confirmed (a snapshot).")
    def agreement(self) -> JSON | None:
        return self.row.agreement  # type: ignore[return-value]

    @strawberry.field
    def home_report(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.home_report, lang, info)

    @strawberry.field
    def host_report(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.host_report, lang, info)

    @strawberry.field(description="The CPD ledger entry recognition created.")
    def ledger_entry_id(self) -> strawberry.ID | None:
        entry = self.row.ledger_entry_id
        return strawberry.ID(str(entry)) if entry else None

    @strawberry.field
    def recognised_at(self) -> datetime | None:
        return self.row.recognised_at

    @strawberry.field
    def version(self) -> int:
        return self.row.version

    @strawberry.field(description="Every transition, oldest first.")
    async def history(self, info: Info) -> list[ExchangeTransition]:
        rows = await info.context.loaders.history.load(self.row.id)
        return [
            ExchangeTransition(
                action=r.action,
                from_status=r.from_status,
                to_status=r.to_status,
                actor=r.actor,
                side=r.side,
                reason=r.reason,
                at=r.at,
            )
            for r in rows
        ]
