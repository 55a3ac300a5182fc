"""National networks import their centres: upsert by (source, origin id), all or nothing."""

from __future__ import annotations

import time

from shared.testing import ServiceHarness
from tests.bulk.files import (
    a_centre_row,
    a_network,
    csv_text,
    export_file,
    import_file,
    ndjson,
    parse_ndjson,
)

IMPORT = "/v1/centres/import"


async def _centres_of(directory: ServiceHarness, network: str) -> list[dict]:
    status, body, _ = await export_file(directory, "/v1/centres/export", network=network)
    assert status == 200
    return parse_ndjson(body)


async def test_a_file_with_one_bad_row_changes_nothing_and_reports_that_row(
    directory: ServiceHarness,
) -> None:
    network = await a_network(directory)
    admin = directory.token("network_admin", networks=[network])
    status, _ = await import_file(
        directory, IMPORT, ndjson([a_centre_row(1)]), token=admin, network=network, source="luma"
    )
    assert status == 200
    before = await _centres_of(directory, network)

    rows = [a_centre_row(1, website="https://luma.example/1")]
    rows += [a_centre_row(n) for n in range(2, 6)]
    rows[3]["country"] = "Finland"  # the row on line 4
    status, problem = await import_file(
        directory, IMPORT, ndjson(rows), token=admin, network=network, source="luma"
    )

    assert status == 422
    assert problem["type"] == "urn:pdnet:problem:import-rejected"
    assert problem["received"] == 5
    assert [(r["line"], r["errors"][0]["field"]) for r in problem["rejected"]] == [(4, "country")]
    assert await _centres_of(directory, network) == before


async def test_every_rejected_row_is_listed_with_its_csv_line_and_reason(
    directory: ServiceHarness,
) -> None:
    network = await a_network(directory)
    header = ["origin_id", "name.en", "country", "subjects", "location.lat", "location.lon"]
    body = csv_text(
        header,
        [
            ["a", "Physics centre", "FI", "physics;chemistry", "60.1", "24.9"],
            ["b", "Multi\nline name", "FI", "physics", "", ""],  # lines 3-4, fine
            ["c", "", "FI", "physics", "", ""],  # line 5: no name
            ["a", "Duplicate", "FI", "", "", ""],  # line 6: origin a again
            ["d", "Far north", "FI", "alchemy", "91", "24"],  # line 7: two bad fields
        ],
    )
    status, problem = await import_file(
        directory,
        IMPORT,
        body,
        token=directory.token("platform_admin"),
        media_type="text/csv",
        network=network,
        source="luma",
    )

    assert status == 422, problem
    rejected = {r["line"]: r for r in problem["rejected"]}
    assert sorted(rejected) == [5, 6, 7]
    assert rejected[5]["errors"][0]["field"] == "name"
    assert "also on line 2" in rejected[6]["reason"]
    assert {e["field"] for e in rejected[7]["errors"]} >= {"subjects.0", "location.lat"}
    assert await _centres_of(directory, network) == []


async def test_ten_thousand_centres_import_in_one_go(directory: ServiceHarness) -> None:
    network = await a_network(directory)
    rows = [
        a_centre_row(n, identifiers=[{"scheme": "national", "value": f"FI-{n}"}])
        for n in range(10_000)
    ]
    started = time.monotonic()
    status, report = await import_file(
        directory,
        IMPORT,
        ndjson(rows),
        token=directory.token("network_admin", networks=[network]),
        network=network,
        source="luma.fi",
    )
    elapsed = time.monotonic() - started

    assert status == 200, report
    assert report == {
        "kind": "centres",
        "source": "luma.fi",
        "received": 10_000,
        "created": 10_000,
        "updated": 0,
    }
    centres = await _centres_of(directory, network)
    assert len(centres) == 10_000
    assert {c["origin_id"] for c in centres} == {r["origin_id"] for r in rows}
    assert elapsed < 60, f"10 000 centres took {elapsed:.1f}s"


