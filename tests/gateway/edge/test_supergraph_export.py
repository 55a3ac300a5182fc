"""`pdnet supergraph` prints the supergraph of the running subgraphs, national ones included,
in a form Apollo's own gateway loads; `--gateway` prints what a running gateway serves."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from shared.node_peers import ensure_peers_installed, node_executable
from shared.testing import ServiceHarness
from tests.gateway.edge.conftest import OpenGateway
from tests.gateway.edge.loopback import serving
from tests.gateway.edge.national_subgraph import NationalSubgraph


async def _run(command: list[str], *, env: dict[str, str], stdin: bytes = b"") -> bytes:
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=120)
    assert process.returncode == 0, err.decode()
    return out


async def _apollo_api_schema(peers: Path, supergraph: str) -> dict[str, str | None]:
    """The API schema Apollo's gateway serves for the supergraph, or why it would not load."""
    await asyncio.to_thread(ensure_peers_installed, peers)
    cases = {"cases": [{"id": "exported", "subgraphs": None, "supergraphSdl": supergraph}]}
    out = await _run(
        [str(node_executable()), str(peers / "api-schema.mjs")],
        env=dict(os.environ),
        stdin=json.dumps(cases).encode(),
    )
    given: dict[str, str | None] = json.loads(out)["results"][0]["given"]
    return given


async def test_the_exported_supergraph_includes_national_subgraphs_and_loads_in_apollo(
    stack: dict[str, ServiceHarness], open_gateway: OpenGateway, pdnet_root: Path
) -> None:
    async with AsyncExitStack() as running:
        # The CLI reaches subgraphs over sockets, as it would reach a running stack.
        urls = {
            name: await running.enter_async_context(serving(svc.app)) for name, svc in stack.items()
        }
        national = await running.enter_async_context(serving(NationalSubgraph()))
        env = {
            **os.environ,
            "PDNET_ROOT": str(pdnet_root),
            "GATEWAY_SERVICE_URLS": json.dumps(urls),
            "GATEWAY_SUBGRAPHS": json.dumps({"luma": f"{national}/graphql"}),
        }
        exported = await _run([sys.executable, "-m", "pdnet_cli", "supergraph"], env=env)
        gateway = await running.enter_async_context(
            open_gateway(subgraphs={"luma": f"{national}/graphql"})
        )
        gateway_url = await running.enter_async_context(serving(gateway.app))
        served = await _run(
            [sys.executable, "-m", "pdnet_cli", "supergraph", "--gateway", gateway_url], env=env
        )
    sdl = exported.decode()
    assert sdl.startswith("schema")
    assert f'@join__graph(name: "luma", url: "{national}/graphql")' in sdl
    assert f'@join__graph(name: "directory", url: "{urls["directory"]}/graphql")' in sdl
    apollo = await _apollo_api_schema(pdnet_root / "tests" / "peers", sdl)
    assert apollo["loadError"] is None
    assert (
        apollo["apiSchema"] is not None and "startProjects: [StartProject!]" in apollo["apiSchema"]
    )
    # What the gateway serves is the same composition, with the gateway's own subgraph URLs.
    assert served.decode().count("@join__graph(") == sdl.count("@join__graph(")
