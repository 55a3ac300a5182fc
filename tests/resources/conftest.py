from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.testing import OpenService, ServiceHarness


@pytest.fixture
async def directory(open_service: OpenService) -> AsyncIterator[ServiceHarness]:
    async with open_service("directory") as harness:
        yield harness


@pytest.fixture
async def resources(
    open_service: OpenService, directory: ServiceHarness
) -> AsyncIterator[ServiceHarness]:
    """The resources service, asking the (real, in-process) directory about centres."""
    async with open_service("resources", peers={"directory": directory.app}) as harness:
        yield harness
