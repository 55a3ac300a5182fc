"""National subgraphs join by configuration alone; the gateway keeps serving through broken
SDL changes and stopped subgraphs, and picks them up again without a restart."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from pathlib import Path
from typing import Any

import httpx

from shared.testing import ServiceHarness
from tests.directory.builders import a_centre
from tests.gateway.edge.conftest import GatewayHarness, OpenGateway
from tests.gateway.edge.loopback import free_port, serving
from tests.gateway.edge.national_subgraph import NationalSubgraph

CENTRE_WITH_PROJECTS = """
query Projects($id: ID!) {
  centre(id: $id) { name startProjects { title pupils } }
  startTheme
}
"""
CENTRE_ONLY = "query Projects($id: ID!) { centre(id: $id) { name startProjects { title pupils } } }"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


async def _projects(
    client: httpx.AsyncClient, centre_id: str, query: str = CENTRE_WITH_PROJECTS
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": {"id": centre_id}})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _status(gateway: GatewayHarness) -> dict[str, Any]:
    async with gateway.client() as client:
        return dict((await client.get("/supergraph")).json())


async def test_a_national_subgraph_in_the_subgraphs_file_extends_centres_through_the_gateway(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness], tmp_path: Path
) -> None:
    centre = await a_centre(stack["directory"], name={"en": "LUMA Centre Helsinki"})
    national = NationalSubgraph()
    async with serving(national) as url:
        listing = tmp_path / "subgraphs.toml"
        listing.write_text(f'[subgraphs.luma]\nurl = "{url}/graphql"\n')
        async with open_gateway(subgraphs_file=listing) as gateway:
            token = gateway.token("teacher")
            caller = gateway.client(
                token, **{"X-Request-ID": "luma-42", "traceparent": TRACEPARENT}
            )
            body = await _projects(caller, centre["id"])
            schema = (await caller.get("/supergraph.graphql")).text
    assert body == {
        "data": {
            "centre": {
                "name": "LUMA Centre Helsinki",
                "startProjects": [{"title": f"StarT at {centre['id'][:8]}", "pupils": 36}],
            },
            "startTheme": "Water",
        }
    }
    assert "join__Graph" in schema and '"luma"' in schema
    # The entity fetch carried the caller's token, request id and trace context.
    fetches = [h for h in national.seen_headers if h.get("x-request-id") == "luma-42"]
    assert fetches, national.seen_headers
    assert fetches[-1]["authorization"] == f"Bearer {token}"
    assert fetches[-1]["traceparent"] == TRACEPARENT


async def test_an_sdl_change_that_does_not_compose_is_reported_while_the_last_good_one_serves(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    centre = await a_centre(stack["directory"])
    national = NationalSubgraph()
    async with serving(national) as url, open_gateway(subgraphs={"luma": f"{url}/graphql"}) as gw:
        served = gw.runtime.registry.current
        assert served is not None
        national.broken = True
        await gw.runtime.refresh()
        broken = await _status(gw)
        async with gw.client() as client:
            ready = await client.get("/readyz")
            still = await _projects(client, centre["id"])
            exported = (await client.get("/supergraph.graphql")).text
        national.broken = False
        await gw.runtime.refresh()
        mended = await _status(gw)
    assert broken["status"] == "degraded"
    assert broken["supergraph"]["sha256"] == served.sha256
    assert broken["issues"], broken
    assert any("luma" in issue["subgraphs"] for issue in broken["issues"]), broken["issues"]
    assert any("Network" in issue["message"] for issue in broken["issues"]), broken["issues"]
    assert ready.status_code == 200
    assert ready.json()["issues"] == broken["issues"]
    assert exported == served.sdl
    assert still["data"]["centre"]["startProjects"][0]["pupils"] == 36
    assert mended["status"] == "ok" and mended["issues"] == []
    # Undoing the change keeps the supergraph that served all along (and its warm caches).
    assert mended["supergraph"] == broken["supergraph"]


async def test_a_stopped_subgraph_that_comes_back_is_used_again_without_a_restart(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    centre = await a_centre(stack["directory"], name={"en": "Tampere centre"})
    national = NationalSubgraph()
    port = free_port()
    first_run = serving(national, port)
    url = await first_run.__aenter__()
    try:
        async with open_gateway(subgraphs={"luma": f"{url}/graphql"}) as gateway:
            client = gateway.client()
            before = await _projects(client, centre["id"], CENTRE_ONLY)
            await first_run.__aexit__(None, None, None)
            during = await _projects(client, centre["id"], CENTRE_ONLY)
            await gateway.runtime.refresh()
            down = await _status(gateway)
            async with serving(national, port):
                after = await _projects(client, centre["id"], CENTRE_ONLY)
                await gateway.runtime.refresh()
                back = await _status(gateway)
    finally:
        await first_run.__aexit__(None, None, None)
    assert before["data"]["centre"]["startProjects"]
    # The directory still answers; only the national field is missing, with an error there.
    assert during["data"]["centre"]["name"] == "Tampere centre"
    assert during["data"]["centre"]["startProjects"] is None
    assert [error["path"] for error in during["errors"]] == [["centre", "startProjects"]]
    luma = next(s for s in down["subgraphs"] if s["name"] == "luma")
    assert luma["reachable"] is False and luma["error"]
    assert down["status"] == "degraded"
    assert after == before
    assert back["status"] == "ok"


async def test_the_gateway_is_not_ready_until_a_subgraph_answers_and_then_serves(
    open_gateway: OpenGateway,
) -> None:
    port = free_port()
    subgraphs = {"luma": f"http://127.0.0.1:{port}/graphql"}
    async with open_gateway(
        include_stack=False, subgraphs=subgraphs, background=True, startup_retry_max_s=0.2
    ) as gateway:
        client = gateway.client()
        not_ready = await client.get("/readyz")
        too_early = await client.post("/graphql", json={"query": "{ startTheme }"})
        async with serving(NationalSubgraph(), port):
            for _ in range(100):
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            answer = await client.post("/graphql", json={"query": "{ startTheme }"})
    assert not_ready.status_code == 503
    assert not_ready.headers["content-type"] == "application/problem+json"
    assert not_ready.json()["subgraphs"][0]["reachable"] is False
    assert too_early.status_code == 503
    assert "retry-after" in too_early.headers
    assert answer.json() == {"data": {"startTheme": "Water"}}


async def test_a_supergraph_file_is_served_as_is(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness], tmp_path: Path
) -> None:
    await a_centre(stack["directory"], name={"en": "Centre from the file"}, country="IT")
    async with open_gateway() as composing, composing.client() as client:
        exported = (await client.get("/supergraph.graphql")).text
    path = tmp_path / "supergraph.graphql"
    path.write_text(exported)
    query = '{ centres(filter: {country: "IT"}) { nodes { name kits { nodes { id } } } } }'
    from_file = open_gateway(include_stack=False, supergraph_file=path)
    async with from_file as gateway, gateway.client() as client:
        served = (await client.get("/supergraph.graphql")).text
        answer = (await client.post("/graphql", json={"query": query})).json()
        status = (await client.get("/supergraph")).json()
    assert served == exported
    assert status["supergraph"]["origin"] == f"file:{path}"
    assert answer == {
        "data": {"centres": {"nodes": [{"name": "Centre from the file", "kits": {"nodes": []}}]}}
    }


async def _until(gateway: GatewayHarness, wanted: str, timeout_s: float = 10.0) -> dict[str, Any]:
    status: dict[str, Any] = {}
    for _ in range(int(timeout_s / 0.1)):
        status = await _status(gateway)
        if status["status"] == wanted:
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"the gateway never became {wanted}: {status}")


async def test_the_gateway_rereads_subgraph_sdls_on_its_own_every_interval(
    open_gateway: OpenGateway,
) -> None:
    national = NationalSubgraph()
    async with serving(national) as url:
        settings = {"subgraphs": {"luma": f"{url}/graphql"}, "refresh_interval_s": 0.2}
        async with open_gateway(background=True, **settings) as gateway:
            first = await _until(gateway, "ok")
            national.broken = True
            broken = await _until(gateway, "degraded")
            national.broken = False
            mended = await _until(gateway, "ok")
    assert broken["supergraph"]["sha256"] == first["supergraph"]["sha256"]
    assert broken["issues"]
    assert mended["issues"] == []


class _Http10Subgraph(http.server.BaseHTTPRequestHandler):
    """A national subgraph on another kind of server: the standard library's, answering in
    HTTP/1.0 with the body ended by closing the connection (no Content-Length)."""

    SDL = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
        'type Centre @key(fields: "id") { id: ID! stemClubs: Int! }\n'
    )

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "_service" in request["query"]:
            data: dict[str, Any] = {"_service": {"sdl": self.SDL}}
        else:
            representations = request["variables"]["representations"]
            data = {
                "_entities": [{"__typename": "Centre", "stemClubs": 3} for _ in representations]
            }
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"data": data}).encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


async def test_a_national_subgraph_on_a_server_that_ends_answers_by_closing_is_read_whole(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    centre = await a_centre(stack["directory"], name={"en": "IMST Klagenfurt"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Http10Subgraph)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    try:
        async with open_gateway(subgraphs={"imst": url}) as gateway, gateway.client() as client:
            query = "query C($id: ID!) { centre(id: $id) { name stemClubs } }"
            response = await client.post(
                "/graphql", json={"query": query, "variables": {"id": centre["id"]}}
            )
    finally:
        server.shutdown()
        server.server_close()
    assert response.json() == {"data": {"centre": {"name": "IMST Klagenfurt", "stemClubs": 3}}}
