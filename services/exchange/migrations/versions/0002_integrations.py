"""Integrations: the outbox, webhook subscriptions and deliveries.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from shared.outbox import downgrade_outbox_v1, upgrade_outbox_v1
from shared.webhooks.tables import downgrade_webhooks_v1, upgrade_webhooks_v1

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_outbox_v1()
    upgrade_webhooks_v1()


def downgrade() -> None:
    downgrade_webhooks_v1()
    downgrade_outbox_v1()
