"""Contract fuzzing: a service honours its own OpenAPI document, whatever a client sends.

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

from shared.testing import ServiceHarness

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


def _request_kwargs(case: schemathesis.Case, token: str | None, base_url: str) -> dict[str, Any]:
    """Schemathesis serialises for `requests`; httpx takes the same keywords, bytes as content."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    kwargs = case.as_transport_kwargs(base_url=base_url, headers=headers)
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
    base_url: str,
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
        kwargs = _request_kwargs(case, token, base_url)
        response = send(kwargs)
        case.validate_response(response, checks=CHECKS)

    try:
        fuzz()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # An operation without parameters or body has no invalid input to send.


async def contract_failures(
    svc: ServiceHarness, *, token: str | None, real_ids: dict[str, str]
) -> list[str]:
    """Every operation fuzzed with valid and invalid input; a description of each failure."""
    client = svc.client()
    base_url = str(client.base_url)
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
                await asyncio.to_thread(
                    _fuzz_operation, operation, mode, send, token, real_ids, base_url
                )
            except BaseExceptionGroup as exc:  # check failures, one or several
                failures.append(f"{operation.label} [{mode.value}]\n{exc}")
    return failures
