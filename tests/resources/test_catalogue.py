"""The catalogue: who adds and changes kits, what a kit says, and finding free kits nearby."""

from __future__ import annotations

from typing import Any

import pytest

from shared.testing import OpenService, ServiceHarness
from tests.resources.builders import a_centre, a_kit, day, kit_body, reserve


async def _create(resources: ServiceHarness, token: str | None, body: dict[str, Any]) -> Any:
    async with resources.client(token) as client:
        return await client.post("/v1/kits", json=body)


async def test_only_the_owning_centres_staff_and_its_network_admins_add_kits(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    async with directory.as_role("platform_admin") as admin:
        network = (
            await admin.post("/v1/networks", json={"name": {"en": "LUMA"}, "kind": "national"})
        ).json()["id"]
    owner = await a_centre(directory, networks=[{"network_id": network}])
    other = await a_centre(directory)
    body = kit_body(owner)
    outcomes = {
        "anonymous": await _create(resources, None, body),
        "teacher": await _create(resources, resources.token("teacher"), body),
        "other manager": await _create(
            resources, resources.token("centre_manager", centres=[other]), body
        ),
        "other network": await _create(
            resources, resources.token("network_admin", networks=[other]), body
        ),
        "manager": await _create(
            resources, resources.token("centre_manager", centres=[owner]), body
        ),
        "network admin": await _create(
            resources, resources.token("network_admin", networks=[network]), body
        ),
        "platform admin": await _create(resources, resources.token("platform_admin"), body),
    }
    assert {who: r.status_code for who, r in outcomes.items()} == {
        "anonymous": 401,
        "teacher": 403,
        "other manager": 403,
        "other network": 403,
        "manager": 201,
        "network admin": 201,
        "platform admin": 201,
    }
    assert outcomes["teacher"].headers["content-type"] == "application/problem+json"


async def test_a_kit_keeps_its_texts_components_items_and_the_owners_location(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory, location={"lat": 65.012, "lon": 25.465}, region="FI1D")
    kit = await a_kit(
        resources,
        owner,
        description={"en": "Thirty boards", "fi": "Kolmekymmentä korttia"},
        safety_notes={"en": "Batteries: keep away from water."},
        components=[
            {"name": {"en": "micro:bit V2"}, "quantity": 30},
            {"name": {"en": "AAA batteries"}, "quantity": 60, "consumable": True, "stock": 200},
        ],
    )
    async with resources.client(**{"Accept-Language": "fi"}) as client:
        read = (await client.get(f"/v1/kits/{kit['id']}")).json()
        items = (await client.get(f"/v1/kits/{kit['id']}/items")).json()["items"]
    assert read["name_text"] == "micro:bit-luokkasarja"
    assert read["description_text"] == "Kolmekymmentä korttia"
    assert read["safety_notes_text"] == "Batteries: keep away from water."
    assert read["location"] == {"lat": 65.012, "lon": 25.465}
    assert (read["country"], read["region"]) == ("FI", "FI1D")
    assert [(c["quantity"], c["consumable"]) for c in read["components"]] == [
        (30, False),
        (60, True),
    ]
    assert [i["serial"] for i in items] == ["MB-001", "MB-002", "MB-003"]


async def test_an_unknown_owning_centre_is_a_422_naming_the_field(
    resources: ServiceHarness,
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = await _create(resources, resources.token("platform_admin"), kit_body(missing))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.owner_centre_id"


async def test_with_the_directory_down_adding_a_kit_is_a_503_and_nothing_is_written(
    open_service: OpenService,
) -> None:
    peers = {"directory": "http://127.0.0.1:9", "events": "http://127.0.0.1:9"}
    async with open_service("resources", peers=peers) as resources:
        owner = "5b0c9a43-1c1e-4c7e-9d39-9e0f3b8f6a11"
        token = resources.token("centre_manager", centres=[owner])
        response = await _create(resources, token, kit_body(owner))
        async with resources.client() as client:
            listed = (await client.get("/v1/kits", params={"centre": owner})).json()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert listed["items"] == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "digital", "quantity": 0}, "needs a link"),
        ({"kind": "digital", "quantity": 2, "link": "https://example.org/x"}, "quantity"),
        ({"quantity": 0}, "at least one item"),
        ({"min_age": 12, "max_age": 9}, "min_age"),
        ({"quantity": 2, "serials": ["A-1"]}, "one serial per item"),
    ],
    ids=["digital-without-link", "digital-with-items", "empty-pool", "ages", "serials"],
)
async def test_inconsistent_kits_are_refused_with_422(
    resources: ServiceHarness, directory: ServiceHarness, overrides: dict[str, Any], message: str
) -> None:
    owner = await a_centre(directory)
    response = await _create(
        resources, resources.token("platform_admin"), kit_body(owner, **overrides)
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]


