"""Sends every operation to both gateways, a bounded number at a time, and pairs the answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from tests.gateway.differential.comparison import Outcome
from tests.gateway.differential.gateways import Gateway, Request
from tests.gateway.differential.operations import Operation

CONCURRENCY = 8

TokenFor = Callable[[Operation], str | None]


def request_for(operation: Operation, token: str | None) -> Request:
    headers = dict(operation.headers)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return Request(
        query=operation.query,
        variables=operation.variables,
        operation_name=operation.operation_name,
        headers=headers,
    )


def _at(body: dict[str, Any], path: Sequence[str | int]) -> Any:
    value: Any = body.get("data")
    for step in path:
        value = value[step]
    return value


async def _resolved(operation: Operation, reference: Gateway, token: str | None) -> Operation:
    """Fills a `cursor_from` variable from the reference's answer without it."""
    if operation.cursor_from is None:
        return operation
    first = await reference.send(request_for(operation, token))
    variables = dict(operation.variables or {})
    variables[operation.cursor_from.variable] = _at(first, operation.cursor_from.path)
    return replace(operation, variables=variables, cursor_from=None)


async def compare_all(
    operations: Sequence[Operation],
    reference: Gateway,
    ours: Gateway,
    token_for: TokenFor,
    *,
    concurrency: int = CONCURRENCY,
) -> list[Outcome]:
    """Both gateways get each query at the same moment, a bounded number at a time; then the
    mutations, one at a time, each to the reference and then to ours, so that no read runs
    while the data changes. Answers are kept in the operations' order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(operation: Operation) -> Outcome:
        async with gate:
            token = token_for(operation)
            operation = await _resolved(operation, reference, token)
            request = request_for(operation, token)
            reference_body, our_body = await asyncio.gather(
                reference.send(request), _guarded(ours, request)
            )
            return Outcome(operation, reference_body, our_body)

    async def one_write(operation: Operation) -> Outcome:
        token = token_for(operation)
        request = request_for(operation, token)
        reference_body = await reference.send(request)
        return Outcome(operation, reference_body, await _guarded(ours, request))

    reads = [op for op in operations if not op.is_mutation]
    outcomes = dict(zip(map(id, reads), await asyncio.gather(*map(one, reads)), strict=True))
    for operation in operations:
        if operation.is_mutation:
            outcomes[id(operation)] = await one_write(operation)
    return [outcomes[id(op)] for op in operations]


async def _guarded(gateway: Gateway, request: Request) -> dict[str, Any]:
    """Our gateway failing to answer is a difference to report, not a reason to stop."""
    try:
        return await gateway.send(request)
    except Exception as exc:
        return {"non_json_response": f"no answer: {type(exc).__name__}: {exc}"}
