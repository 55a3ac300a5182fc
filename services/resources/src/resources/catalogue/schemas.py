"""REST shapes of kits, their components and items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from shared.api_models import StrictModel
from shared.language_maps import LanguageTag, LongText, ShortText, pick
from shared.taxonomy import Audience, Subject, WebAddress

KitKind = Literal[
    "experiment_kit", "challenge_box", "lab_equipment", "robotics_set", "material_pack", "digital"
]
KitStatus = Literal["active", "retired"]
Condition = Literal["new", "good", "fair", "poor", "damaged"]
Age = Annotated[int, Field(ge=0, le=120)]
Quantity = Annotated[int, Field(ge=0, le=1000)]
Serial = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./:-]{0,59}$")]
KitCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
CourseKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")]
Licence = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,59}$"),
    Field(description="SPDX identifier, e.g. CC-BY-4.0.", examples=["CC-BY-4.0"]),
]


class ComponentIn(StrictModel):
    name: ShortText
    quantity: Annotated[int, Field(ge=1, le=10_000)] = Field(
        1, description="How many one item of the kit holds."
    )
    consumable: bool = Field(False, description="Used up in use; refilled after each loan.")
    stock: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        None, description="Spare consumables on the owner's shelf."
    )
    restock_below: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        None, description="A restock task opens when the spare stock falls below this."
    )


def _check_kit(
    kind: str | None, quantity: int | None, link: str | None, ages: tuple[Any, Any]
) -> None:
    if kind == "digital":
        if link is None:
            raise ValueError("a digital material needs a link")
        if quantity:
            raise ValueError("a digital material has no items to lend: quantity must be 0")
    if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
        raise ValueError("min_age is above max_age")


class KitCreate(StrictModel):
    owner_centre_id: uuid.UUID
    kind: KitKind = "experiment_kit"
    code: KitCode | None = Field(None, description="The owner's short code; serials start with it.")
    name: ShortText
    description: LongText | None = None
    safety_notes: LongText | None = None
    subjects: list[Subject] = Field(default_factory=list, max_length=20)
    audiences: list[Audience] = Field(default_factory=list, max_length=4)
    languages: list[LanguageTag] = Field(
        default_factory=list, max_length=10, description="Languages of the instructions."
    )
    min_age: Age | None = None
    max_age: Age | None = None
    quantity: Quantity = Field(description="How many identical items the pool has (0: digital).")
    serials: list[Serial] | None = Field(
        None, max_length=1000, description="One per item; generated from `code` if left out."
    )
    turnaround_days: Annotated[int, Field(ge=0, le=60)] = Field(
        1, description="Days an item is blocked after each reservation (cleaning, shipping)."
    )
    max_renewals: Annotated[int, Field(ge=0, le=10)] = 2
    offer_hold_hours: Annotated[int, Field(ge=1, le=336)] = Field(
        48, description="How long the first in the queue has to accept items that came back."
    )
    requires_course_key: CourseKey | None = Field(
        None, description="Borrowers must have attended a course with this key."
    )
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)
    link: WebAddress | None = None
    licence: Licence | None = None

    @model_validator(mode="after")
    def _consistent(self) -> KitCreate:
        _check_kit(self.kind, self.quantity, self.link, (self.min_age, self.max_age))
        if self.kind != "digital" and self.quantity < 1:
            raise ValueError("a kit to lend needs at least one item (quantity >= 1)")
        if self.serials is not None:
            if len(self.serials) != self.quantity:
                raise ValueError("give exactly one serial per item (as many as quantity)")
            if len(set(self.serials)) != len(self.serials):
                raise ValueError("serials repeat")
        return self


class KitUpdate(StrictModel):
    """Only the fields present change. `components` replaces the whole list."""

    __omittable__ = (
        "name",
        "subjects",
        "audiences",
        "languages",
        "quantity",
        "turnaround_days",
        "max_renewals",
        "offer_hold_hours",
        "components",
        "status",
    )

    name: ShortText | None = None
    description: LongText | None = None
    safety_notes: LongText | None = None
    subjects: list[Subject] | None = Field(None, max_length=20)
    audiences: list[Audience] | None = Field(None, max_length=4)
    languages: list[LanguageTag] | None = Field(None, max_length=10)
    min_age: Age | None = None
    max_age: Age | None = None
    quantity: Quantity | None = Field(
        None, description="Grows the pool with new items, or retires the last ones."
    )
    turnaround_days: Annotated[int, Field(ge=0, le=60)] | None = Field(
        None, description="Applies to reservations made from now on."
    )
    max_renewals: Annotated[int, Field(ge=0, le=10)] | None = None
    offer_hold_hours: Annotated[int, Field(ge=1, le=336)] | None = None
    requires_course_key: CourseKey | None = None
    components: list[ComponentIn] | None = Field(None, max_length=100)
    link: WebAddress | None = None
    licence: Licence | None = None
    status: KitStatus | None = None

    @model_validator(mode="after")
    def _ages(self) -> KitUpdate:
        _check_kit(None, None, None, (self.min_age, self.max_age))
        return self


class ComponentRead(BaseModel):
    id: uuid.UUID
    name: dict[str, str]
    name_text: str
    quantity: int
    consumable: bool
    stock: int | None
    restock_below: int | None


class GeoPoint(BaseModel):
    lat: float
    lon: float


class KitRead(BaseModel):
    id: uuid.UUID
    owner_centre_id: uuid.UUID
    kind: KitKind
    code: str | None
    name: dict[str, str]
    name_text: str
    description: dict[str, str] | None
    description_text: str | None
    safety_notes: dict[str, str] | None
    safety_notes_text: str | None
    subjects: list[str]
    audiences: list[str]
    languages: list[str]
    min_age: int | None
    max_age: int | None
    quantity: int
    turnaround_days: int
    max_renewals: int
    offer_hold_hours: int
    requires_course_key: str | None
    reservable: bool = Field(description="Digital materials and retired kits are not.")
    link: str | None
    licence: str | None
    status: KitStatus
    country: str | None
    region: str | None
    location: GeoPoint | None = Field(description="Where the owning centre is.")
    components: list[ComponentRead]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def build(cls, kit: Any, components: list[Any], languages: list[str]) -> KitRead:
        return cls(
            **{name: getattr(kit, name) for name in _COPIED},
            name_text=pick(kit.name, languages) or "",
            description_text=pick(kit.description, languages),
            safety_notes_text=pick(kit.safety_notes, languages),
            reservable=kit.kind != "digital" and kit.status == "active",
            location=None if kit.lat is None else GeoPoint(lat=kit.lat, lon=kit.lon),
            components=[
                ComponentRead(
                    id=c.id,
                    name=c.name,
                    name_text=pick(c.name, languages) or "",
                    quantity=c.quantity,
                    consumable=c.consumable,
                    stock=c.stock,
                    restock_below=c.restock_below,
                )
                for c in components
            ],
        )


_COPIED = [
    name
    for name in KitRead.model_fields
    if name not in {"name_text", "description_text", "safety_notes_text", "reservable"}
    and name not in {"location", "components"}
]


class KitPage(BaseModel):
    items: list[KitRead]
    next_cursor: str | None = None


class ItemRead(BaseModel):
    id: uuid.UUID
    serial: str
    condition: Condition
    status: Literal["in_service", "retired"]
    notes: str | None
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemRead]
    next_cursor: str | None = None


class ItemUpdate(StrictModel):
    __omittable__ = ("condition",)

    condition: Condition | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
