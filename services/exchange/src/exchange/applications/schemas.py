"""REST shapes of applications, their actions and their history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from exchange.dates import IsoDate
from shared.api_models import StrictModel
from shared.language_maps import LongText

ApplicationStatus = Literal[
    "submitted",
    "home_approved",
    "accepted",
    "confirmed",
    "in_progress",
    "completed",
    "recognised",
    "declined",
    "withdrawn",
    "cancelled",
]
Hours = Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"\S")]
AgreementSide = Literal["home", "host"]
ReportSide = Literal["home", "host"]
HOURS_PER_DAY = Decimal(6)
"""CPD hours credited per day of exchange unless the terms say otherwise."""


def _dates_in_order(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValueError("ends_on is before starts_on")


class ApplicationCreate(StrictModel):
    """The educator applies for themselves; their home centre is the one the directory lists."""

    educator_id: uuid.UUID = Field(description="The applicant's id in the directory.")
    starts_on: IsoDate
    ends_on: IsoDate
    motivation: LongText
    work_plan: LongText | None = Field(None, description="What the educator means to do there.")
    cpd_hours: Hours | None = Field(
        None, description=f"CPD hours credited on recognition; {HOURS_PER_DAY} per day if omitted."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ApplicationCreate:
        _dates_in_order(self.starts_on, self.ends_on)
        return self


class ApplicationAmend(StrictModel):
    """A change of dates or terms. After approval it reopens approval: the application goes
    back to `submitted`, and any place or confirmation it held is given back."""

    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    motivation: LongText | None = None
    work_plan: LongText | None = None
    cpd_hours: Hours | None = None
    reason: Reason | None = Field(None, description="Why; kept in the history.")

    __omittable__ = ("starts_on", "ends_on", "motivation", "cpd_hours")

    @model_validator(mode="after")
    def _ordered(self) -> ApplicationAmend:
        _dates_in_order(self.starts_on, self.ends_on)
        return self


class ActionNote(StrictModel):
    reason: Reason | None = Field(None, description="Kept in the history.")


class ReasonRequired(StrictModel):
    reason: Reason = Field(description="Why; kept in the history and shown to the other side.")


class ConfirmAgreement(StrictModel):
    side: AgreementSide | None = Field(
        None, description="Only needed by someone who manages both centres."
    )


class ExchangeReport(StrictModel):
    report: LongText
    side: ReportSide | None = Field(
        None,
        description="`home` (the applicant's or the home centre's report) or `host`; "
        "only needed by someone who may write both.",
    )


class ApplicationRead(BaseModel):
    id: uuid.UUID
    offer_id: uuid.UUID
    educator_id: uuid.UUID
    applicant_subject: str
    home_centre_id: uuid.UUID
    host_centre_id: uuid.UUID
    starts_on: date
    ends_on: date
    days: int
    motivation: dict[str, str]
    work_plan: dict[str, str] | None
    cpd_hours: Decimal
    status: ApplicationStatus
    status_reason: str | None
    next_actions: list[str] = Field(
        description="Actions possible from this status (each only for its party)."
    )
    home_confirmed_at: datetime | None
    host_confirmed_at: datetime | None
    agreement: dict[str, Any] | None = Field(
        description="The terms both sides confirmed (a snapshot)."
    )
    home_report: dict[str, str] | None
    host_report: dict[str, str] | None
    ledger_entry_id: uuid.UUID | None
    recognised_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]
    next_cursor: str | None = None


class TransitionRead(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    actor: str
    side: str
    reason: str | None
    at: datetime


class HistoryRead(BaseModel):
    application_id: uuid.UUID
    items: list[TransitionRead] = Field(description="Oldest first.")


def application_read(row: Any) -> ApplicationRead:
    from exchange.applications.lifecycle import next_steps

    return ApplicationRead(
        id=row.id,
        offer_id=row.offer_id,
        educator_id=row.educator_id,
        applicant_subject=row.applicant_subject,
        home_centre_id=row.home_centre_id,
        host_centre_id=row.host_centre_id,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        days=(row.ends_on - row.starts_on).days + 1,
        motivation=row.motivation,
        work_plan=row.work_plan,
        cpd_hours=row.cpd_hours,
        status=row.status,
        status_reason=row.status_reason,
        next_actions=sorted(next_steps(row.status)),
        home_confirmed_at=row.home_confirmed_at,
        host_confirmed_at=row.host_confirmed_at,
        agreement=row.agreement,
        home_report=row.home_report,
        host_report=row.host_report,
        ledger_entry_id=row.ledger_entry_id,
        recognised_at=row.recognised_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )
