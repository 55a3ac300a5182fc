"""REST through the gateway: each `/v1` path reaches the service whose OpenAPI document has it."""

from __future__ import annotations

import re

import httpx

from shared.testing import ServiceHarness
from tests.directory.builders import a_centre
from tests.events.builders import an_event
from tests.gateway.edge.conftest import OpenGateway

_PARAMETER = re.compile(r"\{[^/{}]+\}")


async def _openapi(svc: ServiceHarness) -> dict:
    async with svc.client() as client:
        return dict((await client.get("/openapi.json")).json())


async def test_every_documented_path_of_every_service_routes_to_that_service(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    documents = {name: await _openapi(svc) for name, svc in stack.items()}
    owners: dict[str, list[str]] = {}
    for name, document in documents.items():
        for template in document["paths"]:
            owners.setdefault(template, []).append(name)
    async with open_gateway() as gateway:
        table = gateway.runtime.routes.table
        checked = 0
        for name, document in documents.items():
            for template, operations in document["paths"].items():
                if not template.startswith("/v1/"):
                    continue
                # A concrete path as a client would send it: parameters filled with ids.
                path = _PARAMETER.sub("0b7d4a52-2b8f-4d6e-9d41-5c2a7f0e9a11", template)
                for method in operations:
                    match = table.match(method.upper(), path)
                    assert match is not None, f"{method} {path} is not routed"
                    assert match.template == template, path
                    assert sorted(match.services) == sorted(owners[template]), path
                    own = table.match(method.upper(), path, service=name)
                    assert own is not None and own.template == template
                    checked += 1
        assert checked > 20


async def test_a_path_every_service_has_is_reached_through_the_services_own_prefix(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    # Each service's feed knows only its own event types, which tells the answers apart.
    query = "?types=network.created"
    owners = [
        name for name, svc in stack.items() if "/v1/changes" in (await _openapi(svc))["paths"]
    ]
    assert {"directory", "events"} <= set(owners)
    async with open_gateway() as gateway:
        admin = gateway.client(gateway.token("platform_admin"))
        # The gateway merges the change feeds itself; webhooks stay each service's own.
        ambiguous = await admin.get("/v1/webhooks")
        feeds = {name: await admin.get(f"/services/{name}/v1/changes{query}") for name in owners}
        unknown = await admin.get("/services/nosuch/v1/changes")
    for name in owners:
        async with stack[name].as_role("platform_admin") as direct:
            answer = await direct.get("/v1/changes" + query)
        assert (feeds[name].status_code, feeds[name].json()) == (
            answer.status_code,
            answer.json(),
        ), name
    assert feeds["directory"].status_code == 200
    assert feeds["events"].status_code == 422
    assert ambiguous.status_code == 300
    assert ambiguous.headers["content-type"] == "application/problem+json"
    assert sorted(ambiguous.json()["alternatives"]) == sorted(
        f"/services/{name}/v1/webhooks" for name in owners
    )
    assert unknown.status_code == 404


async def test_a_centres_events_feed_reaches_events_and_the_centre_itself_the_directory(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    directory, events = stack["directory"], stack["events"]
    centre = await a_centre(directory, name={"en": "Routed centre"})
    event = await an_event(events, centre["id"], title={"en": "Routed course"})
    async with open_gateway() as gateway, gateway.client() as client:
        by_gateway = await client.get(f"/v1/centres/{centre['id']}")
        feed = await client.get(f"/v1/centres/{centre['id']}/events.ics")
    assert by_gateway.status_code == 200
    assert by_gateway.json()["name"]["en"] == "Routed centre"
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text
    assert event["id"] in feed.text


async def test_writes_pass_through_with_the_callers_token_body_and_status(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway() as gateway:
        admin = gateway.client(gateway.token("platform_admin"))
        anonymous = gateway.client()
        body = {
            "name": {"en": "Made through the gateway"},
            "country": "AT",
            "location": {"lat": 48.2, "lon": 16.37},
        }
        created = await admin.post("/v1/centres", json=body)
        refused = await anonymous.post("/v1/centres", json=body)
        invalid = await admin.post("/v1/centres", json={"country": "Austria"})
        assert created.status_code == 201, created.text
        assert created.headers["location"].endswith(created.json()["id"])
        assert "etag" in created.headers
        fetched = await anonymous.get(f"/v1/centres/{created.json()['id']}")
    assert fetched.json()["name"]["en"] == "Made through the gateway"
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert invalid.status_code == 422
    assert invalid.json()["errors"]


async def test_query_strings_and_headers_reach_the_service_and_its_headers_come_back(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    await a_centre(
        stack["directory"], name={"en": "Wiener Zentrum", "de": "Wiener Zentrum"}, country="AT"
    )
    await a_centre(stack["directory"], name={"en": "Helsinki centre"}, country="FI")
    async with open_gateway() as gateway, gateway.client() as client:
        response = await client.get(
            "/v1/centres", params={"country": "AT"}, headers={"X-Request-ID": "trace-me-42"}
        )
    assert response.status_code == 200
    assert [c["country"] for c in response.json()["items"]] == ["AT"]
    # One request id end to end: the gateway's, which the service echoes too.
    assert response.headers["x-request-id"] == "trace-me-42"
    assert response.headers.get_list("x-request-id") == ["trace-me-42"]
    assert (
        "transfer-encoding" not in response.headers
        or response.headers["transfer-encoding"] == "chunked"
    )


async def test_a_path_no_service_documents_is_a_404_problem(open_gateway: OpenGateway) -> None:
    async with open_gateway() as gateway, gateway.client() as client:
        response = await client.get("/v1/no-such-collection")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "No service serves /v1/no-such-collection" in response.json()["detail"]


async def test_a_service_that_is_down_is_a_503_problem_with_retry_after(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway() as gateway:
        # The events service goes away after the gateway learnt its routes.
        gateway.runtime.clients["events"] = httpx.AsyncClient(base_url="http://127.0.0.1:9")
        async with gateway.client() as client:
            down = await client.get("/v1/events")
            still_up = await client.get("/v1/centres")
        await gateway.runtime.clients["events"].aclose()
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert int(down.headers["retry-after"]) > 0
    assert "events" in down.json()["detail"]
    assert still_up.status_code == 200


async def test_a_streamed_export_comes_through_byte_for_byte(
    open_gateway: OpenGateway, stack: dict[str, ServiceHarness]
) -> None:
    for n in range(3):
        await a_centre(stack["directory"], name={"en": f"Exported {n}"}, country="AT")
    params = {"country": "AT", "format": "csv"}
    async with stack["directory"].client() as direct:
        expected = await direct.get("/v1/centres/export", params=params)
    # `/v1/centres/export` is a literal template: it wins over `/v1/centres/{centre_id}`.
    async with open_gateway() as gateway, gateway.client() as client:
        routed = await client.get("/v1/centres/export", params=params)
    assert expected.status_code == 200
    assert routed.status_code == 200
    assert routed.headers["content-type"] == expected.headers["content-type"]
    assert routed.content == expected.content
    assert routed.text.count("Exported") == 3
