"""The exchange service's tables.

Two invariants live in PostgreSQL itself, whatever the code does: an offer's `places_taken`
never exceeds its `places` (a CHECK, raised under the offer's row lock), and an educator holds
each calendar day in at most one confirmed exchange (the primary key of `educator_days`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import new_id, utcnow
from shared.db import service_metadata
from shared.outbox import include_integration_tables

OFFER_KINDS = ("job_shadowing", "teaching_assignment", "co_development", "research_visit")
OFFER_STATUSES = ("open", "closed", "cancelled")

APPLICATION_STATUSES = (
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
)
PLACE_HOLDING = ("accepted", "confirmed", "in_progress", "completed", "recognised")
"""An application in these states holds one of the offer's places."""
DAY_HOLDING = ("confirmed", "in_progress", "completed", "recognised")
"""A confirmed exchange: the educator's days are taken."""
ACTIVE = ("submitted", "home_approved", "accepted", "confirmed", "in_progress")
"""Still running; one per educator and offer."""
FINISHED = ("completed", "recognised")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Base(DeclarativeBase):
    metadata = service_metadata()


class Offer(Base):
    """Placements a host centre offers to teacher educators and PhD students."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_quoted(OFFER_KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({_quoted(OFFER_STATUSES)})", name="status"),
        CheckConstraint("window_ends_on >= window_starts_on", name="window"),
        CheckConstraint(
            "min_days >= 1 AND max_days >= min_days "
            "AND max_days <= window_ends_on - window_starts_on + 1",
            name="days",
        ),
        CheckConstraint("places >= 0", name="places"),
        CheckConstraint("places_taken BETWEEN 0 AND places", name="no_oversell"),
        Index("ix_offers_host_centre_id_id", "host_centre_id", "id"),
        Index("ix_offers_window", "window_ends_on", "window_starts_on"),
        Index("ix_offers_subjects", "subjects", postgresql_using="gin"),
        Index("ix_offers_languages", "languages", postgresql_using="gin"),
        Index("ix_offers_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    host_centre_id: Mapped[uuid.UUID]
    # Where the host is, as the directory said when the offer was made (for export and lists).
    host_country: Mapped[str] = mapped_column(String(2))
    host_identifiers: Mapped[dict[str, str]] = mapped_column(JSONB, server_default="{}")
    host_network_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), server_default="{}")
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    description: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(12)), server_default="{}")
    """Languages the placement runs in (not the languages its texts are written in)."""
    methods: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    audiences: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    window_starts_on: Mapped[date] = mapped_column(Date)
    window_ends_on: Mapped[date] = mapped_column(Date)
    min_days: Mapped[int] = mapped_column(Integer, default=1)
    max_days: Mapped[int] = mapped_column(Integer)
    places: Mapped[int] = mapped_column(Integer)
    places_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Application(Base):
    """An educator's application to an offer, and the exchange it becomes."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"status IN ({_quoted(APPLICATION_STATUSES)})", name="status"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint(
            f"holds_place = (status IN ({_quoted(PLACE_HOLDING)}))", name="place_follows_status"
        ),
        CheckConstraint("cpd_hours > 0", name="hours"),
        Index("ix_applications_offer_id_id", "offer_id", "id"),
        Index("ix_applications_educator_id_id", "educator_id", "id"),
        Index("ix_applications_applicant_subject_id", "applicant_subject", "id"),
        Index("ix_applications_home_centre_id_id", "home_centre_id", "id"),
        Index("ix_applications_host_centre_id_id", "host_centre_id", "id"),
        Index("ix_applications_home_network_ids", "home_network_ids", postgresql_using="gin"),
        Index("ix_applications_host_network_ids", "host_network_ids", postgresql_using="gin"),
        Index(
            "ix_applications_one_active_per_offer",
            "offer_id",
            "educator_id",
            unique=True,
            postgresql_where=text(f"status IN ({_quoted(ACTIVE)})"),
        ),
        Index(
            "ix_applications_finished_ends_on_id",
            "ends_on",
            "id",
            postgresql_where=text(f"status IN ({_quoted(FINISHED)})"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id", ondelete="RESTRICT"))
    educator_id: Mapped[uuid.UUID]
    educator_kind: Mapped[str] = mapped_column(String(20))
    applicant_subject: Mapped[str] = mapped_column(String(200))
    """The educator's login `sub`: who may act as the applicant, and whose ledger is credited."""
    home_centre_id: Mapped[uuid.UUID]
    home_country: Mapped[str] = mapped_column(String(2))
    home_identifiers: Mapped[dict[str, str]] = mapped_column(JSONB, server_default="{}")
    home_network_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), server_default="{}")
    host_centre_id: Mapped[uuid.UUID]
    host_network_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), server_default="{}")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    motivation: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    work_plan: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    status_reason: Mapped[str | None] = mapped_column(Text)
    holds_place: Mapped[bool] = mapped_column(default=False, server_default="false")
    home_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    host_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agreement: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    """The terms both sides confirmed, as they were; any change to them reopens approval."""
    home_report: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    host_report: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    ledger_entry_id: Mapped[uuid.UUID | None]
    recognised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Transition(Base):
    """One step of an application's history: who did what, when, from which state to which."""

    __tablename__ = "application_transitions"
    __table_args__ = (
        Index("ix_application_transitions_application_id_id", "application_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    side: Mapped[str] = mapped_column(String(12))
    """applicant, home, host or admin: in whose name the actor acted."""
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EducatorDay(Base):
    """A day an educator spends in a confirmed exchange: at most one exchange per day."""

    __tablename__ = "educator_days"
    __table_args__ = (Index("ix_educator_days_application_id", "application_id"),)

    educator_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )


class IdempotentRequest(Base):
    """The first answer to a POST with an `Idempotency-Key`, replayed for retries."""

    __tablename__ = "idempotent_requests"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[Any] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


include_integration_tables(Base.metadata)
