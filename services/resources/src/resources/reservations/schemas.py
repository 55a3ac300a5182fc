"""REST shapes of reservations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.api_models import StrictModel

ReservationStatus = Literal[
    "waiting", "offered", "confirmed", "checked_out", "returned", "cancelled", "expired"
]
BorrowerId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$")]


class ReservationCreate(StrictModel):
    quantity: Annotated[int, Field(ge=1, le=1000)] = Field(1, description="How many items.")
    starts_on: date = Field(description="First day the items are with the borrower.")
    ends_on: date = Field(
        description="Last day (inclusive). The kit's turnaround days follow it; at most 366 days."
    )
    borrower_id: BorrowerId | None = Field(
        None,
        description="Reserve for this teacher (their token subject); the owning centre's "
        "staff only. Default: yourself.",
    )
    event_id: uuid.UUID | None = Field(
        None, description="The event the kit is reserved for, when reserved for a course."
    )
    school: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    wait_if_taken: bool = Field(
        False,
        description="When too few items are free, join the kit's queue (status `waiting`) "
        "instead of a 409; you are offered the items if they come back in time.",
    )


class ReservationRead(BaseModel):
    id: uuid.UUID
    kit_id: uuid.UUID
    quantity: int
    starts_on: date
    ends_on: date
    blocks_until: date = Field(description="The last turnaround day after `ends_on`.")
    status: ReservationStatus
    queue_position: int | None = Field(
        None, description="Place in the kit's queue (1 = next), only while waiting."
    )
    offer_expires_at: datetime | None = Field(
        None, description="While offered: accept before this, or the items pass on."
    )
    borrower_id: str
    reserved_by: str
    event_id: uuid.UUID | None
    school: str | None
    note: str | None
    status_reason: str | None
    created_at: datetime
    updated_at: datetime


class ReservationPage(BaseModel):
    items: list[ReservationRead]
    next_cursor: str | None = None


class DateRange(BaseModel):
    starts_on: date
    ends_on: date
