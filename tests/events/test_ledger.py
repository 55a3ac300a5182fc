"""Attendance per session, the CPD-hours ledger it feeds, credits from other services and
certificates of participation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from events.ledger.hours import iso_duration
from shared.testing import ServiceHarness
from tests.events.builders import a_host_centre, an_event, register

# --- builders ------------------------------------------------------------------------------

SESSION_LENGTH = timedelta(hours=3)


async def an_event_with_sessions(
    events: ServiceHarness, centre_id: str, *hours: str, **overrides: Any
) -> dict[str, Any]:
    """An event in a month with one three-hour session per entry of `hours` (its CPD hours)."""
    base = (datetime.now(UTC) + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    sessions = [
        {
            "starts_at": (base + timedelta(hours=4 * i)).isoformat(),
            "ends_at": (base + timedelta(hours=4 * i) + SESSION_LENGTH).isoformat(),
            "cpd_hours": h,
        }
        for i, h in enumerate(hours)
    ]
    body = {
        "starts_at": base.isoformat(),
        "ends_at": (base + timedelta(days=1)).isoformat(),
        "sessions": sessions,
        "capacity": 10,
    } | overrides
    return await an_event(events, centre_id, **body)


async def a_confirmed_registration(
    events: ServiceHarness, event: dict[str, Any], teacher: str
) -> str:
    status, body = await register(events, event["id"], teacher)
    assert (status, body["status"]) == (201, "confirmed"), body
    return str(body["id"])


def a_manager(events: ServiceHarness, centre_id: str) -> httpx.AsyncClient:
    return events.as_role("centre_manager", centres=[centre_id])


def mark(
    registration_id: str, session: dict[str, Any], status: str, **extra: Any
) -> dict[str, Any]:
    return {
        "registration_id": registration_id,
        "session_id": session["id"],
        "status": status,
    } | extra


async def record(
    events: ServiceHarness, event: dict[str, Any], *records: dict[str, Any]
) -> dict[str, Any]:
    """Records as the event's host manager; the call must succeed."""
    async with a_manager(events, event["host_centre_id"]) as manager:
        response = await manager.post(
            f"/v1/events/{event['id']}/attendance", json={"records": list(records)}
        )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def ledger_of(events: ServiceHarness, teacher: str, **params: Any) -> dict[str, Any]:
    async with events.as_role("teacher", sub=teacher) as client:
        response = await client.get(f"/v1/teachers/{teacher}/ledger", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def a_credit(**overrides: Any) -> dict[str, Any]:
    return {
        "teacher_id": "t-credit",
        "hours": "12.5",
        "source": "exchange",
        "source_key": "mobility-42",
        "title": {"en": "Job shadowing at IMST Klagenfurt"},
        "occurred_on": "2026-02-20",
    } | overrides


def a_ledger_writer(events: ServiceHarness) -> httpx.AsyncClient:
    """A machine client, e.g. the exchange service, allowed to post credits."""
    return events.as_role(sub="exchange-service", scope="ledger:write")


def hours(value: Any) -> Decimal:
    return Decimal(str(value))


# --- the ledger ------------------------------------------------------------------------------


async def test_ledger_totals_equal_the_sum_of_credited_session_hours_across_two_centres(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    helsinki = await a_host_centre(directory)
    graz = await a_host_centre(
        directory, country="AT", region="AT22", location={"lat": 47.07, "lon": 15.44}
    )
    physics = await an_event_with_sessions(events, helsinki, "3", "4.5")
    chemistry = await an_event_with_sessions(events, graz, "2.25")
    mine = await a_confirmed_registration(events, physics, "t-ledger")
    someone_else = await a_confirmed_registration(events, physics, "t-other")
    also_mine = await a_confirmed_registration(events, chemistry, "t-ledger")

    await record(
        events,
        physics,
        *(mark(mine, s, "present") for s in physics["sessions"]),
        mark(someone_else, physics["sessions"][0], "present"),
    )
    await record(events, chemistry, mark(also_mine, chemistry["sessions"][0], "present"))

    ledger = await ledger_of(events, "t-ledger")
    assert hours(ledger["total_hours"]) == Decimal("9.75")
    assert {t["centre_id"]: hours(t["hours"]) for t in ledger["by_centre"]} == {
        helsinki: Decimal("7.5"),
        graz: Decimal("2.25"),
    }
    assert hours(ledger["goal_hours"]) == 80
    assert ledger["progress"] == pytest.approx(9.75 / 80, abs=1e-4)
    assert hours(ledger["remaining_hours"]) == Decimal("70.25")
    assert sum(hours(e["hours"]) for e in ledger["entries"]) == Decimal("9.75")
    assert {e["source"] for e in ledger["entries"]} == {"attendance"}


async def test_ledger_pages_entries_but_totals_cover_them_all(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event_with_sessions(events, await a_host_centre(directory), "1", "2", "3")
    registration = await a_confirmed_registration(events, event, "t-pages")
    await record(events, event, *(mark(registration, s, "present") for s in event["sessions"]))

    first = await ledger_of(events, "t-pages", limit=2)
    second = await ledger_of(events, "t-pages", limit=2, after=first["next_cursor"])

    assert (len(first["entries"]), len(second["entries"]), second["next_cursor"]) == (2, 1, None)
    assert hours(first["total_hours"]) == hours(second["total_hours"]) == Decimal(6)
    ids = [e["id"] for e in first["entries"] + second["entries"]]
    assert len(set(ids)) == 3


async def test_partial_minutes_credit_proportionally(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event_with_sessions(events, await a_host_centre(directory), "3", "2", "3")
    registration = await a_confirmed_registration(events, event, "t-partial")
    first, second, third = event["sessions"]

    recorded = await record(
        events,
        event,
        mark(registration, first, "partial", minutes=90),  # half of 180 minutes
        mark(registration, second, "partial", minutes=45),  # a quarter
        mark(registration, third, "partial", minutes=100),  # 3 * 100/180 = 1.666... -> 1.67
    )

    credited = [hours(r["credited_hours"]) for r in recorded["records"]]
    assert credited == [Decimal("1.50"), Decimal("0.50"), Decimal("1.67")]
    assert recorded["registrations"] == [{"id": registration, "status": "attended"}]
    assert hours((await ledger_of(events, "t-partial"))["total_hours"]) == Decimal("3.67")


async def test_re_recording_attendance_does_not_double_count(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event_with_sessions(events, await a_host_centre(directory), "3")
    registration = await a_confirmed_registration(events, event, "t-again")
    session = event["sessions"][0]

    await record(events, event, mark(registration, session, "present"))
    await record(events, event, mark(registration, session, "present"))
    ledger = await ledger_of(events, "t-again")
    assert (len(ledger["entries"]), hours(ledger["total_hours"])) == (1, Decimal(3))

    corrected = await record(events, event, mark(registration, session, "partial", minutes=60))
    ledger = await ledger_of(events, "t-again")
    assert (len(ledger["entries"]), hours(ledger["total_hours"])) == (1, Decimal(1))
    assert corrected["registrations"][0]["status"] == "attended"

    absent = await record(events, event, mark(registration, session, "absent"))
    ledger = await ledger_of(events, "t-again")
    assert (ledger["entries"], hours(ledger["total_hours"])) == ([], Decimal(0))
    assert absent["registrations"][0]["status"] == "no_show"

    async with a_manager(events, event["host_centre_id"]) as manager:
        listed = (await manager.get(f"/v1/events/{event['id']}/attendance")).json()
    assert [(r["teacher_id"], r["status"]) for r in listed["items"]] == [("t-again", "absent")]


async def test_only_the_hosts_staff_may_record_attendance(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    elsewhere = await a_host_centre(directory)
    event = await an_event_with_sessions(events, host, "3")
    registration = await a_confirmed_registration(events, event, "t-keen")
    body = {"records": [mark(registration, event["sessions"][0], "present")]}
    url = f"/v1/events/{event['id']}/attendance"

    async with events.as_role("teacher", sub="t-keen") as teacher:
        by_teacher = await teacher.post(url, json=body)
        teacher_reads = await teacher.get(url)
    async with a_manager(events, elsewhere) as other_manager:
        by_other_centre = await other_manager.post(url, json=body)

    assert (by_teacher.status_code, teacher_reads.status_code) == (403, 403)
    assert by_other_centre.status_code == 403
    assert by_teacher.headers["content-type"] == "application/problem+json"
    assert (await ledger_of(events, "t-keen"))["entries"] == []


async def test_another_teacher_cannot_read_someones_ledger(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event_with_sessions(events, await a_host_centre(directory), "3")
    registration = await a_confirmed_registration(events, event, "t-private")
    await record(events, event, mark(registration, event["sessions"][0], "present"))
    url = "/v1/teachers/t-private/ledger"

    async with events.as_role("teacher", sub="t-nosy") as nosy:
        by_nosy = await nosy.get(url)
        for_nobody = await nosy.get("/v1/teachers/t-nobody/ledger")
    async with a_manager(events, event["host_centre_id"]) as manager:
        by_manager = await manager.get(url)
    async with events.as_role("platform_admin") as admin:
        by_admin = await admin.get(url)

    assert (by_nosy.status_code, by_manager.status_code) == (404, 404)
    # The same answer as for a teacher with no ledger at all: nothing leaks about existence.
    assert (for_nobody.status_code, for_nobody.json()["type"]) == (404, by_nosy.json()["type"])
    assert hours(by_admin.json()["total_hours"]) == Decimal(3)


# --- credits from other services -----------------------------------------------------------


async def test_a_credit_posted_twice_with_the_same_key_appears_once(
    events: ServiceHarness,
) -> None:
    async with a_ledger_writer(events) as writer:
        first = await writer.post("/v1/ledger/credits", json=a_credit())
        retry = await writer.post("/v1/ledger/credits", json=a_credit())

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    ledger = await ledger_of(events, "t-credit")
    assert [e["id"] for e in ledger["entries"]] == [first.json()["id"]]
    assert hours(ledger["total_hours"]) == Decimal("12.5")
    assert ledger["by_centre"] == [{"centre_id": None, "hours": "12.50"}]


@pytest.mark.parametrize(
    "change",
    [{"hours": "13"}, {"teacher_id": "t-someone-else"}],
    ids=["different hours", "different teacher"],
)
async def test_the_same_credit_key_for_a_different_credit_is_a_409(
    events: ServiceHarness, change: dict[str, Any]
) -> None:
    async with a_ledger_writer(events) as writer:
        first = await writer.post("/v1/ledger/credits", json=a_credit())
        clash = await writer.post("/v1/ledger/credits", json=a_credit(**change))

    assert (first.status_code, clash.status_code) == (201, 409)
    assert clash.json()["differing_fields"] == list(change)
    assert hours((await ledger_of(events, "t-credit"))["total_hours"]) == Decimal("12.5")


async def test_only_admins_and_ledger_writers_may_post_credits(events: ServiceHarness) -> None:
    async with events.as_role("teacher", sub="t-credit") as teacher:
        self_service = await teacher.post("/v1/ledger/credits", json=a_credit())
    async with events.as_role("platform_admin") as admin:
        by_admin = await admin.post("/v1/ledger/credits", json=a_credit(source_key="k-2"))
        forged = await admin.post("/v1/ledger/credits", json=a_credit(source="attendance"))

    assert (self_service.status_code, by_admin.status_code, forged.status_code) == (403, 201, 422)


# --- certificates ----------------------------------------------------------------------------

# The shape the certificate promises (ELM v3 / EDC JSON-LD): key → type, nested where needed.
PERIOD = {"type": str, "startDate": str, "endDate": str}
CERTIFICATE_SHAPE: dict[str, Any] = {
    "@context": list,
    "id": str,
    "type": list,
    "issuer": {"id": str, "type": str, "legalName": dict},
    "issuanceDate": str,
    "validFrom": str,
    "credentialSubject": {
        "id": str,
        "type": str,
        "identifier": {"notation": str},
        "hasClaim": {
            "id": str,
            "type": str,
            "title": dict,
            "workload": str,
            "temporal": PERIOD,
            "awardedBy": {"type": str, "awardingBody": list},
            "hasPart": list,
        },
    },
}
SESSION_PART_SHAPE = {"id": str, "type": str, "title": dict, "workload": str, "temporal": PERIOD}


def assert_shape(document: Any, shape: dict[str, Any], path: str = "$") -> None:
    assert isinstance(document, dict), f"{path} is not an object"
    for key, expected in shape.items():
        assert key in document, f"{path}.{key} is missing"
        if isinstance(expected, dict):
            assert_shape(document[key], expected, f"{path}.{key}")
        else:
            assert isinstance(document[key], expected), f"{path}.{key} is not a {expected}"


async def test_the_certificate_has_the_elm_shape_and_the_credited_workload(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    host = await a_host_centre(directory, name={"en": "LUMA Centre Finland", "fi": "LUMA-keskus"})
    event = await an_event_with_sessions(events, host, "3", "4.5", "2")
    registration = await a_confirmed_registration(events, event, "t-certified")
    first, second, third = event["sessions"]
    await record(
        events,
        event,
        mark(registration, first, "present"),
        mark(registration, second, "present"),
        mark(registration, third, "absent"),
    )
    url = f"/v1/registrations/{registration}/certificate"

    async with events.as_role("teacher", sub="t-certified") as teacher:
        response = await teacher.get(url)
        again = await teacher.get(url)
    async with a_manager(events, host) as manager:
        by_staff = await manager.get(url)
    async with events.as_role("teacher", sub="t-nosy") as nosy:
        by_nosy = await nosy.get(url)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    credential = response.json()
    assert_shape(credential, CERTIFICATE_SHAPE)
    assert credential["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert "http://data.europa.eu/snb/model/context/edc-ap" in credential["@context"]
    assert credential["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["issuer"]["id"] == f"urn:pdnet:centre:{host}"
    assert credential["issuer"]["legalName"]["en"] == "LUMA Centre Finland"
    subject = credential["credentialSubject"]
    assert subject["identifier"]["notation"] == "t-certified"
    claim = subject["hasClaim"]
    assert claim["workload"] == "PT7H30M"  # 3 + 4.5 credited hours; the absence earns nothing
    assert claim["title"] == event["title"]
    assert datetime.fromisoformat(claim["temporal"]["startDate"]) == datetime.fromisoformat(
        event["starts_at"]
    )
    assert [p["workload"] for p in claim["hasPart"]] == ["PT3H", "PT4H30M"]
    for part in claim["hasPart"]:
        assert_shape(part, SESSION_PART_SHAPE)
    assert again.json() == credential  # built from stored facts: same facts, same credential
    assert by_staff.json() == credential
    assert by_nosy.status_code == 404


async def test_no_certificate_for_a_registration_that_was_not_attended(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event_with_sessions(events, await a_host_centre(directory), "3")
    registration = await a_confirmed_registration(events, event, "t-absent")
    url = f"/v1/registrations/{registration}/certificate"

    async with events.as_role("teacher", sub="t-absent") as teacher:
        before = await teacher.get(url)
        await record(events, event, mark(registration, event["sessions"][0], "absent"))
        after_absence = await teacher.get(url)

    assert (before.status_code, before.json()["current_status"]) == (409, "confirmed")
    assert (after_absence.status_code, after_absence.json()["current_status"]) == (409, "no_show")
    assert "no_show" in after_absence.json()["detail"]


@pytest.mark.parametrize(
    ("workload_hours", "duration"),
    [("7.5", "PT7H30M"), ("8", "PT8H"), ("0.25", "PT15M"), ("0.01", "PT36S"), ("0", "PT0H")],
)
def test_workload_is_an_iso_8601_duration_of_the_hours(workload_hours: str, duration: str) -> None:
    assert iso_duration(Decimal(workload_hours)) == duration


# --- bad input -------------------------------------------------------------------------------


def _minutes_on_present(registration: str, session: dict[str, Any], _: dict[str, Any]) -> dict:
    return mark(registration, session, "present", minutes=30)


def _session_of_another_event(
    registration: str, _: dict[str, Any], other_event: dict[str, Any]
) -> dict:
    return mark(registration, other_event["sessions"][0], "present")


def _unknown_registration(_: str, session: dict[str, Any], __: dict[str, Any]) -> dict:
    return mark("0190a8d2-0000-7000-8000-000000000000", session, "present")


@pytest.mark.parametrize(
    ("bad_record", "field"),
    [
        (_minutes_on_present, "body.records.1"),
        (_session_of_another_event, "body.records.1.session_id"),
        (_unknown_registration, "body.records.1.registration_id"),
    ],
    ids=["minutes on present", "session of another event", "unknown registration"],
)
async def test_bad_records_are_refused_whole_with_a_422_naming_the_record(
    events: ServiceHarness, directory: ServiceHarness, bad_record: Any, field: str
) -> None:
    host = await a_host_centre(directory)
    event = await an_event_with_sessions(events, host, "3")
    other_event = await an_event_with_sessions(events, host, "2")
    registration = await a_confirmed_registration(events, event, "t-sheet")
    session = event["sessions"][0]
    good = mark(registration, session, "present")

    async with a_manager(events, host) as manager:
        response = await manager.post(
            f"/v1/events/{event['id']}/attendance",
            json={"records": [good, bad_record(registration, session, other_event)]},
        )
        listed = (await manager.get(f"/v1/events/{event['id']}/attendance")).json()

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["detail"].startswith(field)
    assert listed["items"] == []  # the good record was not written either
    assert (await ledger_of(events, "t-sheet"))["entries"] == []


async def test_a_waitlisted_registration_cannot_be_marked(
    events: ServiceHarness, directory: ServiceHarness
) -> None:
    event = await an_event_with_sessions(
        events, await a_host_centre(directory), "3", capacity=0, waitlist_capacity=1
    )
    status, waiting = await register(events, event["id"], "t-waiting")
    assert (status, waiting["status"]) == (201, "waitlisted")

    async with a_manager(events, event["host_centre_id"]) as manager:
        response = await manager.post(
            f"/v1/events/{event['id']}/attendance",
            json={"records": [mark(waiting["id"], event["sessions"][0], "present")]},
        )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.records.0.registration_id"
    assert "waitlisted" in response.json()["errors"][0]["message"]
