"""Networks import their kits and materials: upsert by (source, origin id), all or nothing."""

from __future__ import annotations

import uuid
from typing import Any

from shared.testing import ServiceHarness
from tests.bulk.files import a_network, csv_text, export_file, import_file, ndjson, parse_ndjson
from tests.events.builders import a_host_centre
from tests.resources.builders import reserve

IMPORT = "/v1/kits/import"


def a_kit_row(origin: str, owner: str, **overrides: Any) -> dict[str, Any]:
    return {
        "origin_id": origin,
        "owner_centre_id": owner,
        "kind": "experiment_kit",
        "code": origin.upper(),
        "name": {"fi": f"Sarja {origin}", "en": f"Kit {origin}"},
        "subjects": ["chemistry"],
        "quantity": 2,
        "components": [{"name": {"en": "pipette"}, "quantity": 5, "consumable": True}],
    } | overrides


async def _kits(resources: ServiceHarness, owner: str) -> dict[str, dict[str, Any]]:
    status, body, _ = await export_file(resources, "/v1/kits/export", centre=owner)
    assert status == 200
    return {k["name"]["en"]: k for k in parse_ndjson(body)}


async def test_a_network_admin_imports_kits_that_can_then_be_reserved(
    directory: ServiceHarness, resources: ServiceHarness
) -> None:
    network = await a_network(directory)
    owner = await a_host_centre(directory, networks=[{"network_id": network}])
    admin = resources.token("network_admin", networks=[network])
    body = csv_text(
        ["origin_id", "owner_centre_id", "kind", "code", "name.en", "subjects", "quantity",
         "components"],
        [
            ["k1", owner, "experiment_kit", "K1", "Kit k1", "chemistry;biology", "3",
             '[{"name": {"en": "beaker"}, "quantity": 2}]'],
            ["k2", owner, "robotics_set", "K2", "Kit k2", "technology", "1", ""],
        ],
    )  # fmt: skip

    status, report = await import_file(
        resources, IMPORT, body, token=admin, media_type="text/csv", source="luma"
    )

    assert status == 200, report
    assert (report["created"], report["updated"]) == (2, 0)
    kits = await _kits(resources, owner)
    assert kits["Kit k1"]["subjects"] == ["chemistry", "biology"]
    assert kits["Kit k1"]["quantity"] == 3
    assert [c["name"] for c in kits["Kit k1"]["components"]] == [{"en": "beaker"}]
    status, reservation = await reserve(resources, kits["Kit k1"]["id"], "teacher-1", 3, 5, 3)
    assert status == 201, reservation


async def test_importing_again_updates_the_kit_but_not_its_pool(
    directory: ServiceHarness, resources: ServiceHarness
) -> None:
    owner = await a_host_centre(directory)
    manager = resources.token("centre_manager", centres=[owner])
    row = a_kit_row("k1", owner)
    await import_file(resources, IMPORT, ndjson([row]), token=manager, source="s")
    before = (await _kits(resources, owner))["Kit k1"]

    renamed = row | {"name": {"en": "Kit k1"}, "subjects": ["physics"], "components": []}
    status, report = await import_file(resources, IMPORT, ndjson([renamed]), token=manager,
                                       source="s")  # fmt: skip
    assert status == 200, report
    after = (await _kits(resources, owner))["Kit k1"]
    assert (after["id"], after["subjects"], after["components"]) == (before["id"], ["physics"], [])
    assert after["version"] == before["version"] + 1

    status, problem = await import_file(
        resources, IMPORT, ndjson([row | {"quantity": 5}]), token=manager, source="s"
    )
    assert status == 422
    assert "change its pool with PATCH" in problem["rejected"][0]["reason"]


async def test_a_file_with_bad_rows_changes_nothing_and_lists_them(
    directory: ServiceHarness, resources: ServiceHarness
) -> None:
    owner = await a_host_centre(directory)
    other = await a_host_centre(directory)
    rows = [
        a_kit_row("ok", owner),
        a_kit_row("ghost", str(uuid.uuid4())),
        a_kit_row("empty", owner, quantity=0),
        a_kit_row("not-mine", other),
        a_kit_row("ok", owner),
    ]

    status, problem = await import_file(
        resources, IMPORT, ndjson(rows), token=resources.token("centre_manager", centres=[owner]),
        source="s",
    )  # fmt: skip

    assert status == 422, problem
    reasons = {r["line"]: r["reason"] for r in problem["rejected"]}
    assert sorted(reasons) == [2, 3, 4, 5]
    assert "no centre has id" in reasons[2]
    assert "quantity" in reasons[3]
    assert "may not import" in reasons[4]
    assert "also on line 1" in reasons[5]
    assert await _kits(resources, owner) == {}
