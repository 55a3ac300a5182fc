"""REST shapes of exchange offers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from exchange.dates import IsoDate, days_between
from shared.api_models import StrictModel
from shared.language_maps import LanguageTag, LongText, ShortText
from shared.taxonomy import Audience, Subject

OfferKind = Literal["job_shadowing", "teaching_assignment", "co_development", "research_visit"]
OfferStatus = Literal["open", "closed", "cancelled"]
Method = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
MAX_WINDOW_DAYS = 731
MAX_DAYS = 366
Days = Annotated[int, Field(ge=1, le=MAX_DAYS)]
Places = Annotated[int, Field(ge=1, le=1000)]


class OfferCreate(StrictModel):
    host_centre_id: uuid.UUID
    kind: OfferKind
    title: ShortText = Field(description="The placement's topic, by language.")
    description: LongText | None = None
    subjects: list[Subject] = Field(default_factory=list, max_length=11)
    languages: list[LanguageTag] = Field(
        default_factory=list, max_length=20, description="Languages the placement runs in."
    )
    methods: list[Method] = Field(default_factory=list, max_length=20, examples=[["inquiry_based"]])
    audiences: list[Audience] = Field(default_factory=list, max_length=4)
    window_starts_on: IsoDate
    window_ends_on: IsoDate
    min_days: Days = 1
    max_days: Days | None = Field(None, description="Defaults to the whole window (at most 366).")
    places: Places

    @model_validator(mode="after")
    def _window_and_days(self) -> OfferCreate:
        check_window(self.window_starts_on, self.window_ends_on, self.min_days, self.max_days)
        return self


def check_window(starts: date, ends: date, min_days: int, max_days: int | None) -> None:
    if ends < starts:
        raise ValueError("window_ends_on is before window_starts_on")
    length = days_between(starts, ends)
    if length > MAX_WINDOW_DAYS:
        raise ValueError(f"the window is longer than {MAX_WINDOW_DAYS} days")
    longest = max_days if max_days is not None else min(length, MAX_DAYS)
    if longest > length:
        raise ValueError(f"max_days ({longest}) is longer than the window ({length} days)")
    if min_days > longest:
        raise ValueError(f"min_days ({min_days}) is more than max_days ({longest})")


class OfferUpdate(StrictModel):
    """Only what is sent changes; an offer with accepted applications keeps at least their
    places."""

    title: ShortText | None = None
    description: LongText | None = None
    subjects: list[Subject] | None = Field(None, max_length=11)
    languages: list[LanguageTag] | None = Field(None, max_length=20)
    methods: list[Method] | None = Field(None, max_length=20)
    audiences: list[Audience] | None = Field(None, max_length=4)
    window_starts_on: IsoDate | None = None
    window_ends_on: IsoDate | None = None
    min_days: Days | None = None
    max_days: Days | None = None
    places: Places | None = None
    status: OfferStatus | None = Field(
        None, description="`closed` takes no new applications; `cancelled` also ends running ones."
    )

    __omittable__ = (
        "title",
        "subjects",
        "languages",
        "methods",
        "audiences",
        "window_starts_on",
        "window_ends_on",
        "min_days",
        "max_days",
        "places",
        "status",
    )


class OfferRead(BaseModel):
    id: uuid.UUID
    host_centre_id: uuid.UUID
    host_country: str
    kind: OfferKind
    title: dict[str, str]
    title_text: str = Field(description="`title` in the best language for the caller.")
    description: dict[str, str] | None
    description_text: str | None
    subjects: list[str]
    languages: list[str]
    methods: list[str]
    audiences: list[str]
    window_starts_on: date
    window_ends_on: date
    min_days: int
    max_days: int
    places: int
    places_left: int
    status: OfferStatus
    created_at: datetime
    updated_at: datetime
    version: int


class OfferPage(BaseModel):
    items: list[OfferRead]
    next_cursor: str | None = None
