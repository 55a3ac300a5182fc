"""REST shapes of centres."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from shared.api_models import StrictModel
from shared.language_maps import LanguageTag, LongText, ShortText, pick
from shared.taxonomy import (
    Audience,
    CountryCode,
    EmailAddress,
    NutsCode,
    PhoneNumber,
    Subject,
    WebAddress,
)

CentreStatus = Literal["active", "inactive", "temporarily_closed"]
MembershipRole = Literal["member", "coordinator", "hub", "partner", "observer"]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class Address(StrictModel):
    street: Annotated[str, StringConstraints(max_length=200)] | None = None
    postcode: Annotated[str, StringConstraints(max_length=20)] | None = None
    locality: Annotated[str, StringConstraints(max_length=100)] | None = None


class Identifier(StrictModel):
    scheme: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$")] = Field(
        description="e.g. `erasmus_oid`, `pic`, `national`.", examples=["erasmus_oid"]
    )
    value: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Location(StrictModel):
    lat: Latitude
    lon: Longitude


class PublicContact(StrictModel):
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None


class MembershipIn(StrictModel):
    network_id: uuid.UUID
    role: MembershipRole = "member"
    starts_on: date | None = None


class CentreFields(StrictModel):
    description: LongText | None = None
    region: NutsCode | None = None
    address: Address | None = None
    location: Location | None = None
    website: WebAddress | None = None
    public_contact: PublicContact | None = None
    subjects: list[Subject] = Field(default_factory=list, max_length=20)
    audiences: list[Audience] = Field(default_factory=list, max_length=4)
    languages: list[LanguageTag] = Field(
        default_factory=list, max_length=30, description="Languages courses are offered in."
    )
    identifiers: list[Identifier] = Field(default_factory=list, max_length=20)
    status: CentreStatus = "active"


class CentreCreate(CentreFields):
    name: ShortText
    country: CountryCode
    data_source: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{1,64}$")] | None = None
    origin_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    networks: list[MembershipIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _source_and_origin_together(self) -> CentreCreate:
        if (self.data_source is None) != (self.origin_id is None):
            raise ValueError("data_source and origin_id are given together or not at all")
        return self


class CentreUpdate(StrictModel):
    """Only the fields present are changed; `null` clears an optional field."""

    name: ShortText | None = None
    description: LongText | None = None
    country: CountryCode | None = None
    region: NutsCode | None = None
    address: Address | None = None
    location: Location | None = None
    website: WebAddress | None = None
    public_contact: PublicContact | None = None
    subjects: list[Subject] | None = Field(default=None, max_length=20)
    audiences: list[Audience] | None = Field(default=None, max_length=4)
    languages: list[LanguageTag] | None = Field(default=None, max_length=30)
    identifiers: list[Identifier] | None = Field(default=None, max_length=20)
    status: CentreStatus | None = None

    __omittable__ = (
        "name",
        "country",
        "status",
        "subjects",
        "audiences",
        "languages",
        "identifiers",
    )


class MembershipRead(BaseModel):
    network_id: uuid.UUID
    role: str
    starts_on: date
    ends_on: date | None


class LabelSummary(BaseModel):
    id: uuid.UUID
    scheme: str
    valid_from: date
    valid_to: date | None


class CentreRead(BaseModel):
    id: uuid.UUID
    name: dict[str, str]
    name_text: str = Field(description="`name` in the best language for the caller.")
    description: dict[str, str] | None
    description_text: str | None
    country: str
    region: str | None
    address: Address | None
    location: Location | None
    website: str | None
    public_contact: PublicContact | None
    subjects: list[str]
    audiences: list[str]
    languages: list[str]
    identifiers: list[Identifier]
    status: str
    networks: list[MembershipRead] = Field(description="Current memberships.")
    labels: list[LabelSummary] = Field(description="Quality labels valid today.")
    data_source: str | None
    origin_id: str | None
    distance_km: float | None = Field(None, description="Only in `near` searches.")
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_row(cls, row: Any, languages: list[str]) -> CentreRead:
        location = None if row.lat is None else Location(lat=row.lat, lon=row.lon)
        contact = None
        if row.public_email or row.public_phone:
            contact = PublicContact(email=row.public_email, phone=row.public_phone)
        distance = row._mapping.get("distance_km")
        return cls(
            id=row.id,
            name=row.name,
            name_text=pick(row.name, languages) or "",
            description=row.description,
            description_text=pick(row.description, languages),
            country=row.country,
            region=row.region,
            address=Address(**row.address) if row.address else None,
            location=location,
            website=row.website,
            public_contact=contact,
            subjects=row.subjects,
            audiences=row.audiences,
            languages=row.languages,
            identifiers=[Identifier(**i) for i in row.identifiers],
            status=row.status,
            networks=[MembershipRead(**m) for m in row.memberships],
            labels=[LabelSummary(**label) for label in row.labels],
            data_source=row.data_source,
            origin_id=row.origin_id,
            distance_km=None if distance is None else round(distance, 3),
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )


class CentrePage(BaseModel):
    items: list[CentreRead]
    next_cursor: str | None = Field(None, description="Pass as `after` for the next page.")
