"""Open formats: iCalendar per event, per centre and per region; schema.org JSON-LD."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar

from shared.testing import ServiceHarness
from tests.events.builders import a_host_centre, an_event, in_days, register

HELSINKI = "Europe/Helsinki"


def at(days: int, hour: int) -> datetime:
    """A whole UTC hour some days ahead: easy to compare with what the calendar says."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=days, hours=hour)


async def a_two_session_event(events: ServiceHarness, centre: str) -> dict[str, Any]:
    return await an_event(
        events,
        centre,
        starts_at=at(30, 6).isoformat(),
        ends_at=at(31, 14).isoformat(),
        sessions=[
            {"starts_at": at(30, 6).isoformat(), "ends_at": at(30, 14).isoformat(), "cpd_hours": 6},
            {"starts_at": at(31, 6).isoformat(), "ends_at": at(31, 14).isoformat(), "cpd_hours": 6},
        ],
    )


async def get(events: ServiceHarness, path: str, **headers: str) -> httpx.Response:
    async with events.client(**headers) as client:
        return await client.get(path)


async def calendar(events: ServiceHarness, path: str, **headers: str) -> icalendar.Calendar:
    response = await get(events, path, **headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def event_ids_in(cal: icalendar.Calendar) -> set[str]:
    return {str(vevent["URL"]).rsplit("/", 1)[-1] for vevent in cal.events}


async def cancel(events: ServiceHarness, event: dict[str, Any]) -> None:
    async with events.as_role("centre_manager", centres=[event["host_centre_id"]]) as manager:
        response = await manager.post(
            f"/v1/events/{event['id']}/cancel", json={"reason": "Too few teachers"}
        )
    assert response.status_code == 200, response.text


async def test_an_events_calendar_has_one_vevent_per_session_with_uids_that_never_change(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await a_two_session_event(events, await a_host_centre(directory))
    first = await calendar(events, f"/v1/events/{event['id']}.ics")
    second = await calendar(events, f"/v1/events/{event['id']}.ics")

    uids = [str(v["UID"]) for v in first.events]
    assert uids == [f"{s['id']}@pdnet" for s in event["sessions"]]
    assert [str(v["UID"]) for v in second.events] == uids
    assert str(first["VERSION"]) == "2.0" and "pdnet" in str(first["PRODID"])


async def test_session_times_are_in_the_events_own_time_zone_with_its_vtimezone(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await a_two_session_event(events, await a_host_centre(directory))
    cal = await calendar(events, f"/v1/events/{event['id']}.ics")

    first_session = cal.events[0]
    assert first_session["DTSTART"].params["TZID"] == HELSINKI
    assert first_session.start == at(30, 6) and first_session.end == at(30, 14)
    assert first_session["DTSTAMP"] and first_session["SEQUENCE"] == event["version"]
    assert str(first_session["STATUS"]) == "CONFIRMED"
    assert [str(tz["TZID"]) for tz in cal.timezones] == [HELSINKI]


async def test_the_summary_is_in_the_callers_language_and_numbers_the_sessions(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await a_two_session_event(events, await a_host_centre(directory))
    finnish = await calendar(events, f"/v1/events/{event['id']}.ics", **{"Accept-Language": "fi"})
    english = await calendar(events, f"/v1/events/{event['id']}.ics?lang=sv")

    assert [str(v["SUMMARY"]) for v in finnish.events] == [
        "Tutkiva fysiikka (1/2)",
        "Tutkiva fysiikka (2/2)",
    ]
    assert str(english.events[0]["SUMMARY"]) == "Inquiry-based physics (1/2)"


async def test_a_centres_feed_lists_its_hosted_and_co_hosted_upcoming_events_only(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    luma = await a_host_centre(directory, name={"en": "LUMA Centre Helsinki"})
    other = await a_host_centre(directory)
    hosted = await an_event(events, luma)
    co_hosted = await an_event(events, other, co_host_centre_ids=[luma])
    elsewhere = await an_event(events, other)
    draft = await an_event(events, luma, status="draft")
    ended = await an_event(
        events, luma, starts_at=in_days(-3), ends_at=in_days(-2), registration_opens_at=in_days(-9)
    )

    feed = await calendar(events, f"/v1/centres/{luma}/events.ics")

    assert event_ids_in(feed) == {hosted["id"], co_hosted["id"]}
    assert {elsewhere["id"], draft["id"], ended["id"]}.isdisjoint(event_ids_in(feed))
    assert "LUMA Centre Helsinki" in str(feed["X-WR-CALNAME"])


async def test_a_region_feed_covers_every_region_under_the_code(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    helsinki = await an_event(events, await a_host_centre(directory, region="FI1B"))
    turku = await an_event(events, await a_host_centre(directory, region="FI1C"))
    stockholm = await an_event(events, await a_host_centre(directory, country="SE", region="SE11"))

    mainland_finland = await calendar(events, "/v1/regions/FI1/events.ics")
    only_helsinki = await calendar(events, "/v1/regions/FI1B/events.ics")

    assert event_ids_in(mainland_finland) == {helsinki["id"], turku["id"]}
    assert event_ids_in(only_helsinki) == {helsinki["id"]}
    assert stockholm["id"] not in event_ids_in(mainland_finland)
    assert "FI1" in str(mainland_finland["X-WR-CALNAME"])


async def test_a_cancelled_event_stays_in_the_feeds_marked_cancelled(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    centre = await a_host_centre(directory)
    event = await an_event(events, centre)
    await cancel(events, event)

    own = await calendar(events, f"/v1/events/{event['id']}.ics")
    feed = await calendar(events, f"/v1/centres/{centre}/events.ics")

    for cal in (own, feed):
        (vevent,) = cal.events
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert str(vevent["SUMMARY"]).startswith("Cancelled: ")
        assert vevent["SEQUENCE"] == event["version"] + 1


async def test_an_unknown_event_is_a_404_problem_in_every_format(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    missing = "0190a000-0000-7000-8000-000000000000"
    for path in (f"/v1/events/{missing}.ics", f"/v1/events/{missing}/jsonld"):
        response = await get(events, path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:pdnet:problem:event-not-found"


async def test_a_draft_is_a_404_in_the_open_formats(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    draft = await an_event(events, await a_host_centre(directory), status="draft")
    for path in (f"/v1/events/{draft['id']}.ics", f"/v1/events/{draft['id']}/jsonld"):
        assert (await get(events, path)).status_code == 404, path


async def test_an_unknown_centres_feed_is_a_404_problem(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    response = await get(events, "/v1/centres/0190a000-0000-7000-8000-000000000000/events.ics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_malformed_region_code_is_a_422_problem(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    for code in ("fi1", "FINLAND", "F1"):
        response = await get(events, f"/v1/regions/{code}/events.ics")
        assert response.status_code == 422, code
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "path.nuts"


async def test_a_current_etag_gets_304_and_a_change_gets_the_new_calendar(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    centre = await a_host_centre(directory)
    event = await an_event(events, centre)
    path = f"/v1/centres/{centre}/events.ics"
    first = await get(events, path)
    assert first.headers["cache-control"] == "public, max-age=300"

    unchanged = await get(events, path, **{"If-None-Match": first.headers["etag"]})
    async with events.as_role("centre_manager", centres=[centre]) as manager:
        patched = await manager.patch(f"/v1/events/{event['id']}", json={"title": {"en": "New"}})
    assert patched.status_code == 200, patched.text
    changed = await get(events, path, **{"If-None-Match": first.headers["etag"]})

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == first.headers["etag"]
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert "SUMMARY:New" in changed.text


async def test_json_ld_describes_the_event_as_a_schema_org_course_instance(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    centre = await a_host_centre(directory)
    event = await a_two_session_event(events, centre)
    await register(events, event["id"], "t1")

    response = await get(events, f"/v1/events/{event['id']}/jsonld?lang=fi")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    doc = response.json()

    assert doc["@context"] == "https://schema.org" and doc["@type"] == "CourseInstance"
    assert doc["name"] == "Tutkiva fysiikka"
    assert datetime.fromisoformat(doc["startDate"]) == at(30, 6)
    assert datetime.fromisoformat(doc["endDate"]) == at(31, 14)
    assert doc["startDate"].endswith(("+02:00", "+03:00"))  # Helsinki local time
    assert (doc["maximumAttendeeCapacity"], doc["remainingAttendeeCapacity"]) == (2, 1)
    assert doc["organizer"]["@id"] == f"urn:pdnet:centre:{centre}"
    assert doc["eventStatus"] == "https://schema.org/EventScheduled"
    assert doc["courseMode"] == "onsite" and doc["courseWorkload"] == "PT12H"
    assert [s["@id"] for s in doc["subEvent"]] == [
        f"urn:pdnet:session:{s['id']}" for s in event["sessions"]
    ]
