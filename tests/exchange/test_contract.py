"""The exchange service honours its own OpenAPI document, whatever a client sends (see
tests/contract_fuzzing.py for how)."""

from __future__ import annotations

import pytest

from shared.testing import OpenService
from tests.contract_fuzzing import contract_failures
from tests.exchange.builders import advance, an_exchange, apply

pytestmark = pytest.mark.slow


# Anonymous reaches every public read and refusal; a platform admin is every party, so the
# actions and offer changes are fuzzed to the database.
@pytest.mark.parametrize("role", [None, "platform_admin"], ids=["anonymous", "platform_admin"])
async def test_every_operation_honours_the_openapi_contract(
    open_service: OpenService, role: str | None
) -> None:
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
        open_service(
            "exchange", peers={"directory": directory.app, "events": events.app}
        ) as exchange,
    ):
        world = await an_exchange(exchange, directory, sub="contract-fuzzer")
        application = await apply(world)
        await advance(world, application["id"], "in_progress")
        real_ids = {"offer_id": world.offer["id"], "application_id": application["id"]}
        token = exchange.token(role, sub="contract-fuzzer") if role else None
        failures = await contract_failures(exchange, token=token, real_ids=real_ids)
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
