"""Indexes for "near" searches and per-event registration lists; lat/lon statistics.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A GiST index on the built-in point type answers "within this box" without PostGIS; the
    # query filters with the same `point(lon, lat)` expression so the planner can use it.
    op.execute("CREATE INDEX ix_events_location ON events USING gist (point(lon, lat))")
    # Latitude and longitude are strongly correlated (events cluster in cities); without
    # these statistics the planner underestimates a box's rows by two orders of magnitude.
    op.execute("CREATE STATISTICS st_events_lat_lon (dependencies, mcv) ON lat, lon FROM events")
    op.create_index("ix_registrations_event_id_id", "registrations", ["event_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_registrations_event_id_id", table_name="registrations")
    op.execute("DROP STATISTICS IF EXISTS st_events_lat_lon")
    op.execute("DROP INDEX IF EXISTS ix_events_location")
