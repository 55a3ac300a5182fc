"""The resources schema: kits, components, items, the day ledger, reservations and their
queue, loans, restock tasks, transfers, watermarks of other services' changes.

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
        "kits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_centre_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column(
            "name", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=False
        ),
        sa.Column(
            "description", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=True
        ),
        sa.Column(
            "safety_notes",
            postgresql.JSONB(none_as_null=True, astext_type=sa.Text()),
            nullable=True,
        ),
        sa.Column(
            "subjects", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column(
            "audiences", postgresql.ARRAY(sa.String(length=20)), server_default="{}", nullable=False
        ),
        sa.Column(
            "languages", postgresql.ARRAY(sa.String(length=12)), server_default="{}", nullable=False
        ),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("turnaround_days", sa.Integer(), nullable=False),
        sa.Column("max_renewals", sa.Integer(), server_default="2", nullable=False),
        sa.Column("offer_hold_hours", sa.Integer(), server_default="48", nullable=False),
        sa.Column("requires_course_key", sa.String(length=100), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("licence", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=5), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
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
            "kind <> 'digital' OR (link IS NOT NULL AND quantity = 0)", name=op.f("ck_kits_digital")
        ),
        sa.CheckConstraint(
            "kind IN ('experiment_kit', 'challenge_box', 'lab_equipment', 'robotics_set', 'material_pack', 'digital')",
            name=op.f("ck_kits_kind"),
        ),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f("ck_kits_status")),
        sa.CheckConstraint("max_renewals BETWEEN 0 AND 10", name=op.f("ck_kits_renewals")),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name=op.f("ck_kits_ages")
        ),
        sa.CheckConstraint("offer_hold_hours BETWEEN 1 AND 336", name=op.f("ck_kits_offer_hold")),
        sa.CheckConstraint("quantity BETWEEN 0 AND 10000", name=op.f("ck_kits_quantity")),
        sa.CheckConstraint("turnaround_days BETWEEN 0 AND 60", name=op.f("ck_kits_turnaround")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kits")),
    )
    op.create_index("ix_kits_lat_lon", "kits", ["lat", "lon"], unique=False)
    op.create_index("ix_kits_owner_centre_id_id", "kits", ["owner_centre_id", "id"], unique=False)
    op.create_index("ix_kits_subjects", "kits", ["subjects"], unique=False, postgresql_using="gin")
    op.create_index("ix_kits_updated_at_id", "kits", ["updated_at", "id"], unique=False)
    op.create_table(
        "watermarks",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_watermarks")),
    )
    op.create_table(
        "blackouts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_on >= starts_on AND ends_on - starts_on < 366", name=op.f("ck_blackouts_dates")
        ),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_blackouts_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blackouts")),
    )
    op.create_index(
        "ix_blackouts_kit_id_starts_on", "blackouts", ["kit_id", "starts_on"], unique=False
    )
    op.create_table(
        "kit_components",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "name", postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), nullable=False
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("consumable", sa.Boolean(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("restock_below", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_kit_components_quantity")),
        sa.CheckConstraint(
            "restock_below IS NULL OR restock_below >= 0", name=op.f("ck_kit_components_threshold")
        ),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name=op.f("ck_kit_components_stock")),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_kit_components_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_components")),
    )
    op.create_index(
        "ix_kit_components_kit_id_position", "kit_components", ["kit_id", "position"], unique=False
    )
    op.create_table(
        "kit_days",
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default="0", nullable=False),
        sa.Column("turnaround", sa.Integer(), server_default="0", nullable=False),
        sa.Column("held", sa.Integer(), server_default="0", nullable=False),
        sa.Column("closures", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("closures = 0 OR reserved = 0", name=op.f("ck_kit_days_closed_days")),
        sa.CheckConstraint(
            "reserved + turnaround + held <= capacity", name=op.f("ck_kit_days_no_overbooking")
        ),
        sa.CheckConstraint(
            "reserved >= 0 AND turnaround >= 0 AND held >= 0 AND closures >= 0",
            name=op.f("ck_kit_days_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_kit_days_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kit_id", "day", name=op.f("pk_kit_days")),
    )
    op.create_table(
        "kit_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("serial", sa.String(length=60), nullable=False),
        sa.Column("condition", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "condition IN ('new', 'good', 'fair', 'poor', 'damaged')",
            name=op.f("ck_kit_items_cond"),
        ),
        sa.CheckConstraint("status IN ('in_service', 'retired')", name=op.f("ck_kit_items_status")),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_kit_items_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_items")),
        sa.UniqueConstraint("kit_id", "serial", name=op.f("uq_kit_items_kit_id_serial")),
    )
    op.create_table(
        "maintenance_holds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'released')", name=op.f("ck_maintenance_holds_status")
        ),
        sa.CheckConstraint(
            "ends_on >= starts_on AND ends_on - starts_on < 366",
            name=op.f("ck_maintenance_holds_dates"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_maintenance_holds_quantity")),
        sa.ForeignKeyConstraint(
            ["kit_id"],
            ["kits.id"],
            name=op.f("fk_maintenance_holds_kit_id_kits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_holds")),
    )
    op.create_index(
        "ix_maintenance_holds_kit_id_starts_on",
        "maintenance_holds",
        ["kit_id", "starts_on"],
        unique=False,
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("blocks_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("borrower_id", sa.String(length=200), nullable=False),
        sa.Column("reserved_by", sa.String(length=200), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'offered') = (offer_expires_at IS NOT NULL)",
            name=op.f("ck_reservations_offer"),
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'confirmed', 'checked_out', 'returned', 'cancelled', 'expired')",
            name=op.f("ck_reservations_status"),
        ),
        sa.CheckConstraint("blocks_until >= ends_on", name=op.f("ck_reservations_buffer")),
        sa.CheckConstraint(
            "ends_on >= starts_on AND ends_on - starts_on < 366", name=op.f("ck_reservations_dates")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservations_quantity")),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_reservations_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index("ix_reservations_borrower_id", "reservations", ["borrower_id"], unique=False)
    op.create_index("ix_reservations_event_id", "reservations", ["event_id"], unique=False)
    op.create_index(
        "ix_reservations_kit_id_starts_on", "reservations", ["kit_id", "starts_on"], unique=False
    )
    op.create_index(
        "ix_reservations_offers_due",
        "reservations",
        ["offer_expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.create_index(
        "ix_reservations_waiting",
        "reservations",
        ["kit_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("from_centre_id", sa.Uuid(), nullable=False),
        sa.Column("to_centre_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("ships_on", sa.Date(), nullable=False),
        sa.Column("arrives_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("to_country", sa.String(length=2), nullable=True),
        sa.Column("to_region", sa.String(length=5), nullable=True),
        sa.Column("to_lat", sa.Double(), nullable=True),
        sa.Column("to_lon", sa.Double(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_by", sa.String(length=200), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('in_transit', 'received', 'cancelled')", name=op.f("ck_transfers_status")
        ),
        sa.CheckConstraint(
            "arrives_on >= ships_on AND arrives_on - ships_on < 366",
            name=op.f("ck_transfers_dates"),
        ),
        sa.CheckConstraint("to_centre_id <> from_centre_id", name=op.f("ck_transfers_elsewhere")),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_transfers_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    op.create_index(
        "uq_transfers_moving_kit",
        "transfers",
        ["kit_id"],
        unique=True,
        postgresql_where=sa.text("status = 'in_transit'"),
    )
    op.create_table(
        "loans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.String(length=200), nullable=False),
        sa.Column("item_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("renewals", sa.Integer(), server_default="0", nullable=False),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_out_by", sa.String(length=200), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.String(length=200), nullable=True),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column(
            "condition_report",
            postgresql.JSONB(none_as_null=True, astext_type=sa.Text()),
            nullable=True,
        ),
        sa.Column(
            "consumables_used",
            postgresql.JSONB(none_as_null=True, astext_type=sa.Text()),
            nullable=True,
        ),
        sa.CheckConstraint("status IN ('out', 'returned')", name=op.f("ck_loans_status")),
        sa.CheckConstraint("renewals >= 0", name=op.f("ck_loans_renewals")),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_loans_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservations.id"],
            name=op.f("fk_loans_reservation_id_reservations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_loans_reservation_id")),
    )
    op.create_index("ix_loans_borrower_id", "loans", ["borrower_id"], unique=False)
    op.create_index("ix_loans_kit_id", "loans", ["kit_id"], unique=False)
    op.create_index(
        "ix_loans_overdue_due",
        "loans",
        ["due_on"],
        unique=False,
        postgresql_where=sa.text("status = 'out'"),
    )
    op.create_table(
        "restock_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("component_id", sa.Uuid(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_restock_tasks_status")),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["kit_components.id"],
            name=op.f("fk_restock_tasks_component_id_kit_components"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kit_id"], ["kits.id"], name=op.f("fk_restock_tasks_kit_id_kits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restock_tasks")),
    )
    op.create_index("ix_restock_tasks_kit_id", "restock_tasks", ["kit_id"], unique=False)
    op.create_index(
        "uq_restock_tasks_open_component",
        "restock_tasks",
        ["component_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_restock_tasks_open_component",
        table_name="restock_tasks",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_restock_tasks_kit_id", table_name="restock_tasks")
    op.drop_table("restock_tasks")
    op.drop_index(
        "ix_loans_overdue_due", table_name="loans", postgresql_where=sa.text("status = 'out'")
    )
    op.drop_index("ix_loans_kit_id", table_name="loans")
    op.drop_index("ix_loans_borrower_id", table_name="loans")
    op.drop_table("loans")
    op.drop_index(
        "uq_transfers_moving_kit",
        table_name="transfers",
        postgresql_where=sa.text("status = 'in_transit'"),
    )
    op.drop_table("transfers")
    op.drop_index(
        "ix_reservations_waiting",
        table_name="reservations",
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.drop_index(
        "ix_reservations_offers_due",
        table_name="reservations",
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.drop_index("ix_reservations_kit_id_starts_on", table_name="reservations")
    op.drop_index("ix_reservations_event_id", table_name="reservations")
    op.drop_index("ix_reservations_borrower_id", table_name="reservations")
    op.drop_table("reservations")
    op.drop_index("ix_maintenance_holds_kit_id_starts_on", table_name="maintenance_holds")
    op.drop_table("maintenance_holds")
    op.drop_table("kit_items")
    op.drop_table("kit_days")
    op.drop_index("ix_kit_components_kit_id_position", table_name="kit_components")
    op.drop_table("kit_components")
    op.drop_index("ix_blackouts_kit_id_starts_on", table_name="blackouts")
    op.drop_table("blackouts")
    op.drop_table("watermarks")
    op.drop_index("ix_kits_updated_at_id", table_name="kits")
    op.drop_index("ix_kits_subjects", table_name="kits", postgresql_using="gin")
    op.drop_index("ix_kits_owner_centre_id_id", table_name="kits")
    op.drop_index("ix_kits_lat_lon", table_name="kits")
    op.drop_table("kits")
    op.drop_table("idempotent_requests")
