"""The events service honours its own OpenAPI document, whatever a client sends (see
tests/contract_fuzzing.py for how)."""

from __future__ import annotations

import pytest

from shared.testing import OpenService
from tests.contract_fuzzing import contract_failures
from tests.events.builders import a_host_centre, an_event, register

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "role", [None, "platform_admin", "teacher"], ids=["anonymous", "platform_admin", "teacher"]
)
async def test_every_operation_honours_the_openapi_contract(
    open_service: OpenService, role: str | None
) -> None:
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
    ):
        host = await a_host_centre(directory)
        event = await an_event(events, host, capacity=50, waitlist_capacity=50)
        _, registration = await register(events, event["id"], "contract-fuzzer")
        real_ids = {
            "event_id": event["id"],
            "registration_id": registration["id"],
            "centre_id": host,
        }
        token = events.token(role, sub="contract-fuzzer") if role else None
        failures = await contract_failures(events, token=token, real_ids=real_ids)
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
