"""Bulk exports: every matching row of a list endpoint, streamed as CSV or NDJSON."""

from __future__ import annotations

import json

from shared.testing import ServiceHarness
from tests.bulk.files import (
    a_centre_row,
    a_network,
    export_file,
    import_file,
    ndjson,
    parse_csv,
    parse_ndjson,
)
from tests.events.builders import a_host_centre, an_event, in_days, register
from tests.exchange.builders import a_centre as exchange_centre
from tests.exchange.builders import an_offer
from tests.resources.builders import a_kit, reserve


async def test_centres_export_uses_the_list_filters_in_csv_and_ndjson(
    directory: ServiceHarness,
) -> None:
    network = await a_network(directory)
    rows = [a_centre_row(n) for n in range(3)]
    stockholm = {"lat": 59.33, "lon": 18.07}
    rows.append(a_centre_row(3, country="SE", name={"sv": "Centrum"}, location=stockholm))
    await import_file(
        directory,
        "/v1/centres/import",
        ndjson(rows),
        token=directory.token("platform_admin"),
        network=network,
        source="luma",
    )

    status, body, media_type = await export_file(
        directory, "/v1/centres/export", format="csv", country="FI", subject="physics"
    )
    assert status == 200
    assert media_type.startswith("text/csv")
    table = sorted(parse_csv(body), key=lambda r: r["origin_id"])
    assert [r["origin_id"] for r in table] == ["c-00000", "c-00001", "c-00002"]
    assert [r["id"] for r in parse_csv(body)] == sorted(r["id"] for r in table)  # list order
    assert json.loads(table[0]["name"]) == rows[0]["name"]
    assert table[0]["subjects"] == "physics;mathematics"
    assert float(table[0]["location.lat"]) == rows[0]["location"]["lat"]
    assert table[0]["networks"] == network

    status, body, media_type = await export_file(
        directory, "/v1/centres/export", near="59.33,18.07", radius_km=100
    )
    assert media_type == "application/x-ndjson"
    [swedish] = parse_ndjson(body)
    assert swedish["name"] == {"sv": "Centrum"}


async def test_a_csv_export_imports_back_as_the_same_centres(directory: ServiceHarness) -> None:
    network = await a_network(directory)
    admin = directory.token("platform_admin")
    rows = [
        a_centre_row(1, identifiers=[{"scheme": "pic", "value": "9"}], website="https://a.fi"),
        a_centre_row(2, address={"street": "Gustaf Hällströmin katu 2", "locality": "Helsinki"}),
    ]
    await import_file(directory, "/v1/centres/import", ndjson(rows), token=admin,
                      network=network, source="luma")  # fmt: skip
    _, exported, _ = await export_file(directory, "/v1/centres/export", format="csv",
                                       network=network)  # fmt: skip
    _, before, _ = await export_file(directory, "/v1/centres/export", network=network)

    status, report = await import_file(
        directory, "/v1/centres/import", exported, token=admin, media_type="text/csv",
        network=network, source="luma",
    )  # fmt: skip

    assert status == 200, report
    assert (report["created"], report["updated"]) == (0, 2)
    _, after, _ = await export_file(directory, "/v1/centres/export", network=network)
    unchanging = ("updated_at", "version")
    strip = [{k: v for k, v in c.items() if k not in unchanging} for c in parse_ndjson(before)]
    again = [{k: v for k, v in c.items() if k not in unchanging} for c in parse_ndjson(after)]
    assert again == strip


