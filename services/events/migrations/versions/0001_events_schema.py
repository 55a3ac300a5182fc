"""The events schema: events, sessions, registrations, attendance, the CPD-hours ledger.

Revision ID: 0001
Revises: (none)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("course_key", sa.String(length=100), nullable=True),
        sa.Column("host_centre_id", sa.Uuid(), nullable=False),
        sa.Column(
            "co_host_centre_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False
        ),
        sa.Column(
            "title", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=False
        ),
        sa.Column(
            "description", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=True
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("delivery_mode", sa.String(length=20), nullable=False),
        sa.Column(
            "venue", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=True
        ),
        sa.Column("online_url", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=5), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column(
            "languages", postgresql.ARRAY(sa.String(length=12)), server_default="{}", nullable=False
        ),
        sa.Column(
            "audiences", postgresql.ARRAY(sa.String(length=20)), server_default="{}", nullable=False
        ),
        sa.Column(
            "subjects", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("waitlist_capacity", sa.Integer(), nullable=False),
        sa.Column("min_participants", sa.Integer(), nullable=True),
        sa.Column("go_no_go_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("go_no_go_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("offer_hold_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("seats_taken", sa.Integer(), server_default="0", nullable=False),
        sa.Column("waitlist_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_waitlist_position", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "delivery_mode IN ('face_to_face', 'online', 'blended')", name=op.f("ck_events_mode")
        ),
        sa.CheckConstraint(
            "kind IN ('course', 'workshop', 'residential', 'science_fair', 'network_meeting', 'webinar', 'seminar')",
            name=op.f("ck_events_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'cancelled', 'postponed')",
            name=op.f("ck_events_status"),
        ),
        sa.CheckConstraint(
            "capacity >= 0 AND waitlist_capacity >= 0", name=op.f("ck_events_capacities")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_dates")),
        sa.CheckConstraint(
            "registration_closes_at > registration_opens_at", name=op.f("ck_events_window")
        ),
        sa.CheckConstraint(
            "seats_taken BETWEEN 0 AND capacity", name=op.f("ck_events_no_oversell")
        ),
        sa.CheckConstraint(
            "waitlist_count BETWEEN 0 AND waitlist_capacity", name=op.f("ck_events_waitlist_limit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(
        "ix_events_co_hosts", "events", ["co_host_centre_ids"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_events_country_region", "events", ["country", "region"], unique=False)
    op.create_index(
        "ix_events_go_no_go_due",
        "events",
        ["go_no_go_at"],
        unique=False,
        postgresql_where=sa.text("status = 'scheduled' AND go_no_go_decided_at IS NULL"),
    )
    op.create_index(
        "ix_events_host_starts", "events", ["host_centre_id", "starts_at"], unique=False
    )
    op.create_index(
        "ix_events_languages", "events", ["languages"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_events_starts_at_id", "events", ["starts_at", "id"], unique=False)
    op.create_index(
        "ix_events_subjects", "events", ["subjects"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_events_updated_at_id", "events", ["updated_at", "id"], unique=False)
    op.create_table(
        "idempotent_requests",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "key", name=op.f("pk_idempotent_requests")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("centre_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column(
            "title", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=True
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hours >= 0 AND hours <= 1000", name=op.f("ck_ledger_entries_hours")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "source", "source_key", name=op.f("uq_ledger_entries_source_source_key")
        ),
    )
    op.create_index(
        "ix_ledger_entries_teacher_id_occurred_on",
        "ledger_entries",
        ["teacher_id", "occurred_on"],
        unique=False,
    )
    op.create_table(
        "registrations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.String(length=200), nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("waitlist_position", sa.Integer(), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'offered') = (offer_expires_at IS NOT NULL)",
            name=op.f("ck_registrations_offer"),
        ),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
            name=op.f("ck_registrations_queue"),
        ),
        sa.CheckConstraint(
            "status IN ('pending_approval', 'confirmed', 'waitlisted', 'offered', 'cancelled', 'rejected', 'attended', 'no_show')",
            name=op.f("ck_registrations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_registrations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
    )
    op.create_index("ix_registrations_group_id", "registrations", ["group_id"], unique=False)
    op.create_index(
        "ix_registrations_offers_due",
        "registrations",
        ["offer_expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.create_index("ix_registrations_teacher_id", "registrations", ["teacher_id"], unique=False)
    op.create_index(
        "ix_registrations_waitlist",
        "registrations",
        ["event_id", "waitlist_position"],
        unique=False,
        postgresql_where=sa.text("status = 'waitlisted'"),
    )
    op.create_index(
        "uq_registrations_live_teacher",
        "registrations",
        ["event_id", "teacher_id"],
        unique=True,
        postgresql_where=sa.text("status NOT IN ('cancelled', 'rejected')"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cpd_hours", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column(
            "title", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=True
        ),
        sa.CheckConstraint("cpd_hours >= 0 AND cpd_hours <= 24", name=op.f("ck_sessions_hours")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_sessions_dates")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_sessions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(
        "ix_sessions_event_id_starts_at", "sessions", ["event_id", "starts_at"], unique=False
    )
    op.create_table(
        "attendance",
        sa.Column("registration_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("credited_hours", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'partial') = (minutes IS NOT NULL)", name=op.f("ck_attendance_minutes")
        ),
        sa.CheckConstraint(
            "status IN ('present', 'partial', 'excused', 'absent')",
            name=op.f("ck_attendance_status"),
        ),
        sa.CheckConstraint("credited_hours >= 0", name=op.f("ck_attendance_hours")),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_attendance_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_attendance_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", "session_id", name=op.f("pk_attendance")),
    )


def downgrade() -> None:
    op.drop_table("attendance")
    op.drop_index("ix_sessions_event_id_starts_at", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index(
        "uq_registrations_live_teacher",
        table_name="registrations",
        postgresql_where=sa.text("status NOT IN ('cancelled', 'rejected')"),
    )
    op.drop_index(
        "ix_registrations_waitlist",
        table_name="registrations",
        postgresql_where=sa.text("status = 'waitlisted'"),
    )
    op.drop_index("ix_registrations_teacher_id", table_name="registrations")
    op.drop_index(
        "ix_registrations_offers_due",
        table_name="registrations",
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.drop_index("ix_registrations_group_id", table_name="registrations")
    op.drop_table("registrations")
    op.drop_index("ix_ledger_entries_teacher_id_occurred_on", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("idempotent_requests")
    op.drop_index("ix_events_updated_at_id", table_name="events")
    op.drop_index("ix_events_subjects", table_name="events", postgresql_using="gin")
    op.drop_index("ix_events_starts_at_id", table_name="events")
    op.drop_index("ix_events_languages", table_name="events", postgresql_using="gin")
    op.drop_index("ix_events_host_starts", table_name="events")
    op.drop_index(
        "ix_events_go_no_go_due",
        table_name="events",
        postgresql_where=sa.text("status = 'scheduled' AND go_no_go_decided_at IS NULL"),
    )
    op.drop_index("ix_events_country_region", table_name="events")
    op.drop_index("ix_events_co_hosts", table_name="events", postgresql_using="gin")
    op.drop_table("events")
