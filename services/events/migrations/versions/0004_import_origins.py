"""Events imported from a national network's system keep their source and origin id.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("data_source", sa.String(64), nullable=True))
    op.add_column("events", sa.Column("origin_id", sa.String(200), nullable=True))
    op.create_unique_constraint(
        "uq_events_data_source_origin_id", "events", ["data_source", "origin_id"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_events_data_source_origin_id", "events", type_="unique")
    op.drop_column("events", "origin_id")
    op.drop_column("events", "data_source")
