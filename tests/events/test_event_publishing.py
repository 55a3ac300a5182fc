"""Publishing events: the host must exist in the directory, and only its staff may publish."""

from __future__ import annotations

from shared.testing import OpenService, ServiceHarness
from tests.events.builders import a_host_centre, an_event, in_days


def event_body(host: str, **overrides: object) -> dict[str, object]:
    return {
        "host_centre_id": host,
        "title": {"en": "Residential physics course"},
        "starts_at": in_days(10),
        "ends_at": in_days(12),
        "capacity": 20,
        "waitlist_capacity": 5,
        "sessions": [
            {"starts_at": in_days(10), "ends_at": in_days(10.3), "cpd_hours": "6"},
            {"starts_at": in_days(11), "ends_at": in_days(11.3), "cpd_hours": "6.5"},
        ],
    } | overrides


async def test_an_event_is_published_with_its_sessions_and_a_default_window(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory, region="FI1B")
    async with events.as_role("centre_manager", centres=[host]) as manager:
        response = await manager.post("/v1/events", json=event_body(host))
    event = response.json()
    assert response.status_code == 201
    assert event["total_cpd_hours"] == "12.50"
    assert len(event["sessions"]) == 2
    assert event["region"] == "FI1B"
    assert event["registration_closes_at"] == event["starts_at"]
    assert event["seats_available"] == 20


async def test_an_unknown_host_centre_is_a_422_naming_the_field(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    missing = "00000000-0000-7000-8000-000000000001"
    async with events.as_role("platform_admin") as admin:
        response = await admin.post("/v1/events", json=event_body(missing))
    assert response.status_code == 422
    assert "host_centre_id" in response.json()["detail"]


async def test_with_the_directory_down_publishing_is_a_503_and_nothing_is_written(
    open_service: OpenService,
) -> None:
    async with open_service("events", peers={"directory": "http://127.0.0.1:9"}) as events:
        host = "00000000-0000-7000-8000-000000000002"
        async with events.as_role("platform_admin") as admin:
            response = await admin.post("/v1/events", json=event_body(host))
            listing = await admin.get("/v1/events", params={"centre": host})
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.headers["content-type"] == "application/problem+json"
    assert listing.json()["items"] == []


async def test_only_the_hosts_staff_publish_and_change_events(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    other = await a_host_centre(directory)
    async with events.as_role("centre_manager", centres=[other]) as outsider:
        refused = await outsider.post("/v1/events", json=event_body(host))
    async with events.as_role("teacher") as teacher:
        teacher_refused = await teacher.post("/v1/events", json=event_body(host))
    event = await an_event(events, host)
    async with events.as_role("centre_manager", centres=[other]) as outsider:
        change = await outsider.patch(f"/v1/events/{event['id']}", json={"capacity": 99})
    assert refused.status_code == 403
    assert teacher_refused.status_code == 403
    assert change.status_code == 403


async def test_capacity_cannot_drop_below_the_places_taken(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    from tests.events.builders import register

    host = await a_host_centre(directory)
    event = await an_event(events, host, capacity=2)
    await register(events, event["id"], "t1")
    await register(events, event["id"], "t2")
    async with events.as_role("centre_manager", centres=[host]) as manager:
        response = await manager.patch(f"/v1/events/{event['id']}", json={"capacity": 1})
    assert response.status_code == 409


async def test_raising_capacity_offers_the_new_places_to_the_waitlist(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    from tests.events.builders import register

    host = await a_host_centre(directory)
    event = await an_event(events, host, capacity=1, waitlist_capacity=1)
    await register(events, event["id"], "t1")
    _, waiting = await register(events, event["id"], "t2")
    async with events.as_role("centre_manager", centres=[host]) as manager:
        await manager.patch(f"/v1/events/{event['id']}", json={"capacity": 2})
        promoted = await manager.get(f"/v1/registrations/{waiting['id']}")
    assert promoted.json()["status"] == "offered"


async def test_upcoming_events_are_listed_soonest_first_with_filters(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    later = await an_event(events, host, starts_at=in_days(20), ends_at=in_days(21))
    sooner = await an_event(
        events, host, starts_at=in_days(5), ends_at=in_days(6), subjects=["chemistry"]
    )
    await an_event(
        events,
        host,
        starts_at=in_days(-3),
        ends_at=in_days(-2),
        registration_opens_at=in_days(-10),
        registration_closes_at=in_days(-3),
    )  # past
    async with events.client() as client:
        all_upcoming = (await client.get("/v1/events", params={"centre": host})).json()
        chemistry = (
            await client.get("/v1/events", params={"centre": host, "subject": "chemistry"})
        ).json()
        near = (
            await client.get("/v1/events", params={"near": "60.2,24.9", "radius_km": 20})
        ).json()
    assert [e["id"] for e in all_upcoming["items"]] == [sooner["id"], later["id"]]
    assert [e["id"] for e in chemistry["items"]] == [sooner["id"]]
    assert {sooner["id"], later["id"]} <= {e["id"] for e in near["items"]}


async def test_bad_event_input_is_a_422_problem(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    cases = [
        event_body(host, ends_at=in_days(9)),
        event_body(host, capacity=-1),
        event_body(host, timezone="Mars/Olympus"),
        event_body(host, starts_at="2026-12-01T10:00:00"),
        event_body(
            host, sessions=[{"starts_at": in_days(1), "ends_at": in_days(2), "cpd_hours": 3}]
        ),
        event_body(host, title={"xx-yy-zz": "bad tag"}),
    ]
    async with events.as_role("platform_admin") as admin:
        for body in cases:
            response = await admin.post("/v1/events", json=body)
            assert response.status_code == 422, body
            assert response.headers["content-type"] == "application/problem+json"
