"""Alembic environment of the exchange service."""

from alembic import context

from exchange.models import Base
from shared.migrations import run_alembic

run_alembic(context, Base.metadata, env_prefix="EXCHANGE_")
