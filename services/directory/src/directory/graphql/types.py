"""GraphQL types of the directory. Each wraps the same rows the REST API reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from directory import access
from shared.db import reader_session
from shared.graphql import GraphQLContext
from shared.graphql_types import LocalizedText, localized, localized_texts, parse_id


@strawberry.type
class GeoPoint:
    lat: float
    lon: float


@strawberry.type
class ExternalIdentifier:
    scheme: str
    value: str


@strawberry.type
class CurrentLabel:
    id: strawberry.ID
    scheme: str
    valid_from: date
    valid_to: date | None


@strawberry.type
class NetworkMembership:
    role: str
    starts_on: date
    ends_on: date | None
    network_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def network(self, info: Info) -> Network | None:
        row = await info.context.loaders.network.load(self.network_id)
        return Network.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A centre for STEM teachers' development.")
class Centre:
    id: strawberry.ID
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> Centre:
        return cls(id=strawberry.ID(str(row.id)), row=row)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Centre | None:
        row = await info.context.loaders.centre.load(parse_id(id))
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
    def country(self) -> str:
        return str(self.row.country)

    @strawberry.field
    def region(self) -> str | None:
        return self.row.region

    @strawberry.field
    def locality(self) -> str | None:
        return (self.row.address or {}).get("locality")

    @strawberry.field
    def location(self) -> GeoPoint | None:
        return None if self.row.lat is None else GeoPoint(lat=self.row.lat, lon=self.row.lon)

    @strawberry.field(description="Only set in searches `near` a point.")
    def distance_km(self) -> float | None:
        distance = self.row._mapping.get("distance_km")
        return None if distance is None else round(distance, 3)

    @strawberry.field
    def website(self) -> str | None:
        return self.row.website

    @strawberry.field
    def public_email(self) -> str | None:
        return self.row.public_email

    @strawberry.field
    def subjects(self) -> list[str]:
        return list(self.row.subjects)

    @strawberry.field
    def audiences(self) -> list[str]:
        return list(self.row.audiences)

    @strawberry.field(description="Languages courses are offered in.")
    def languages(self) -> list[str]:
        return list(self.row.languages)

    @strawberry.field
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    def identifiers(self) -> list[ExternalIdentifier]:
        return [ExternalIdentifier(**i) for i in self.row.identifiers]

    @strawberry.field(description="Quality labels valid today.")
    def labels(self) -> list[CurrentLabel]:
        return [
            CurrentLabel(
                id=strawberry.ID(str(lb["id"])),
                scheme=lb["scheme"],
                valid_from=date.fromisoformat(lb["valid_from"]),
                valid_to=date.fromisoformat(lb["valid_to"]) if lb["valid_to"] else None,
            )
            for lb in self.row.labels
        ]

    @strawberry.field(description="Current memberships.")
    def memberships(self) -> list[NetworkMembership]:
        return [
            NetworkMembership(
                role=m["role"],
                starts_on=date.fromisoformat(m["starts_on"]),
                ends_on=date.fromisoformat(m["ends_on"]) if m["ends_on"] else None,
                network_id=uuid.UUID(m["network_id"]),
            )
            for m in self.row.memberships
        ]

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at


@strawberry.federation.type(keys=["id"], description="A network of centres or of networks.")
class Network:
    id: strawberry.ID
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> Network:
        return cls(id=strawberry.ID(str(row.id)), row=row)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Network | None:
        row = await info.context.loaders.network.load(parse_id(id))
        return cls.from_row(row) if row else None

    @strawberry.field
    def name(self, info: Info, lang: str | None = None) -> str:
        return localized(self.row.name, lang, info) or ""

    @strawberry.field
    def names(self) -> list[LocalizedText]:
        return localized_texts(self.row.name)

    @strawberry.field
    def description(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.description, lang, info)

    @strawberry.field
    def kind(self) -> str:
        return str(self.row.kind)

    @strawberry.field
    def country(self) -> str | None:
        return self.row.country

    @strawberry.field
    def website(self) -> str | None:
        return self.row.website

    @strawberry.field(description="Networks this network belongs to.")
    async def member_of(self, info: Info) -> list[Network]:
        ids = [uuid.UUID(p["network_id"]) for p in self.row.member_of]
        rows = await info.context.loaders.network.load_many(ids)
        return [Network.from_row(r) for r in rows if r is not None]


@strawberry.type
class EducatorContact:
    email: str | None
    phone: str | None


@strawberry.federation.type(keys=["id"], description="A teacher educator or PhD student.")
class Educator:
    id: strawberry.ID
    record: strawberry.Private[Any]

    @classmethod
    def from_record(cls, record: Any) -> Educator:
        return cls(id=strawberry.ID(str(record.id)), record=record)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Educator | None:
        record = await info.context.loaders.educator.load(parse_id(id))
        return cls.from_record(record) if record else None

    @strawberry.field
    def display_name(self) -> str:
        return str(self.record.display_name)

    @strawberry.field
    def kind(self) -> str:
        return str(self.record.kind)

    @strawberry.field
    async def centre(self, info: Info) -> Centre | None:
        row = await info.context.loaders.centre.load(self.record.centre_id)
        return Centre.from_row(row) if row else None

    @strawberry.field
    def subjects(self) -> list[str]:
        return list(self.record.subjects)

    @strawberry.field
    def levels(self) -> list[str]:
        return list(self.record.levels)

    @strawberry.field
    def methods(self) -> list[str]:
        return list(self.record.methods)

    @strawberry.field
    def languages(self) -> list[str]:
        return list(self.record.languages)

    @strawberry.field
    def available_for_exchange(self) -> bool:
        return bool(self.record.available_for_exchange)

    @strawberry.field
    def bio(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.record.bio, lang, info)

    @strawberry.field(description="Only for the educator and the managers of their centre.")
    async def contact(self, info: Info) -> EducatorContact | None:
        context: GraphQLContext = info.context
        async with reader_session(context.db) as session:
            allowed = await access.can_see_educator_contact(session, context.principal, self.record)
        if not allowed:
            return None
        return EducatorContact(email=self.record.email, phone=self.record.phone)
