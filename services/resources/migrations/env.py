"""Alembic environment of the resources service."""

from alembic import context

from resources.models import Base
from shared.migrations import run_alembic

run_alembic(context, Base.metadata, env_prefix="RESOURCES_")