async def test_changing_a_kit_takes_its_staff_and_a_current_etag(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner)
    patch = {"name": {"en": "micro:bit set (V2)"}, "turnaround_days": 3}
    async with resources.as_role("centre_manager", centres=[await a_centre(directory)]) as other:
        refused = await other.patch(f"/v1/kits/{kit['id']}", json=patch)
    async with resources.as_role("centre_manager", centres=[owner]) as manager:
        changed = await manager.patch(
            f"/v1/kits/{kit['id']}", json=patch, headers={"If-Match": '"1"'}
        )
        stale = await manager.patch(
            f"/v1/kits/{kit['id']}", json=patch, headers={"If-Match": '"1"'}
        )
    assert refused.status_code == 403
    assert changed.status_code == 200
    assert changed.json()["turnaround_days"] == 3
    assert changed.headers["etag"] == '"2"'
    assert stale.status_code == 412


async def test_the_pool_grows_freely_but_never_shrinks_below_what_is_booked(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner, quantity=3)
    await reserve(resources, kit["id"], "t1", 5, 6, quantity=2)
    async with resources.as_role("centre_manager", centres=[owner]) as manager:
        too_small = await manager.patch(f"/v1/kits/{kit['id']}", json={"quantity": 1})
        smaller = await manager.patch(f"/v1/kits/{kit['id']}", json={"quantity": 2})
        larger = await manager.patch(f"/v1/kits/{kit['id']}", json={"quantity": 4})
        items = (await manager.get(f"/v1/kits/{kit['id']}/items")).json()["items"]
    assert too_small.status_code == 409
    assert too_small.json()["booked_at_most"] == 2
    assert smaller.status_code == 200
    assert larger.json()["quantity"] == 4
    assert sum(i["status"] == "in_service" for i in items) == 4
    assert (await reserve(resources, kit["id"], "t2", 5, 6, quantity=2))[0] == 201


async def test_searching_finds_kits_free_for_the_whole_range_near_a_point(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    helsinki = await a_centre(directory, location={"lat": 60.17, "lon": 24.94})
    oulu = await a_centre(directory, location={"lat": 65.01, "lon": 25.47})
    free = await a_kit(resources, helsinki, quantity=1, turnaround_days=2)
    busy = await a_kit(resources, helsinki, quantity=1)
    buffered = await a_kit(resources, helsinki, quantity=1)
    far = await a_kit(resources, oulu, quantity=1)
    await a_kit(resources, helsinki, kind="digital", quantity=0, link="https://example.org/unit")
    await reserve(resources, busy["id"], "t1", 12, 12)
    await reserve(resources, free["id"], "t1", 3, 5)
    # `buffered` is free from 10 to 14, but its turnaround (2 days) would hit day 15.
    async with resources.as_role("platform_admin") as admin:
        await admin.patch(f"/v1/kits/{buffered['id']}", json={"turnaround_days": 2})
    await reserve(resources, buffered["id"], "t1", 15, 15)
    params = {
        "available_from": day(10),
        "available_to": day(14),
        "near": "60.2,24.9",
        "radius_km": 50,
    }
    async with resources.client() as client:
        found = (await client.get("/v1/kits", params=params)).json()
        everything = (await client.get("/v1/kits", params={"near": "60.2,24.9"})).json()
        one_sided = await client.get("/v1/kits", params={"available_from": day(10)})
    assert [k["id"] for k in found["items"]] == [free["id"]]
    assert far["id"] not in [k["id"] for k in everything["items"]]
    assert len(everything["items"]) == 4
    assert one_sided.status_code == 422


async def test_listing_pages_with_a_cursor_and_bounded_limits(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    made = [(await a_kit(resources, owner))["id"] for _ in range(5)]
    seen: list[str] = []
    async with resources.client() as client:
        cursor = None
        while True:
            params: dict[str, Any] = {"centre": owner, "limit": 2}
            if cursor:
                params["after"] = cursor
            page = (await client.get("/v1/kits", params=params)).json()
            seen += [k["id"] for k in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        too_many = await client.get("/v1/kits", params={"limit": 201})
        bad_cursor = await client.get("/v1/kits", params={"after": "not-a-cursor"})
    assert seen == sorted(made)  # id order; ids made in one millisecond are unordered
    assert too_many.status_code == 422
    assert bad_cursor.status_code == 400
