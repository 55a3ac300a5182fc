"""Alembic environment of the directory service."""

from alembic import context

from directory.models import Base
from shared.migrations import run_alembic

run_alembic(context, Base.metadata, env_prefix="DIRECTORY_")
