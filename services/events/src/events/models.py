"""The events service's tables.

Seat and waitlist counters live on the event row, guarded by CHECK constraints: whatever the
code does, PostgreSQL refuses a transaction that would oversell an event.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import new_id, utcnow
from shared.db import service_metadata
from shared.outbox import include_integration_tables

# Registrations in these states hold a seat; `waitlisted` holds a waitlist place.
SEAT_HOLDING = ("pending_approval", "confirmed", "offered", "attended", "no_show")
ACTIVE = (*SEAT_HOLDING, "waitlisted")


class Base(DeclarativeBase):
    metadata = service_metadata()


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Event(Timestamped, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="dates"),
        CheckConstraint("capacity >= 0 AND waitlist_capacity >= 0", name="capacities"),
        CheckConstraint("seats_taken BETWEEN 0 AND capacity", name="no_oversell"),
        CheckConstraint("waitlist_count BETWEEN 0 AND waitlist_capacity", name="waitlist_limit"),
        CheckConstraint(
            "status IN ('draft', 'scheduled', 'cancelled', 'postponed')", name="status"
        ),
        CheckConstraint(
            "kind IN ('course', 'workshop', 'residential', 'science_fair', 'network_meeting', "
            "'webinar', 'seminar')",
            name="kind",
        ),
        CheckConstraint("delivery_mode IN ('face_to_face', 'online', 'blended')", name="mode"),
        CheckConstraint("registration_closes_at > registration_opens_at", name="window"),
        Index("ix_events_host_starts", "host_centre_id", "starts_at"),
        Index("ix_events_starts_at_id", "starts_at", "id"),
        Index("ix_events_country_region", "country", "region"),
        Index("ix_events_subjects", "subjects", postgresql_using="gin"),
        Index("ix_events_languages", "languages", postgresql_using="gin"),
        Index("ix_events_co_hosts", "co_host_centre_ids", postgresql_using="gin"),
        Index(
            "ix_events_go_no_go_due",
            "go_no_go_at",
            postgresql_where=text("status = 'scheduled' AND go_no_go_decided_at IS NULL"),
        ),
        Index("ix_events_updated_at_id", "updated_at", "id"),
        UniqueConstraint("data_source", "origin_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    course_key: Mapped[str | None] = mapped_column(String(100))
    """Runs of the same course share a key (e.g. the course's code at the host centre)."""
    host_centre_id: Mapped[uuid.UUID]
    co_host_centre_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), server_default="{}")
    title: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    description: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    kind: Mapped[str] = mapped_column(String(20), default="course")
    delivery_mode: Mapped[str] = mapped_column(String(20), default="face_to_face")
    venue: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    online_url: Mapped[str | None] = mapped_column(Text)
    # A snapshot of where the host centre is, for regional feeds and "near" searches.
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(5))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(12)), server_default="{}")
    audiences: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registration_opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registration_closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    capacity: Mapped[int]
    waitlist_capacity: Mapped[int] = mapped_column(default=0)
    min_participants: Mapped[int | None]
    go_no_go_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    go_no_go_decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    offer_hold_hours: Mapped[int] = mapped_column(default=48)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    status_reason: Mapped[str | None] = mapped_column(Text)
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlist_count: Mapped[int] = mapped_column(default=0, server_default="0")
    next_waitlist_position: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set when the event came from a national network's system by bulk import.
    data_source: Mapped[str | None] = mapped_column(String(64))
    origin_id: Mapped[str | None] = mapped_column(String(200))


class Session(Base):
    """One meeting of an event; attendance and CPD hours are per session."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="dates"),
        CheckConstraint("cpd_hours >= 0 AND cpd_hours <= 24", name="hours"),
        Index("ix_sessions_event_id_starts_at", "event_id", "starts_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    title: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending_approval', 'confirmed', 'waitlisted', 'offered', 'cancelled', "
            "'rejected', 'attended', 'no_show')",
            name="status",
        ),
        CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="queue"),
        CheckConstraint("(status = 'offered') = (offer_expires_at IS NOT NULL)", name="offer"),
        # One live registration per teacher and event: a retry cannot take a second seat.
        Index(
            "uq_registrations_live_teacher",
            "event_id",
            "teacher_id",
            unique=True,
            postgresql_where=text("status NOT IN ('cancelled', 'rejected')"),
        ),
        Index(
            "ix_registrations_waitlist",
            "event_id",
            "waitlist_position",
            postgresql_where=text("status = 'waitlisted'"),
        ),
        Index(
            "ix_registrations_offers_due",
            "offer_expires_at",
            postgresql_where=text("status = 'offered'"),
        ),
        Index("ix_registrations_teacher_id", "teacher_id"),
        Index("ix_registrations_group_id", "group_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    teacher_id: Mapped[str] = mapped_column(String(200))
    """The teacher's identity: the `sub` of their token."""
    registered_by: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[uuid.UUID | None]
    """Set for a school team registered together (all or nothing)."""
    school: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    waitlist_position: Mapped[int | None]
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_reason: Mapped[str | None] = mapped_column(Text)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        CheckConstraint("status IN ('present', 'partial', 'excused', 'absent')", name="status"),
        CheckConstraint("(status = 'partial') = (minutes IS NOT NULL)", name="minutes"),
        CheckConstraint("credited_hours >= 0", name="hours"),
    )

    registration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int | None]
    credited_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerEntry(Base):
    """CPD hours credited to a teacher or educator, from attendance or from other services."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("source", "source_key"),
        CheckConstraint("hours >= 0 AND hours <= 1000", name="hours"),
        Index("ix_ledger_entries_teacher_id_occurred_on", "teacher_id", "occurred_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    teacher_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))
    """`attendance`, or the posting service (e.g. `exchange`)."""
    source_key: Mapped[str] = mapped_column(String(200))
    """Idempotency key within the source: a retried post changes nothing."""
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    centre_id: Mapped[uuid.UUID | None]
    event_id: Mapped[uuid.UUID | None]
    title: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    occurred_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
