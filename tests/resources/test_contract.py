"""The resources service honours its own OpenAPI document, whatever a client sends (see
tests/contract_fuzzing.py for how)."""

from __future__ import annotations

import pytest

from shared.testing import OpenService, ServiceHarness
from tests.contract_fuzzing import contract_failures
from tests.resources.builders import a_centre, a_kit, day, reserve

pytestmark = pytest.mark.slow


async def _real_ids(directory: ServiceHarness, resources: ServiceHarness) -> dict[str, str]:
    """One of everything the paths name, so the fuzzer reaches past the 404s."""
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=50, turnaround_days=1)
    _, reservation = await reserve(resources, kit["id"], "contract-fuzzer", 3, 5)
    async with resources.as_role("platform_admin") as admin:
        items = (await admin.get(f"/v1/kits/{kit['id']}/items")).json()["items"]
        loan = (await admin.post(f"/v1/reservations/{reservation['id']}/checkout", json={})).json()
        blackout = (
            await admin.post(
                f"/v1/kits/{kit['id']}/blackouts",
                json={"starts_on": day(200), "ends_on": day(201)},
            )
        ).json()
        hold = (
            await admin.post(
                f"/v1/kits/{kit['id']}/maintenance",
                json={"quantity": 1, "starts_on": day(100), "ends_on": day(101)},
            )
        ).json()
        other = await a_centre(directory)
        transfer = (
            await admin.post(
                f"/v1/kits/{kit['id']}/transfers",
                json={"to_centre_id": other, "ships_on": day(300), "arrives_on": day(302)},
            )
        ).json()
    return {
        "kit_id": kit["id"],
        "reservation_id": reservation["id"],
        "loan_id": loan["id"],
        "item_id": items[0]["id"],
        "blackout_id": blackout["id"],
        "hold_id": hold["id"],
        "transfer_id": transfer["id"],
        "centre": owner,
    }


# Anonymous reaches every public read and refusal; a platform admin passes every permission
# check, so the writes (kits, calendars, reservations, loans) are fuzzed to the database.
@pytest.mark.parametrize("role", [None, "platform_admin"], ids=["anonymous", "platform_admin"])
async def test_every_operation_honours_the_openapi_contract(
    open_service: OpenService, role: str | None
) -> None:
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
        open_service(
            "resources", peers={"directory": directory.app, "events": events.app}
        ) as resources,
    ):
        real_ids = await _real_ids(directory, resources)
        token = resources.token(role, sub="contract-fuzzer") if role else None
        failures = await contract_failures(resources, token=token, real_ids=real_ids)
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