async def test_events_export_streams_published_events_in_start_order(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    later = await an_event(events, host, starts_at=in_days(40), ends_at=in_days(41))
    sooner = await an_event(events, host, cpd_hours="6.5")
    await an_event(events, host, status="draft")

    status, body, _ = await export_file(events, "/v1/events/export", centre=host)
    assert status == 200
    exported = parse_ndjson(body)
    assert [e["id"] for e in exported] == [sooner["id"], later["id"]]
    assert float(exported[0]["total_cpd_hours"]) == 6.5

    _, body, _ = await export_file(events, "/v1/events/export", centre=host, format="csv")
    table = parse_csv(body)
    assert [r["id"] for r in table] == [sooner["id"], later["id"]]
    assert float(json.loads(table[0]["sessions"])[0]["cpd_hours"]) == 6.5

    status, _, _ = await export_file(events, "/v1/events/export", status="draft")
    assert status == 422


async def test_registrations_export_is_for_the_host_staff_only(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(events, host, capacity=1, waitlist_capacity=2)
    for teacher in ("t-1", "t-2", "t-3"):
        await register(events, event["id"], teacher)
    path = f"/v1/events/{event['id']}/registrations/export"

    staff = events.token("centre_manager", centres=[host])
    status, body, _ = await export_file(events, path, staff, format="csv")
    assert status == 200
    table = parse_csv(body)
    assert [(r["teacher_id"], r["status"], r["waitlist_position"]) for r in table] == [
        ("t-1", "confirmed", ""),
        ("t-2", "waitlisted", "1"),
        ("t-3", "waitlisted", "2"),
    ]
    _, body, _ = await export_file(events, path, staff, status="waitlisted")
    assert [r["teacher_id"] for r in parse_ndjson(body)] == ["t-2", "t-3"]

    assert (await export_file(events, path, events.token("teacher", sub="t-1")))[0] == 403
    assert (await export_file(events, path))[0] == 401


async def test_kits_and_loans_export(directory: ServiceHarness, resources: ServiceHarness) -> None:
    owner = await a_host_centre(directory)
    kit = await a_kit(resources, owner)
    await a_kit(resources, owner, kind="digital", quantity=0, link="https://example.org/x",
                licence="CC-BY-4.0", code=None)  # fmt: skip
    status, body, _ = await export_file(
        resources, "/v1/kits/export", centre=owner, kind="robotics_set"
    )
    assert status == 200
    assert [k["id"] for k in parse_ndjson(body)] == [kit["id"]]

    status, reservation = await reserve(resources, kit["id"], "teacher-1", 3, 5)
    assert status == 201, reservation
    staff = resources.token("centre_manager", centres=[owner])
    async with resources.client(staff) as client:
        response = await client.post(f"/v1/reservations/{reservation['id']}/checkout", json={})
    assert response.status_code == 201, response.text

    status, body, _ = await export_file(resources, "/v1/loans/export", staff, centre=owner,
                                        format="csv")  # fmt: skip
    assert status == 200
    assert [r["borrower_id"] for r in parse_csv(body)] == ["teacher-1"]
    mine = resources.token("teacher", sub="teacher-1")
    assert len(parse_ndjson((await export_file(resources, "/v1/loans/export", mine))[1])) == 1
    stranger = resources.token("centre_manager", centres=[await a_host_centre(directory)])
    assert (await export_file(resources, "/v1/loans/export", stranger, centre=owner))[0] == 403


async def test_offers_export_uses_the_offer_list_filters(
    directory: ServiceHarness, exchange: ServiceHarness
) -> None:
    host = await exchange_centre(directory)
    shadowing = await an_offer(exchange, host)
    teaching = await an_offer(exchange, host, kind="teaching_assignment")

    status, body, _ = await export_file(exchange, "/v1/offers/export", host_centre=host)
    assert status == 200
    assert [o["id"] for o in parse_ndjson(body)] == [shadowing["id"], teaching["id"]]

    _, body, _ = await export_file(
        exchange, "/v1/offers/export", host_centre=host, kind="teaching_assignment", format="csv"
    )
    assert [r["id"] for r in parse_csv(body)] == [teaching["id"]]
    status, _, _ = await export_file(
        exchange, "/v1/offers/export", available_from="2030-02-01", available_to="2030-01-01"
    )
    assert status == 422
