"""REST shapes of attendance, the CPD-hours ledger and credits posted by other services."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, model_validator

from events.registrations.schemas import RegistrationStatus, TeacherId
from shared.api_models import StrictModel
from shared.language_maps import ShortText

AttendanceStatus = Literal["present", "partial", "excused", "absent"]
MAX_RECORDS = 500
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; the API promises ISO 8601 only.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("expected an ISO 8601 date, e.g. 2026-03-01")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class AttendanceRecordIn(StrictModel):
    registration_id: uuid.UUID
    session_id: uuid.UUID
    status: AttendanceStatus
    minutes: Annotated[int, Field(ge=1, le=1440)] | None = Field(
        None, description="Minutes attended; only with `partial`, at most the session's length."
    )

    @model_validator(mode="after")
    def _minutes_only_when_partial(self) -> AttendanceRecordIn:
        if self.status == "partial" and self.minutes is None:
            raise ValueError("minutes is required when status is partial")
        if self.status != "partial" and self.minutes is not None:
            raise ValueError(f"minutes is given only when status is partial, not {self.status}")
        return self


class AttendanceRecording(StrictModel):
    """Recorded all together or not at all; re-recording a session replaces its record."""

    records: list[AttendanceRecordIn] = Field(min_length=1, max_length=MAX_RECORDS)


class AttendanceRead(BaseModel):
    registration_id: uuid.UUID
    session_id: uuid.UUID
    teacher_id: str
    status: AttendanceStatus
    minutes: int | None
    credited_hours: Decimal
    recorded_by: str
    recorded_at: datetime


class RegistrationOutcome(BaseModel):
    id: uuid.UUID
    status: RegistrationStatus


class AttendanceRecorded(BaseModel):
    records: list[AttendanceRead]
    registrations: list[RegistrationOutcome] = Field(
        description="The status of every registration touched, derived from all its records."
    )


class AttendancePage(BaseModel):
    items: list[AttendanceRead]
    next_cursor: str | None = None


class LedgerEntryRead(BaseModel):
    id: uuid.UUID
    teacher_id: str
    source: str
    source_key: str
    hours: Decimal
    centre_id: uuid.UUID | None
    event_id: uuid.UUID | None
    title: dict[str, str] | None
    title_text: str | None
    occurred_on: date
    created_at: datetime


class CentreTotal(BaseModel):
    centre_id: uuid.UUID | None = Field(description="Null for credits not tied to a centre.")
    hours: Decimal


class LedgerRead(BaseModel):
    teacher_id: str
    total_hours: Decimal = Field(description="Over all entries, not only this page.")
    goal_hours: Decimal
    progress: float = Field(ge=0, le=1, description="total_hours / goal_hours, at most 1.")
    remaining_hours: Decimal
    by_centre: list[CentreTotal]
    entries: list[LedgerEntryRead] = Field(description="Most recent first; keyset-paged.")
    next_cursor: str | None = None


Source = Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]


class CreditCreate(StrictModel):
    """Hours earned elsewhere (an exchange, a summer school). Retried posts change nothing."""

    teacher_id: TeacherId
    hours: Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2)]
    source: Source = Field(description="The posting service, e.g. `exchange`.")
    source_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Unique within the source; a retry sends the same key and body."
    )
    title: ShortText
    centre_id: uuid.UUID | None = None
    occurred_on: IsoDate

    @model_validator(mode="after")
    def _not_attendance(self) -> CreditCreate:
        # Attendance entries are computed here from session records; nobody may forge one.
        if self.source == "attendance":
            raise ValueError("source 'attendance' is reserved for recorded attendance")
        return self
