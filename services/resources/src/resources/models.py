"""The resources service's tables.

A kit is a pool of identical items. Who has how many of them on which day lives in `kit_days`,
one row per kit and day, whose CHECK constraints make double booking impossible whatever the
code does (see `availability/days.py` for why this and not an exclusion constraint).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
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

KIT_KINDS = (
    "experiment_kit",
    "challenge_box",
    "lab_equipment",
    "robotics_set",
    "material_pack",
    "digital",
)
RESERVATION_STATUSES = (
    *("waiting", "offered", "confirmed", "checked_out"),
    *("returned", "cancelled", "expired"),
)
# Reservations in these states occupy their days in the ledger; `waiting` ones queue for them.
OCCUPYING = ("offered", "confirmed", "checked_out")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


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


class Kit(Timestamped, Base):
    """A catalogue entry: a lendable pool of identical items, or a digital material."""

    __tablename__ = "kits"
    __table_args__ = (
        CheckConstraint(_in("kind", KIT_KINDS), name="kind"),
        CheckConstraint("status IN ('active', 'retired')", name="status"),
        CheckConstraint("quantity BETWEEN 0 AND 10000", name="quantity"),
        CheckConstraint("turnaround_days BETWEEN 0 AND 60", name="turnaround"),
        CheckConstraint("max_renewals BETWEEN 0 AND 10", name="renewals"),
        CheckConstraint("offer_hold_hours BETWEEN 1 AND 336", name="offer_hold"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="ages"),
        # Digital materials are links with a licence; they have no items to lend.
        CheckConstraint("kind <> 'digital' OR (link IS NOT NULL AND quantity = 0)", name="digital"),
        Index("ix_kits_owner_centre_id_id", "owner_centre_id", "id"),
        Index("ix_kits_subjects", "subjects", postgresql_using="gin"),
        Index("ix_kits_lat_lon", "lat", "lon"),
        Index("ix_kits_updated_at_id", "updated_at", "id"),
        UniqueConstraint("data_source", "origin_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    owner_centre_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(40))
    """The owner's short code for the kit; item serials start with it."""
    name: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    description: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    safety_notes: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    audiences: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(12)), server_default="{}")
    """Languages the kit's instructions and worksheets are written in."""
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    quantity: Mapped[int] = mapped_column(default=0)
    """Items in service: the pool reservations draw from."""
    turnaround_days: Mapped[int] = mapped_column(default=0)
    """Days an item is blocked after a reservation ends (cleaning, restocking, shipping)."""
    max_renewals: Mapped[int] = mapped_column(default=2, server_default="2")
    offer_hold_hours: Mapped[int] = mapped_column(default=48, server_default="48")
    """How long the first in the queue has to accept items that came back."""
    requires_course_key: Mapped[str | None] = mapped_column(String(100))
    """Borrowers must have attended a course with this key (checked in the events ledger)."""
    link: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # A snapshot of where the owning centre is, for "near" searches without the directory.
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(5))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # Set when the kit came from a national network's system by bulk import.
    data_source: Mapped[str | None] = mapped_column(String(64))
    origin_id: Mapped[str | None] = mapped_column(String(200))


