"""Webhook subscriptions and their delivery log, one pair of tables in every service."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)

from shared.outbox import integration_metadata

webhook_subscriptions = Table(
    "webhook_subscriptions",
    integration_metadata,
    Column("id", Uuid, primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", ARRAY(Text), nullable=False),
    Column("description", Text, nullable=True),
    Column("secret", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("personal_data", Boolean, nullable=False),
    Column("owner", Text, nullable=False),
    Column("network_id", Uuid, nullable=True),
    Column("after_position", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('active', 'disabled')", name="status"),
    Index("ix_webhook_subscriptions_owner_id", "owner", "id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    integration_metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "subscription_id",
        Uuid,
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", Uuid, ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    UniqueConstraint("subscription_id", "event_id"),
    Index(
        "ix_webhook_deliveries_due",
        "next_attempt_at",
        postgresql_where=text("status = 'pending'"),
    ),
    Index("ix_webhook_deliveries_event_id", "event_id"),
)


def upgrade_webhooks_v1() -> None:
    """The webhook tables' first schema, for a service's migration (frozen: changes get a v2)."""
    from alembic import op

    op.create_table(
        "webhook_subscriptions",
        Column("id", Uuid, primary_key=True),
        Column("url", Text, nullable=False),
        Column("event_types", ARRAY(Text), nullable=False),
        Column("description", Text, nullable=True),
        Column("secret", Text, nullable=False),
        Column("status", Text, nullable=False),
        Column("disabled_reason", Text, nullable=True),
        Column("personal_data", Boolean, nullable=False),
        Column("owner", Text, nullable=False),
        Column("network_id", Uuid, nullable=True),
        Column("after_position", BigInteger, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        CheckConstraint("status IN ('active', 'disabled')", name="status"),
    )
    op.create_index("ix_webhook_subscriptions_owner_id", "webhook_subscriptions", ["owner", "id"])
    op.create_table(
        "webhook_deliveries",
        Column("id", Uuid, primary_key=True),
        Column(
            "subscription_id",
            Uuid,
            ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column(
            "event_id", Uuid, ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False
        ),
        Column("status", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", DateTime(timezone=True), nullable=True),
        Column("lease_until", DateTime(timezone=True), nullable=True),
        Column("last_attempt_at", DateTime(timezone=True), nullable=True),
        Column("last_status_code", Integer, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
        UniqueConstraint("subscription_id", "event_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=text("status = 'pending'"),
    )
    op.create_index("ix_webhook_deliveries_event_id", "webhook_deliveries", ["event_id"])


def downgrade_webhooks_v1() -> None:
    from alembic import op

    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
