"""`pdnet supergraph`: the supergraph SDL, for Apollo Router, Hive Gateway or a national gateway.

By default it is composed the way the gateway composes it, from the subgraphs the gateway's
settings name (`GATEWAY_*`: the services of services.toml plus national subgraphs), which must
be running; `--gateway URL` prints what a running gateway serves instead.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from pdnet_cli.errors import CommandError
from pdnet_cli.workspace import Workspace


def _from_gateway(url: str) -> str:
    target = url.rstrip("/") + "/supergraph.graphql"
    try:
        response = httpx.get(target, timeout=10.0)
    except httpx.HTTPError as exc:
        raise CommandError(f"no answer from {target} ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise CommandError(f"{target} answered {response.status_code}: {response.text[:300]}")
    return response.text


async def _composed(workspace: Workspace) -> str:
    from gateway.registry import SupergraphRegistry
    from gateway.settings import GatewaySettings
    from gateway.sources import SourcesError, load_sources
    from shared.logging import configure_logging

    # stdout carries the SDL alone, so that it can be redirected to a file.
    configure_logging(fmt="console", level="WARNING")
    try:
        settings = GatewaySettings()
        sources = load_sources(settings, workspace.root)
    except (SourcesError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    clients = {s.name: httpx.AsyncClient() for s in sources.subgraphs}
    try:
        registry = SupergraphRegistry(
            sources.subgraphs, clients, timeout_s=settings.subgraph_timeout_s
        )
        await registry.refresh()
    finally:
        for client in clients.values():
            await client.aclose()
    unreachable = [f"  {s.name} ({s.url}): {s.error}" for s in registry.states.values() if s.error]
    if unreachable:
        raise CommandError(
            "these subgraphs did not give their SDL (is `./pdnet up` running?):\n"
            + "\n".join(unreachable)
        )
    if registry.current is None:
        issues = "\n".join(f"  {i.code}: {i.message}" for i in registry.issues)
        raise CommandError(f"the subgraphs do not compose:\n{issues}")
    sdl: str = registry.current.sdl
    return sdl


def print_supergraph(workspace: Workspace, gateway_url: str | None) -> int:
    sdl = _from_gateway(gateway_url) if gateway_url else asyncio.run(_composed(workspace))
    sys.stdout.write(sdl if sdl.endswith("\n") else sdl + "\n")
    return 0
