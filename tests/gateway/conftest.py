"""Fixtures that start live stacks for the gateway's tests: every service on a loopback port
with its demo data, and Apollo's gateway over them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres
from shared.stack import load_stack
from tests.gateway.live_stack import LiveStack, database_name, start_live_stack


@pytest.fixture(scope="session")
async def live_stack(
    embedded_postgres: EmbeddedPostgres,
    dev_issuer: DevIssuer,
    pdnet_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LiveStack]:
    """Started once per run; stopped, and its databases dropped, when the run ends."""
    specs = load_stack(pdnet_root)
    stack = await start_live_stack(
        embedded_postgres,
        specs,
        dev_issuer,
        pdnet_root / "tests" / "peers",
        tmp_path_factory.mktemp("live-stack"),
    )
    try:
        yield stack
    finally:
        stack.stop_all()
        for spec in specs:
            await embedded_postgres.drop_database(database_name(spec.name))
