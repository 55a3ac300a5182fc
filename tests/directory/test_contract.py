"""The directory honours its own OpenAPI document, whatever a client sends.

Schemathesis generates requests for every operation from `/openapi.json` — valid ones and
deliberately invalid ones — and checks each response: never a 5xx, a documented status code and
content type, a body that matches the documented schema, and invalid input rejected with a 4xx.
It runs once without a token and once as a platform admin, so the writes are exercised too.

Hypothesis runs in a worker thread and sends each case through the test's own event loop,
because the app's database connection belongs to that loop. Generation is derandomized, so a
failure reproduces on every run; the report carries the curl command of the shrunk case.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from directory.demo.load import demo_id, seed
from directory.models import Membership
from shared.testing import OpenService, ServiceHarness

pytestmark = pytest.mark.slow

BASE_URL = "http://directory.test"
PATH_PARAMETER = re.compile(r"{(\w+)}")
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


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


def _request_kwargs(case: schemathesis.Case, token: str | None) -> dict[str, Any]:
    """Schemathesis serialises for `requests`; httpx takes the same keywords, bytes as content."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    if not kwargs.get("cookies"):
        kwargs.pop("cookies", None)
    if "data" in kwargs and isinstance(kwargs["data"], str | bytes):
        kwargs["content"] = kwargs.pop("data")
    return kwargs


def _fuzz_operation(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    send: Callable[[dict[str, Any]], httpx.Response],
    token: str | None,
    real_ids: dict[str, str],
) -> None:
    """Runs Hypothesis over one operation; raises the (shrunk) failure if a check fails."""
    strategy = operation.as_strategy(generation_mode=mode)
    names = PATH_PARAMETER.findall(operation.path)
    own_ids = {name: real_ids[name] for name in names if name in real_ids}
    if own_ids and mode is GenerationMode.POSITIVE:
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters=own_ids))

    @FUZZ_SETTINGS
    @given(case=strategy)
    def fuzz(case: schemathesis.Case) -> None:
        kwargs = _request_kwargs(case, token)
        response = send(kwargs)
        case.validate_response(response, checks=CHECKS)

    try:
        fuzz()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # An operation without parameters or body has no invalid input to send.


@pytest.mark.parametrize("role", [None, "platform_admin"], ids=["anonymous", "platform_admin"])
async def test_every_operation_honours_the_openapi_contract(
    open_service: OpenService, role: str | None
) -> None:
    async with open_service("directory") as svc:
        real_ids = await _real_ids(svc)
        token = svc.token(role, sub="contract-fuzzer") if role else None
        client = svc.client()
        document = (await client.get("/openapi.json")).json()
        schema = schemathesis.openapi.from_dict(document)
        loop = asyncio.get_running_loop()

        def send(kwargs: dict[str, Any]) -> httpx.Response:
            request = client.request(**kwargs)
            return asyncio.run_coroutine_threadsafe(request, loop).result(timeout=30)

        failures: list[str] = []
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                failures.append(f"/openapi.json has an unusable operation: {result.err()}")
                continue
            operation = result.ok()
            for mode in GenerationMode:
                try:
                    await asyncio.to_thread(_fuzz_operation, operation, mode, send, token, real_ids)
                except BaseExceptionGroup as exc:  # check failures, one or several
                    failures.append(f"{operation.label} [{mode.value}]\n{exc}")
        if failures:
            pytest.fail("\n\n".join(failures), pytrace=False)
