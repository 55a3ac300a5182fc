"""REST shapes of events and sessions."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from shared.api_models import Instant, StrictModel
from shared.language_maps import LanguageTag, LongText, ShortText, pick
from shared.taxonomy import Audience, Subject, WebAddress

EventKind = Literal[
    "course", "workshop", "residential", "science_fair", "network_meeting", "webinar", "seminar"
]
DeliveryMode = Literal["face_to_face", "online", "blended"]
EventStatus = Literal["draft", "scheduled", "cancelled", "postponed"]
MAX_EVENT_LENGTH = timedelta(days=400)


class Venue(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    street: Annotated[str, StringConstraints(max_length=200)] | None = None
    postcode: Annotated[str, StringConstraints(max_length=20)] | None = None
    locality: Annotated[str, StringConstraints(max_length=100)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class SessionIn(StrictModel):
    starts_at: Instant
    ends_at: Instant
    cpd_hours: Annotated[Decimal, Field(ge=0, le=24, max_digits=5, decimal_places=2)]
    title: ShortText | None = None


class EventCreate(StrictModel):
    host_centre_id: uuid.UUID
    co_host_centre_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)
    course_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")] | None = (
        Field(None, description="Runs of the same course share a key.")
    )
    title: ShortText
    description: LongText | None = None
    kind: EventKind = "course"
    delivery_mode: DeliveryMode = "face_to_face"
    venue: Venue | None = None
    online_url: WebAddress | None = None
    languages: list[LanguageTag] = Field(
        default_factory=list, max_length=10, description="Languages of instruction."
    )
    audiences: list[Audience] = Field(default_factory=list, max_length=4)
    subjects: list[Subject] = Field(default_factory=list, max_length=20)
    timezone: Annotated[str, StringConstraints(max_length=64)] = Field(
        "UTC", description="IANA time zone of the venue, e.g. Europe/Helsinki."
    )
    starts_at: Instant
    ends_at: Instant
    registration_opens_at: Instant | None = Field(None, description="Default: now.")
    registration_closes_at: Instant | None = Field(None, description="Default: the start.")
    capacity: Annotated[int, Field(ge=0, le=100_000)]
    waitlist_capacity: Annotated[int, Field(ge=0, le=100_000)] = 0
    min_participants: Annotated[int, Field(ge=1, le=100_000)] | None = None
    go_no_go_at: Instant | None = Field(
        None, description="When the event is cancelled if fewer than min_participants are in."
    )
    requires_approval: bool = False
    offer_hold_hours: Annotated[int, Field(ge=1, le=336)] = Field(
        48, description="How long a promoted waitlisted teacher has to accept the place."
    )
    status: Literal["draft", "scheduled"] = "scheduled"
    cpd_hours: Annotated[Decimal, Field(ge=0, le=24, max_digits=5, decimal_places=2)] | None = (
        Field(None, description="CPD hours of the single session made when none are given.")
    )
    sessions: list[SessionIn] = Field(default_factory=list, max_length=200)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EventCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.ends_at - self.starts_at > MAX_EVENT_LENGTH:
            raise ValueError("an event lasts at most 400 days")
        for index, session in enumerate(self.sessions):
            if session.ends_at <= session.starts_at:
                raise ValueError(f"sessions.{index}: ends_at must be after starts_at")
            if session.starts_at < self.starts_at or session.ends_at > self.ends_at:
                raise ValueError(f"sessions.{index}: must lie within the event's dates")
        if self.min_participants is not None and self.min_participants > self.capacity:
            raise ValueError("min_participants exceeds capacity")
        if self.go_no_go_at is not None and self.go_no_go_at >= self.starts_at:
            raise ValueError("go_no_go_at must be before starts_at")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise ValueError("registration_closes_at must be after registration_opens_at")
        if self.sessions and self.cpd_hours is not None:
            raise ValueError("give cpd_hours per session, or cpd_hours without sessions")
        return self


class EventUpdate(StrictModel):
    """Only the fields present change. Dates and sessions are fixed once published."""

    __omittable__ = (
        "title",
        "kind",
        "delivery_mode",
        "languages",
        "audiences",
        "subjects",
        "capacity",
        "waitlist_capacity",
        "requires_approval",
        "status",
    )

    title: ShortText | None = None
    description: LongText | None = None
    kind: EventKind | None = None
    delivery_mode: DeliveryMode | None = None
    venue: Venue | None = None
    online_url: WebAddress | None = None
    languages: list[LanguageTag] | None = Field(None, max_length=10)
    audiences: list[Audience] | None = Field(None, max_length=4)
    subjects: list[Subject] | None = Field(None, max_length=20)
    capacity: Annotated[int, Field(ge=0, le=100_000)] | None = None
    waitlist_capacity: Annotated[int, Field(ge=0, le=100_000)] | None = None
    requires_approval: bool | None = None
    status: Literal["draft", "scheduled", "postponed"] | None = None


class EventCancel(StrictModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class SessionRead(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    cpd_hours: Decimal
    title: dict[str, str] | None


class EventRead(BaseModel):
    id: uuid.UUID
    course_key: str | None
    host_centre_id: uuid.UUID
    co_host_centre_ids: list[uuid.UUID]
    title: dict[str, str]
    title_text: str
    description: dict[str, str] | None
    description_text: str | None
    kind: str
    delivery_mode: str
    venue: dict[str, Any] | None
    online_url: str | None
    country: str | None
    region: str | None
    languages: list[str]
    audiences: list[str]
    subjects: list[str]
    timezone: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime
    capacity: int
    waitlist_capacity: int
    seats_available: int
    waitlist_available: int
    min_participants: int | None
    go_no_go_at: datetime | None
    requires_approval: bool
    offer_hold_hours: int
    status: str
    status_reason: str | None
    total_cpd_hours: Decimal
    sessions: list[SessionRead]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def build(cls, event: Any, sessions: list[Any], languages: list[str]) -> EventRead:
        return cls(
            id=event.id,
            course_key=event.course_key,
            host_centre_id=event.host_centre_id,
            co_host_centre_ids=event.co_host_centre_ids,
            title=event.title,
            title_text=pick(event.title, languages) or "",
            description=event.description,
            description_text=pick(event.description, languages),
            kind=event.kind,
            delivery_mode=event.delivery_mode,
            venue=event.venue,
            online_url=event.online_url,
            country=event.country,
            region=event.region,
            languages=event.languages,
            audiences=event.audiences,
            subjects=event.subjects,
            timezone=event.timezone,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            registration_opens_at=event.registration_opens_at,
            registration_closes_at=event.registration_closes_at,
            capacity=event.capacity,
            waitlist_capacity=event.waitlist_capacity,
            seats_available=max(event.capacity - event.seats_taken, 0),
            waitlist_available=max(event.waitlist_capacity - event.waitlist_count, 0),
            min_participants=event.min_participants,
            go_no_go_at=event.go_no_go_at,
            requires_approval=event.requires_approval,
            offer_hold_hours=event.offer_hold_hours,
            status=event.status,
            status_reason=event.status_reason,
            total_cpd_hours=sum((s.cpd_hours for s in sessions), Decimal(0)),
            sessions=[SessionRead.model_validate(s, from_attributes=True) for s in sessions],
            created_at=event.created_at,
            updated_at=event.updated_at,
            version=event.version,
        )


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None = None
