"""Fixtures: the resources service on the test database, next to the real directory."""

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
async def resources(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    """The resources service, asking the (real, in-process) directory about centres. The events
    service is a closed port here (tests of the couplings start a real one)."""
    peers = {"directory": directory.app, "events": NO_EVENTS}
    async with open_service("resources", peers=peers) as harness:
        yield harness
