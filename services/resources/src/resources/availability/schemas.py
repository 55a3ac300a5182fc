"""REST shapes of availability, blackouts and maintenance holds."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.api_models import StrictModel

Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class DayRead(BaseModel):
    day: date
    capacity: int = Field(description="Items in the pool.")
    reserved: int = Field(description="Out with borrowers (or reserved for them).")
    turnaround: int = Field(description="Back, but being cleaned, restocked or shipped.")
    held: int = Field(description="In maintenance.")
    closed: bool = Field(description="A blackout day: nothing is lent out.")
    free: int = Field(description="What a borrower could still have on this day.")


class AvailabilityRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    kit_id: uuid.UUID
    from_: date = Field(alias="from")
    to: date
    quantity: int
    turnaround_days: int
    max_free: int = Field(
        description="The most items one reservation of the whole range could take, "
        "its turnaround days after it included."
    )
    days: list[DayRead]


class BlackoutCreate(StrictModel):
    starts_on: date
    ends_on: date
    reason: Reason | None = None


class BlackoutRead(BaseModel):
    id: uuid.UUID
    kit_id: uuid.UUID
    starts_on: date
    ends_on: date
    reason: str | None
    created_at: datetime


class BlackoutPage(BaseModel):
    items: list[BlackoutRead]
    next_cursor: str | None = None


class MaintenanceCreate(StrictModel):
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    starts_on: date
    ends_on: date
    reason: Reason | None = None


class MaintenanceRead(BaseModel):
    id: uuid.UUID
    kit_id: uuid.UUID
    quantity: int
    starts_on: date
    ends_on: date
    status: Literal["active", "released"]
    reason: str | None
    created_at: datetime


class MaintenancePage(BaseModel):
    items: list[MaintenanceRead]
    next_cursor: str | None = None
