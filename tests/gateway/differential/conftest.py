"""Both gateways on the live stack: Apollo's, and ours on Apollo's supergraph or on its own
composition; tokens minted once per caller."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from functools import cache

import pytest
from graphql import GraphQLSchema, build_client_schema, get_introspection_query

from tests.gateway.differential.gateways import Gateway, HttpGateway, Request, start_our_gateway
from tests.gateway.differential.operations import Operation
from tests.gateway.live_stack import LiveStack


@pytest.fixture(scope="session")
async def apollo(live_stack: LiveStack) -> AsyncIterator[Gateway]:
    gateway = HttpGateway("apollo-gateway", live_stack.apollo.base_url)
    yield gateway
    await gateway.aclose()


@pytest.fixture(scope="session")
async def our_gateways(live_stack: LiveStack) -> AsyncIterator[dict[bool, Gateway | Exception]]:
    """Ours on Apollo's supergraph (False) and on its own composition (True), started at once."""
    started = await asyncio.gather(
        start_our_gateway(live_stack, own_composition=False),
        start_our_gateway(live_stack, own_composition=True),
        return_exceptions=True,
    )
    gateways: dict[bool, Gateway | Exception] = {}
    for own, result in zip((False, True), started, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        gateways[own] = result
    yield gateways
    for gateway in gateways.values():
        if not isinstance(gateway, Exception):
            await gateway.aclose()


def _started(gateway: Gateway | Exception) -> Gateway:
    # Not a skip: until our gateway can start, every comparison fails and says why.
    if isinstance(gateway, Exception):
        pytest.fail(f"our gateway did not start: {type(gateway).__name__}: {gateway}")
    return gateway


@pytest.fixture(scope="session")
def ours(our_gateways: dict[bool, Gateway | Exception]) -> Gateway:
    """Ours on the supergraph Apollo's composition made, the one Apollo's gateway serves."""
    return _started(our_gateways[False])


@pytest.fixture(scope="session")
def ours_own_composition(our_gateways: dict[bool, Gateway | Exception]) -> Gateway:
    """Ours on the supergraph its own composition makes of the same subgraphs."""
    return _started(our_gateways[True])


@pytest.fixture(scope="session")
async def api_schema(apollo: Gateway) -> GraphQLSchema:
    """The API schema as Apollo's gateway introspects it."""
    body = await apollo.send(Request(get_introspection_query(), None, None, {}))
    return build_client_schema(body["data"])


@pytest.fixture(scope="session")
def token_for(live_stack: LiveStack) -> Callable[[Operation], str | None]:
    """The same token for every operation of the same caller, minted once."""

    @cache
    def mint(
        role: str, sub: str | None, centres: tuple[str, ...], networks: tuple[str, ...]
    ) -> str:
        return live_stack.token(role, sub=sub, centres=centres, networks=networks)

    def token(operation: Operation) -> str | None:
        if operation.role is None:
            return None
        return mint(operation.role, operation.sub, operation.centres, operation.networks)

    return token