async def test_importing_again_updates_the_same_centres_by_source_and_origin_id(
    directory: ServiceHarness,
) -> None:
    network = await a_network(directory)
    admin = directory.token("network_admin", networks=[network])
    first = [a_centre_row(1), a_centre_row(2, identifiers=[{"scheme": "pic", "value": "9"}])]
    await import_file(directory, IMPORT, ndjson(first), token=admin, network=network, source="s")
    [one, two] = sorted(await _centres_of(directory, network), key=lambda c: c["origin_id"])

    second = [a_centre_row(2, name={"en": "Renamed"}), a_centre_row(3)]
    status, report = await import_file(
        directory, IMPORT, ndjson(second), token=admin, network=network, source="s"
    )

    assert status == 200, report
    assert (report["created"], report["updated"]) == (1, 1)
    after = {c["origin_id"]: c for c in await _centres_of(directory, network)}
    assert after["c-00002"]["id"] == two["id"]
    assert after["c-00002"]["name"] == {"en": "Renamed"}
    assert after["c-00002"]["version"] == two["version"] + 1
    assert after["c-00002"]["identifiers"] == []  # the row is the whole record
    assert after["c-00001"] == one  # not in the file: untouched
    assert "c-00003" in after


async def test_an_identifier_of_another_centre_is_rejected(directory: ServiceHarness) -> None:
    network = await a_network(directory)
    admin = directory.token("platform_admin")
    taken = [a_centre_row(1, identifiers=[{"scheme": "pic", "value": "42"}])]
    await import_file(directory, IMPORT, ndjson(taken), token=admin, network=network, source="x")

    again = [a_centre_row(7, identifiers=[{"scheme": "pic", "value": "42"}])]
    status, problem = await import_file(
        directory, IMPORT, ndjson(again), token=admin, network=network, source="y"
    )

    assert status == 422
    assert "pic:42 already belongs" in problem["rejected"][0]["reason"]


async def test_a_network_admin_cannot_update_centres_of_another_network(
    directory: ServiceHarness,
) -> None:
    mine, theirs = await a_network(directory), await a_network(directory)
    await import_file(
        directory,
        IMPORT,
        ndjson([a_centre_row(1)]),
        token=directory.token("network_admin", networks=[theirs]),
        network=theirs,
        source="shared-portal",
    )

    status, problem = await import_file(
        directory,
        IMPORT,
        ndjson([a_centre_row(1, name={"en": "Taken over"})]),
        token=directory.token("network_admin", networks=[mine]),
        network=mine,
        source="shared-portal",
    )

    assert status == 422
    assert "not in network" in problem["rejected"][0]["reason"]
    [centre] = await _centres_of(directory, theirs)
    assert centre["name"]["en"] == "LUMA centre 1"


async def test_only_admins_of_the_network_may_import(directory: ServiceHarness) -> None:
    network, other = await a_network(directory), await a_network(directory)
    body = ndjson([a_centre_row(1)])
    for token, expected in [
        (directory.token("network_admin", networks=[other]), 403),
        (directory.token("centre_manager"), 403),
    ]:
        status, problem = await import_file(
            directory, IMPORT, body, token=token, network=network, source="s"
        )
        assert status == expected, problem
    async with directory.client() as anonymous:
        response = await anonymous.post(IMPORT, params={"network": network, "source": "s"})
    assert response.status_code == 401
    assert await _centres_of(directory, network) == []


async def test_an_upload_that_is_not_csv_or_ndjson_is_refused(directory: ServiceHarness) -> None:
    network = await a_network(directory)
    status, problem = await import_file(
        directory,
        IMPORT,
        b"<centres/>",
        token=directory.token("platform_admin"),
        media_type="application/xml",
        network=network,
        source="s",
    )
    assert status == 415, problem


async def test_an_api_key_with_the_import_scope_imports_into_its_network(
    directory: ServiceHarness,
) -> None:
    network = await a_network(directory)
    keys = {}
    async with directory.as_role("network_admin", networks=[network]) as admin:
        for scopes in (["import"], ["read"]):
            body = {"name": "portal sync", "network_id": network, "scopes": scopes}
            response = await admin.post("/v1/api-keys", json=body)
            assert response.status_code == 201, response.text
            keys[scopes[0]] = response.json()["key"]
    body = ndjson([a_centre_row(1)])

    status, report = await import_file(
        directory, IMPORT, body, token=keys["import"], network=network, source="portal"
    )
    assert status == 200, report
    assert report["created"] == 1

    status, problem = await import_file(
        directory, IMPORT, body, token=keys["read"], network=network, source="portal"
    )
    assert status == 403
    assert "import" in problem["detail"]
    other = await a_network(directory)
    status, _ = await import_file(
        directory, IMPORT, body, token=keys["import"], network=other, source="portal"
    )
    assert status == 403
