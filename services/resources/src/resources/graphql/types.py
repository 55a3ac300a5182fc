"""GraphQL types of the resources subgraph. Each wraps the same rows the REST API reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from resources import models
from resources.availability.ranges import check_range
from resources.catalogue.repository import cursor_for, position_after
from resources.graphql.centre_kits import CentreKitsKey
from resources.graphql.loaders import CalendarKey
from shared.clock import utcnow
from shared.graphql_types import LocalizedText, localized, localized_texts, page_size, parse_id
from shared.pagination import Connection, connection_from


def kit_connection(rows: Sequence[models.Kit], *, has_next: bool) -> Connection[Kit]:
    # Any edge's cursor is a valid `after`: it is the keyset position of that kit.
    return connection_from(
        [Kit.from_row(r) for r in rows], [cursor_for(r) for r in rows], has_next=has_next
    )


@strawberry.federation.type(
    keys=["id"], description="A centre of the directory; this subgraph adds the kits it lends."
)
class Centre:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Centre:
        # The resources service knows centres only by id; the directory resolves the rest.
        return cls(id=id)

    # Nullable, as every field one subgraph adds to another's entity: when this service cannot
    # answer, a gateway nulls only this field and keeps the directory's data beside it.
    @strawberry.field(
        description="Kits and materials this centre owns, active ones (null only when the "
        "resources service could not answer)."
    )
    async def kits(
        self, info: Info, first: int = 10, after: str | None = None
    ) -> Connection[Kit] | None:
        key = CentreKitsKey(
            centre_id=parse_id(self.id), limit=page_size(first), after=position_after(after)
        )
        # Batched: a page of 50 centres costs one query, not 50.
        rows = await info.context.loaders.centre_kits.load(key)
        info.context.loaders.prime_kits(rows)
        return kit_connection(rows[:first], has_next=len(rows) > first)


@strawberry.type(description="What one item of a kit contains.")
class KitComponent:
    id: strawberry.ID
    quantity: int
    consumable: bool
    names_map: strawberry.Private[dict[str, str]]

    @strawberry.field
    def name(self, info: Info, lang: str | None = None) -> str:
        return localized(self.names_map, lang, info) or ""


@strawberry.type(description="Items of a kit on one day.")
class KitDay:
    day: date
    free: int = strawberry.field(description="What a borrower could still have.")
    reserved: int
    turnaround: int
    held: int = strawberry.field(description="In maintenance.")
    closed: bool = strawberry.field(description="A blackout day.")


@strawberry.type(description="A kit's calendar over a date range.")
class KitAvailability:
    max_free: int = strawberry.field(
        description="The most items one reservation of the whole range could take."
    )
    days: list[KitDay]


@strawberry.federation.type(
    keys=["id"],
    description="A kit centres lend (experiment kit, challenge box, lab equipment…) or a "
    "digital material.",
)
class Kit:
    id: strawberry.ID
    row: strawberry.Private[models.Kit]

    @classmethod
    def from_row(cls, row: models.Kit) -> Kit:
        return cls(id=strawberry.ID(str(row.id)), row=row)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Kit | None:
        row = await info.context.loaders.kit.load(parse_id(id))
        return cls.from_row(row) if row else None

    @strawberry.field(description="The name in `lang`, else the caller's Accept-Language.")
    def name(self, info: Info, lang: str | None = None) -> str:
        return localized(self.row.name, lang, info) or ""

    @strawberry.field
    def names(self) -> list[LocalizedText]:
        return localized_texts(self.row.name)

    @strawberry.field
    def description(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.description, lang, info)

    @strawberry.field
    def descriptions(self) -> list[LocalizedText]:
        return localized_texts(self.row.description)

    @strawberry.field
    def safety_notes(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.safety_notes, lang, info)

    @strawberry.field(
        description="experiment_kit, challenge_box, lab_equipment, robotics_set, "
        "material_pack or digital."
    )
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field
    def code(self) -> str | None:
        return self.row.code

    @strawberry.field
    def subjects(self) -> list[str]:
        return list(self.row.subjects)

    @strawberry.field
    def audiences(self) -> list[str]:
        return list(self.row.audiences)

    @strawberry.field(description="Languages of the kit's instructions (not of its texts here).")
    def languages(self) -> list[str]:
        return list(self.row.languages)

    @strawberry.field
    def min_age(self) -> int | None:
        return self.row.min_age

    @strawberry.field
    def max_age(self) -> int | None:
        return self.row.max_age

    @strawberry.field(description="Identical items in the pool.")
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field(description="Days an item is blocked after each reservation.")
    def turnaround_days(self) -> int:
        return self.row.turnaround_days

    @strawberry.field(description="Digital materials and retired kits are not.")
    def reservable(self) -> bool:
        return self.row.kind != "digital" and self.row.status == "active"

    @strawberry.field
    def link(self) -> str | None:
        return self.row.link

    @strawberry.field(description="SPDX identifier of the licence, e.g. CC-BY-4.0.")
    def licence(self) -> str | None:
        return self.row.licence

    @strawberry.field
    def status(self) -> str:
        return self.row.status

    @strawberry.field
    async def components(self, info: Info) -> list[KitComponent]:
        rows = await info.context.loaders.components.load(self.row.id)
        return [
            KitComponent(
                id=strawberry.ID(str(c.id)),
                quantity=c.quantity,
                consumable=c.consumable,
                names_map=c.name,
            )
            for c in rows
        ]

    @strawberry.field
    def owner_centre(self) -> Centre:
        return Centre(id=strawberry.ID(str(self.row.owner_centre_id)))

    @strawberry.field(description="Free items per day, at most 366 days; null for digital ones.")
    async def availability(
        self, info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date
    ) -> KitAvailability | None:
        today = utcnow().date()
        check_range(from_, to, today=today, where="args", names=("from", "to"), allow_past=True)
        if self.row.kind == "digital":
            return None
        key = CalendarKey(self.row.id, from_, to, self.row.quantity, self.row.turnaround_days)
        calendar = await info.context.loaders.calendar.load(key)
        return KitAvailability(
            max_free=calendar.max_free(from_, to) if self.row.status == "active" else 0,
            days=[
                KitDay(
                    day=d.day,
                    free=d.free_to_lend,
                    reserved=d.reserved,
                    turnaround=d.turnaround,
                    held=d.held,
                    closed=d.closures > 0,
                )
                for d in calendar.days(from_, to)
            ],
        )
