"""The directory honours its own OpenAPI document, whatever a client sends (see
tests/contract_fuzzing.py for how)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.demo.load import demo_id, seed
from directory.models import Membership
from shared.testing import OpenService, ServiceHarness
from tests.contract_fuzzing import contract_failures

pytestmark = pytest.mark.slow


async def _real_ids(svc: ServiceHarness) -> dict[str, str]:
    """Path parameters that name demo records, so reads and writes get past the 404."""
    network_id = demo_id("network", "fi-luma")
    async with svc.session() as session:
        await seed(session)
        membership_id = await session.scalar(
            select(Membership.id).where(Membership.network_id == network_id).limit(1)
        )
        await session.commit()
    assert membership_id is not None, "the demo network fi-luma has no members"
    return {
        "network_id": str(network_id),
        "membership_id": str(membership_id),
        "centre_id": str(demo_id("centre", "fi-luma-helsinki")),
        "label_id": str(demo_id("label", "recc-kaernten-2024")),
        "educator_id": str(demo_id("educator", "edu-fi-virtanen")),
    }


@pytest.mark.parametrize("role", [None, "platform_admin"], ids=["anonymous", "platform_admin"])
async def test_every_operation_honours_the_openapi_contract(
    open_service: OpenService, role: str | None
) -> None:
    async with open_service("directory") as svc:
        real_ids = await _real_ids(svc)
        token = svc.token(role, sub="contract-fuzzer") if role else None
        failures = await contract_failures(svc, token=token, real_ids=real_ids)
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
