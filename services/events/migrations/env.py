"""Alembic environment of the events service."""

from alembic import context

from events.models import Base
from shared.migrations import run_alembic

run_alembic(context, Base.metadata, env_prefix="EVENTS_")
