"""GraphiQL at `GET /graphql` renders in a real headless Chromium with no request leaving the
gateway's origin: every script, style and the schema come from the gateway itself."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shared.node_peers import ensure_peers_installed, node_executable
from tests.gateway.edge.conftest import OpenGateway
from tests.gateway.edge.loopback import serving

SCRIPT = Path(__file__).with_name("graphiql_in_browser.mjs")


@pytest.mark.slow
async def test_graphiql_renders_in_chromium_loading_nothing_from_outside_the_gateway(
    open_gateway: OpenGateway, pdnet_root: Path
) -> None:
    peers = pdnet_root / "tests" / "peers"
    await asyncio.to_thread(ensure_peers_installed, peers)
    async with open_gateway() as gateway, serving(gateway.app) as origin:
        browser = await asyncio.create_subprocess_exec(
            str(node_executable()),
            str(SCRIPT),
            str(peers),
            f"{origin}/graphql",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(browser.communicate(), timeout=120)
    assert browser.returncode == 0, err.decode()
    page = json.loads(out)
    assert page["editor"], page
    assert page["title"] == "pdnet GraphQL"
    assert page["failed"] == []
    # data: URLs (inline icons and fonts) are decoded in the page; they are not requests.
    fetched = [u for u in page["requests"] if urlsplit(u).scheme not in ("data", "blob")]
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in fetched}
    assert origins == {origin}, fetched
    # GraphiQL asked the gateway for the schema (an introspection POST) and got it.
    assert page["statuses"][f"POST {origin}/graphql"] == 200
    assert all(status in (200, 304) for status in page["statuses"].values()), page["statuses"]
    loaded = {urlsplit(u).path for u in fetched}
    assert {"/graphql", "/graphiql-assets/graphiql.min.js", "/graphiql-assets/init.js"} <= loaded
