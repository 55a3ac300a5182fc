"""REST shapes of transfers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.api_models import StrictModel


class TransferCreate(StrictModel):
    to_centre_id: uuid.UUID = Field(description="The centre that will own the kit.")
    ships_on: date = Field(description="First day in transit.")
    arrives_on: date = Field(description="Last day in transit (inclusive).")
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class TransferRead(BaseModel):
    id: uuid.UUID
    kit_id: uuid.UUID
    from_centre_id: uuid.UUID
    to_centre_id: uuid.UUID
    quantity: int
    ships_on: date
    arrives_on: date
    status: Literal["in_transit", "received", "cancelled"]
    note: str | None
    created_at: datetime
    settled_at: datetime | None


class TransferPage(BaseModel):
    items: list[TransferRead]
    next_cursor: str | None = None
