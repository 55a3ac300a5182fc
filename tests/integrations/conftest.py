from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.testing import OpenService, ServiceHarness


@pytest.fixture
async def directory_isolated(open_service: OpenService) -> AsyncIterator[ServiceHarness]:
    async with open_service("directory") as harness:
        yield harness
