"""REST shapes of registrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from shared.api_models import StrictModel

RegistrationStatus = Literal[
    "pending_approval",
    "confirmed",
    "waitlisted",
    "offered",
    "cancelled",
    "rejected",
    "attended",
    "no_show",
]
TeacherId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$")]


class RegistrationCreate(StrictModel):
    """Empty for yourself; `team` registers a school team all together, or none of it."""

    team: list[TeacherId] | None = Field(
        None,
        min_length=1,
        max_length=50,
        description="Teacher ids (token subjects) of the whole team, yourself included if "
        "you attend. All get places, or all wait together, or the request is refused.",
    )
    school: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _distinct(self) -> RegistrationCreate:
        if self.team is not None and len(set(self.team)) != len(self.team):
            raise ValueError("team lists someone twice")
        return self


class Decision(StrictModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


class RegistrationRead(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    teacher_id: str
    registered_by: str
    group_id: uuid.UUID | None
    school: str | None
    status: RegistrationStatus
    waitlist_position: int | None = Field(
        description="Place in the queue (1 = next), only while waitlisted."
    )
    offer_expires_at: datetime | None = Field(description="Accept before this, when offered.")
    requested_at: datetime
    updated_at: datetime
    status_reason: str | None


class RegistrationCreated(RegistrationRead):
    team: list[RegistrationRead] = Field(
        default_factory=list, description="Everyone registered with this request."
    )


class RegistrationPage(BaseModel):
    items: list[RegistrationRead]
    next_cursor: str | None = None