class KitComponent(Base):
    """What one item of a kit contains; consumables are used up and restocked."""

    __tablename__ = "kit_components"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock"),
        CheckConstraint("restock_below IS NULL OR restock_below >= 0", name="threshold"),
        Index("ix_kit_components_kit_id_position", "kit_id", "position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    quantity: Mapped[int]
    """How many of this component one item of the kit holds."""
    consumable: Mapped[bool] = mapped_column(Boolean, default=False)
    stock: Mapped[int | None]
    """Spare consumables on the owner's shelf, drawn on to refill returned items."""
    restock_below: Mapped[int | None]
    """A restock task opens when `stock` falls below this."""


class KitItem(Base):
    """One physical item of a kit's pool, with its serial and condition."""

    __tablename__ = "kit_items"
    __table_args__ = (
        UniqueConstraint("kit_id", "serial"),
        CheckConstraint("condition IN ('new', 'good', 'fair', 'poor', 'damaged')", name="cond"),
        CheckConstraint("status IN ('in_service', 'retired')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    serial: Mapped[str] = mapped_column(String(60))
    condition: Mapped[str] = mapped_column(String(10), default="good")
    status: Mapped[str] = mapped_column(String(12), default="in_service")
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KitDay(Base):
    """How many items of a kit are taken on one day, and by what. The double-booking guard."""

    __tablename__ = "kit_days"
    __table_args__ = (
        CheckConstraint(
            "reserved >= 0 AND turnaround >= 0 AND held >= 0 AND closures >= 0", name="counts"
        ),
        # The guard: never more items taken on a day than the kit has.
        CheckConstraint("reserved + turnaround + held <= capacity", name="no_overbooking"),
        # Nothing is out with a borrower on a blackout day (turnaround may run over it).
        CheckConstraint("closures = 0 OR reserved = 0", name="closed_days"),
    )

    kit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kits.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    capacity: Mapped[int]
    """The kit's quantity, copied so the CHECK can compare within the row."""
    reserved: Mapped[int] = mapped_column(default=0, server_default="0")
    turnaround: Mapped[int] = mapped_column(default=0, server_default="0")
    held: Mapped[int] = mapped_column(default=0, server_default="0")
    closures: Mapped[int] = mapped_column(default=0, server_default="0")


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("ends_on >= starts_on AND ends_on - starts_on < 366", name="dates"),
        CheckConstraint("blocks_until >= ends_on", name="buffer"),
        CheckConstraint(_in("status", RESERVATION_STATUSES), name="status"),
        CheckConstraint("(status = 'offered') = (offer_expires_at IS NOT NULL)", name="offer"),
        Index("ix_reservations_kit_id_starts_on", "kit_id", "starts_on"),
        # The queue of a kit, in arrival order.
        Index(
            "ix_reservations_waiting",
            "kit_id",
            "created_at",
            "id",
            postgresql_where=text("status = 'waiting'"),
        ),
        Index(
            "ix_reservations_offers_due",
            "offer_expires_at",
            postgresql_where=text("status = 'offered'"),
        ),
        Index("ix_reservations_borrower_id", "borrower_id"),
        Index("ix_reservations_event_id", "event_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    blocks_until: Mapped[date] = mapped_column(Date)
    """`ends_on` plus the kit's turnaround when reserved: what cancelling must give back."""
    status: Mapped[str] = mapped_column(String(12), default="confirmed")
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """While `offered`: accept before this, or the items pass to the next in the queue."""
    borrower_id: Mapped[str] = mapped_column(String(200))
    """The borrower's identity: the `sub` of their token."""
    reserved_by: Mapped[str] = mapped_column(String(200))
    school: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[uuid.UUID | None]
    """Set when an event reserved the kit for its sessions."""
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Blackout(Base):
    """Days a kit is not lent out (the owning centre is closed, stock-taking…)."""

    __tablename__ = "blackouts"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on AND ends_on - starts_on < 366", name="dates"),
        Index("ix_blackouts_kit_id_starts_on", "kit_id", "starts_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MaintenanceHold(Base):
    """Items taken out of the pool for repair or restocking over a date range."""

    __tablename__ = "maintenance_holds"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("ends_on >= starts_on AND ends_on - starts_on < 366", name="dates"),
        CheckConstraint("status IN ('active', 'released')", name="status"),
        Index("ix_maintenance_holds_kit_id_starts_on", "kit_id", "starts_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Loan(Base):
    """Items handed out against a reservation, until they come back."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("status IN ('out', 'returned')", name="status"),
        CheckConstraint("renewals >= 0", name="renewals"),
        Index("ix_loans_overdue_due", "due_on", postgresql_where=text("status = 'out'")),
        Index("ix_loans_borrower_id", "borrower_id"),
        Index("ix_loans_kit_id", "kit_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reservations.id", ondelete="CASCADE"), unique=True
    )
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    borrower_id: Mapped[str] = mapped_column(String(200))
    item_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()))
    status: Mapped[str] = mapped_column(String(10), default="out")
    due_on: Mapped[date] = mapped_column(Date)
    renewals: Mapped[int] = mapped_column(default=0, server_default="0")
    checked_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked_out_by: Mapped[str] = mapped_column(String(200))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by: Mapped[str | None] = mapped_column(String(200))
    overdue_since: Mapped[date | None] = mapped_column(Date)
    """Set by the worker the day after `due_on` passes with the items still out."""
    condition_report: Mapped[Any] = mapped_column(JSONB(none_as_null=True), nullable=True)
    consumables_used: Mapped[Any] = mapped_column(JSONB(none_as_null=True), nullable=True)


class RestockTask(Base):
    """A consumable's spare stock fell below its threshold: someone must buy more."""

    __tablename__ = "restock_tasks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status"),
        # One open task per component: repeated check-ins do not pile up duplicates.
        Index(
            "uq_restock_tasks_open_component",
            "component_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_restock_tasks_kit_id", "kit_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    component_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kit_components.id", ondelete="CASCADE")
    )
    stock: Mapped[int]
    threshold: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Transfer(Base):
    """A kit moving to another centre: its items are held for the days in transit, and the
    receiving centre becomes its owner when it confirms arrival."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("arrives_on >= ships_on AND arrives_on - ships_on < 366", name="dates"),
        CheckConstraint("status IN ('in_transit', 'received', 'cancelled')", name="status"),
        CheckConstraint("to_centre_id <> from_centre_id", name="elsewhere"),
        # One move at a time: a kit cannot be on its way to two places.
        Index(
            "uq_transfers_moving_kit",
            "kit_id",
            unique=True,
            postgresql_where=text("status = 'in_transit'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))
    from_centre_id: Mapped[uuid.UUID]
    to_centre_id: Mapped[uuid.UUID]
    quantity: Mapped[int]
    """Items held in transit (the whole pool when it shipped)."""
    ships_on: Mapped[date] = mapped_column(Date)
    arrives_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="in_transit")
    note: Mapped[str | None] = mapped_column(Text)
    # Where the receiving centre is, as the directory said when the move was arranged.
    to_country: Mapped[str | None] = mapped_column(String(2))
    to_region: Mapped[str | None] = mapped_column(String(5))
    to_lat: Mapped[float | None]
    to_lon: Mapped[float | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settled_by: Mapped[str | None] = mapped_column(String(200))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Watermark(Base):
    """How far this service has read another service's changes (e.g. cancelled events)."""

    __tablename__ = "watermarks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cursor: Mapped[str | None] = mapped_column(Text)
    """Where to go on reading a change feed (`next_cursor`); `at` is when it was read."""


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
