"""Networks import their events: upsert by (source, origin id), all or nothing."""

from __future__ import annotations

import uuid
from typing import Any

from shared.testing import ServiceHarness
from tests.bulk.files import a_network, export_file, import_file, ndjson, parse_ndjson
from tests.events.builders import a_host_centre, in_days, register

IMPORT = "/v1/events/import"


def an_event_row(origin: str, host: str, **overrides: Any) -> dict[str, Any]:
    return {
        "origin_id": origin,
        "host_centre_id": host,
        "title": {"fi": f"Kurssi {origin}", "en": f"Course {origin}"},
        "starts_at": in_days(30),
        "ends_at": in_days(31),
        "capacity": 20,
        "cpd_hours": "7",
        "subjects": ["physics"],
        "timezone": "Europe/Helsinki",
    } | overrides


async def _network_host(directory: ServiceHarness) -> tuple[str, str]:
    network = await a_network(directory)
    host = await a_host_centre(directory, networks=[{"network_id": network}])
    return network, host


async def _exported(events: ServiceHarness, host: str) -> dict[str, dict[str, Any]]:
    status, body, _ = await export_file(events, "/v1/events/export", centre=host)
    assert status == 200
    return {e["title"]["en"]: e for e in parse_ndjson(body)}


async def test_a_network_admin_imports_and_updates_its_centres_events(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    network, host = await _network_host(directory)
    admin = events.token("network_admin", networks=[network])
    rows = [an_event_row(f"e{n}", host) for n in range(3)]

    status, report = await import_file(events, IMPORT, ndjson(rows), token=admin, source="luma")

    assert status == 200, report
    assert (report["created"], report["updated"]) == (3, 0)
    exported = await _exported(events, host)
    assert set(exported) == {"Course e0", "Course e1", "Course e2"}
    assert float(exported["Course e0"]["total_cpd_hours"]) == 7

    rows[0] |= {"title": {"en": "Course e0, renamed"}, "capacity": 30}
    status, report = await import_file(events, IMPORT, ndjson(rows), token=admin, source="luma")

    assert status == 200, report
    assert (report["created"], report["updated"]) == (0, 3)
    renamed = (await _exported(events, host))["Course e0, renamed"]
    assert renamed["id"] == exported["Course e0"]["id"]
    assert (renamed["capacity"], renamed["version"]) == (30, 2)


async def test_a_file_with_bad_rows_changes_nothing_and_lists_them(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    network, host = await _network_host(directory)
    _, elsewhere = await _network_host(directory)
    rows = [
        an_event_row("ok", host),
        an_event_row("ghost", str(uuid.uuid4())),
        an_event_row("backwards", host, ends_at=in_days(29)),
        an_event_row("not-mine", elsewhere),
    ]

    status, problem = await import_file(
        events, IMPORT, ndjson(rows), token=events.token("network_admin", networks=[network]),
        source="luma",
    )  # fmt: skip

    assert status == 422, problem
    reasons = {r["line"]: r["reason"] for r in problem["rejected"]}
    assert sorted(reasons) == [2, 3, 4]
    assert "no centre has id" in reasons[2]
    assert "ends_at must be after starts_at" in reasons[3]
    assert "may not import" in reasons[4]
    assert await _exported(events, host) == {}


async def test_an_imported_event_keeps_its_dates_and_the_places_taken(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    _, host = await _network_host(directory)
    admin = events.token("platform_admin")
    row = an_event_row("e1", host, capacity=2)
    await import_file(events, IMPORT, ndjson([row]), token=admin, source="luma")
    event_id = (await _exported(events, host))["Course e1"]["id"]
    for teacher in ("t-1", "t-2"):
        assert (await register(events, event_id, teacher))[0] == 201

    moved = row | {"starts_at": in_days(32), "ends_at": in_days(33)}
    shrunk = row | {"capacity": 1}
    for changed, words in ((moved, "fixed since"), (shrunk, "already taken")):
        status, problem = await import_file(
            events, IMPORT, ndjson([changed]), token=admin, source="luma"
        )
        assert status == 422, problem
        assert words in problem["rejected"][0]["reason"]


async def test_teachers_may_not_import_events(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    _, host = await _network_host(directory)
    status, _ = await import_file(
        events, IMPORT, ndjson([an_event_row("e", host)]), token=events.token("teacher"),
        source="luma",
    )  # fmt: skip
    assert status == 403


async def test_a_csv_export_of_imported_events_imports_back_unchanged(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    _, host = await _network_host(directory)
    admin = events.token("platform_admin")
    co_host = await a_host_centre(directory)
    rows = [
        an_event_row("e1", host, venue={"name": "Exactum", "locality": "Helsinki"}),
        an_event_row("e2", host, co_host_centre_ids=[co_host]),
    ]
    await import_file(events, IMPORT, ndjson(rows), token=admin, source="luma")
    _, exported, _ = await export_file(events, "/v1/events/export", centre=host, format="csv")
    before = await _exported(events, host)
    assert {e["origin_id"] for e in before.values()} == {"e1", "e2"}

    status, report = await import_file(
        events, IMPORT, exported, token=admin, media_type="text/csv", source="luma"
    )

    assert status == 200, report
    assert (report["created"], report["updated"]) == (0, 2)
    unchanging = ("updated_at", "version")
    after = await _exported(events, host)
    assert {t: {k: v for k, v in e.items() if k not in unchanging} for t, e in after.items()} == {
        t: {k: v for k, v in e.items() if k not in unchanging} for t, e in before.items()
    }
    status, problem = await import_file(
        events, IMPORT, exported, token=admin, media_type="text/csv", source="other"
    )
    assert status == 422
    assert "differs from the import's source" in problem["rejected"][0]["reason"]
