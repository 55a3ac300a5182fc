"""REST shapes of networks and memberships."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.api_models import StrictModel, document_omittable
from shared.language_maps import LongText, ShortText, pick
from shared.taxonomy import CountryCode, WebAddress

NetworkKind = Literal["european", "national", "regional", "thematic"]
MembershipRole = Literal["member", "coordinator", "hub", "partner", "observer"]


class ParentIn(StrictModel):
    network_id: uuid.UUID
    role: MembershipRole = "member"
    starts_on: date | None = None


class NetworkCreate(StrictModel):
    name: ShortText
    description: LongText | None = None
    kind: NetworkKind
    country: CountryCode | None = None
    website: WebAddress | None = None
    member_of: list[ParentIn] = Field(default_factory=list, max_length=10)


class NetworkUpdate(StrictModel):
    name: ShortText | None = None
    description: LongText | None = None
    kind: NetworkKind | None = None
    country: CountryCode | None = None
    website: WebAddress | None = None

    __omittable__ = ("name", "kind")


def _one_member_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    document_omittable(schema, model)
    schema["oneOf"] = [{"required": ["centre_id"]}, {"required": ["network_id"]}]


class MembershipCreate(StrictModel):
    """Exactly one of `centre_id` and `network_id`: who joins the network."""

    model_config = ConfigDict(json_schema_extra=_one_member_schema)
    __omittable__ = ("centre_id", "network_id", "starts_on")

    centre_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    role: MembershipRole = "member"
    starts_on: date | None = None
    ends_on: date | None = None

    @model_validator(mode="after")
    def _one_member(self) -> MembershipCreate:
        if (self.centre_id is None) == (self.network_id is None):
            raise ValueError("give exactly one of centre_id and network_id")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class MembershipRead(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    centre_id: uuid.UUID | None
    member_network_id: uuid.UUID | None
    role: str
    starts_on: date
    ends_on: date | None


class ParentRead(BaseModel):
    network_id: uuid.UUID
    role: str
    starts_on: date
    ends_on: date | None


class NetworkRead(BaseModel):
    id: uuid.UUID
    name: dict[str, str]
    name_text: str
    description: dict[str, str] | None
    description_text: str | None
    kind: str
    country: str | None
    website: str | None
    member_of: list[ParentRead]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_row(cls, row: Any, languages: list[str]) -> NetworkRead:
        return cls(
            id=row.id,
            name=row.name,
            name_text=pick(row.name, languages) or "",
            description=row.description,
            description_text=pick(row.description, languages),
            kind=row.kind,
            country=row.country,
            website=row.website,
            member_of=[ParentRead(**p) for p in row.member_of],
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )


class NetworkPage(BaseModel):
    items: list[NetworkRead]
    next_cursor: str | None = None


class MembershipPage(BaseModel):
    items: list[MembershipRead]
    next_cursor: str | None = None
