"""Fixtures: the real services on the test database, the directory answering the others."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.testing import OpenService, ServiceHarness

NO_EVENTS = "http://127.0.0.1:9"


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
async def resources(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    peers = {"directory": directory.app, "events": NO_EVENTS}
    async with open_service("resources", peers=peers) as harness:
        yield harness


@pytest.fixture
async def exchange(
    open_service: OpenService, directory: ServiceHarness, events: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    peers = {"directory": directory.app, "events": events.app}
    async with open_service("exchange", peers=peers) as harness:
        yield harness
