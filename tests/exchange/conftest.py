"""Fixtures: the exchange service on the test database, next to the real directory and the
real events service (whose CPD ledger recognition credits)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.testing import OpenService, ServiceHarness


@pytest.fixture
async def directory(open_service: OpenService) -> AsyncIterator[ServiceHarness]:
    async with open_service("directory") as harness:
        yield harness


@pytest.fixture
async def events(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    async with open_service("events", peers={"directory": directory.app}) as harness:
        yield harness


@pytest.fixture
async def exchange(
    open_service: OpenService, directory: ServiceHarness, events: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    """The exchange service, asking the in-process directory about centres and educators and
    crediting the in-process events service's ledger."""
    peers = {"directory": directory.app, "events": events.app}
    async with open_service("exchange", peers=peers) as harness:
        yield harness
