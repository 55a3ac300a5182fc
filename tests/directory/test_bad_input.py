"""Bad input gets a 4xx problem+json that names what is wrong — never a 5xx."""

from __future__ import annotations

import pytest

from shared.testing import ServiceHarness
from tests.directory.builders import a_centre


def assert_problem(response, status: int, mentions: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    if mentions:
        assert mentions in body.get("detail", ""), body


@pytest.mark.parametrize(
    ("path", "params", "mentions"),
    [
        ("/v1/centres/not-a-uuid", {}, "centre_id"),
        ("/v1/centres", {"after": "garbage!!"}, None),
        ("/v1/centres", {"near": "91,10"}, "near"),
        ("/v1/centres", {"near": "60.1"}, "near"),
        ("/v1/centres", {"limit": 201}, "limit"),
        ("/v1/centres", {"limit": 0}, "limit"),
        ("/v1/centres", {"radius_km": -1, "near": "60,24"}, "radius_km"),
        ("/v1/centres", {"subject": "alchemy"}, "subject"),
        ("/v1/centres", {"modified_after": "2026-01-01T00:00:00"}, "modified_after"),
        ("/v1/centres", {"country": "Finland"}, "country"),
        ("/v1/educators", {"after": "eyJ4Ijp9"}, None),
    ],
)
async def test_bad_queries_are_4xx_problems(
    directory: ServiceHarness, path: str, params: dict[str, object], mentions: str | None
) -> None:
    async with directory.client() as client:
        response = await client.get(path, params=params)
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code, mentions)


async def test_a_cursor_from_another_ordering_is_refused(directory: ServiceHarness) -> None:
    for _ in range(3):
        await a_centre(directory)
    async with directory.client() as client:
        page = (await client.get("/v1/centres", params={"limit": 1})).json()
        response = await client.get(
            "/v1/centres", params={"near": "60,24", "after": page["next_cursor"]}
        )
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": {}, "country": "FI"}, "body.name"),
        ({"name": {"english": "X"}, "country": "FI"}, "body.name"),
        ({"name": {"en": "   "}, "country": "FI"}, "body.name"),
        ({"name": {"en": "X" * 301}, "country": "FI"}, "body.name"),
        ({"name": "Just a string", "country": "FI"}, "body.name"),
        ({"name": {"en": "X"}, "country": "FI", "colour": "red"}, "body.colour"),
        (
            {"name": {"en": "X"}, "country": "FI", "location": {"lat": 95, "lon": 0}},
            "body.location",
        ),
        ({"name": {"en": "X"}, "country": "FI", "website": "not a url"}, "body.website"),
        ({"name": {"en": "X"}}, "body.country"),
    ],
)
async def test_bad_bodies_are_422_problems_naming_the_field(
    directory: ServiceHarness, body: dict[str, object], field: str
) -> None:
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post("/v1/centres", json=body)
    assert_problem(response, 422, field)
    assert any(e["field"].startswith(field) for e in response.json()["errors"])


async def test_malformed_json_is_a_4xx_problem(directory: ServiceHarness) -> None:
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post(
            "/v1/centres", content=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_unknown_paths_and_methods_are_problems(directory: ServiceHarness) -> None:
    async with directory.client() as client:
        missing = await client.get("/v1/nowhere")
        wrong_method = await client.put("/v1/centres")
    assert_problem(missing, 404)
    assert_problem(wrong_method, 405)


async def test_a_duplicate_identifier_is_a_409_and_nothing_is_written(
    directory: ServiceHarness,
) -> None:
    await a_centre(directory, identifiers=[{"scheme": "pic", "value": "999999999"}])
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post(
            "/v1/centres",
            json={
                "name": {"en": "Copycat"},
                "country": "FI",
                "identifiers": [{"scheme": "pic", "value": "999999999"}],
            },
        )
        listing = await admin.get("/v1/centres", params={"q": "Copycat"})
    assert_problem(response, 409)
    assert listing.json()["items"] == []


async def test_an_unexpected_error_is_a_500_problem_without_internals(
    directory: ServiceHarness,
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    directory.app.add_api_route("/boom", explode)
    async with directory.client() as client:
        response = await client.get("/boom")
    assert_problem(response, 500)
    assert "hunter2" not in response.text


async def test_text_postgresql_cannot_store_is_a_422_not_a_500(directory: ServiceHarness) -> None:
    async with directory.as_role("platform_admin") as admin:
        nul_body = await admin.post(
            "/v1/centres", json={"name": {"en": "Nul\u0000centre"}, "country": "FI"}
        )
        surrogate = await admin.post(
            "/v1/networks",
            content=b'{"name": {"en": "\\udbb6"}, "kind": "national"}',
            headers={"Content-Type": "application/json"},
        )
        nul_query = await admin.get("/v1/centres", params={"q": "a\u0000b"})
    assert_problem(nul_body, 422, "body.name.en")
    assert_problem(surrogate, 422, "body.name.en")
    assert_problem(nul_query, 422, "query.q")
