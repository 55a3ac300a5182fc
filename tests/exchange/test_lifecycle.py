"""The whole workflow over REST: each transition by its party, refusals for every other
party, 409s that say where an application can go, and the history of who did what."""

from __future__ import annotations

import uuid

import pytest

from shared.testing import ServiceHarness
from tests.exchange.builders import STEPS_TO, act, advance, an_educator, an_exchange, apply, day


async def test_an_exchange_runs_from_application_to_recognition_with_its_history(
    exchange: ServiceHarness, directory: ServiceHarness, events: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application = await apply(world, 20, 26)
    assert application["status"] == "submitted"
    assert application["days"] == 7
    assert application["cpd_hours"] == "42.00"
    assert application["home_centre_id"] == world.home

    completed = await advance(world, application["id"], "completed")
    assert completed["status"] == "completed"
    assert completed["agreement"]["starts_on"] == application["starts_on"]
    assert completed["home_report"] == {"en": "I learnt how to run camps."}

    recognised = await act(world.home_manager(), application["id"], "recognise")
    assert recognised.status_code == 200, recognised.text
    assert recognised.json()["status"] == "recognised"

    async with events.as_role("educator", sub=world.sub) as educator:
        ledger = (await educator.get(f"/v1/teachers/{world.sub}/ledger")).json()
    assert ledger["total_hours"] == "42.00"
    [entry] = ledger["entries"]
    assert entry["source"] == "exchange"
    assert entry["source_key"] == application["id"]
    assert entry["id"] == recognised.json()["ledger_entry_id"]

    async with world.applicant() as client:
        history = (await client.get(f"/v1/applications/{application['id']}/history")).json()
    steps = [(h["action"], h["from_status"], h["to_status"], h["side"]) for h in history["items"]]
    assert steps == [
        ("submit", None, "submitted", "applicant"),
        ("approve", "submitted", "home_approved", "home"),
        ("accept", "home_approved", "accepted", "host"),
        ("confirm", "accepted", "accepted", "home"),
        ("confirm", "accepted", "confirmed", "host"),
        ("start", "confirmed", "in_progress", "host"),
        ("report", "in_progress", "in_progress", "applicant"),
        ("report", "in_progress", "completed", "host"),
        ("recognise", "completed", "recognised", "home"),
    ]
    assert history["items"][1]["actor"] == f"m-{world.home}"
    assert all(h["at"] for h in history["items"])


# (status the application is in, action, body, whose step it is, who else is refused)
STEPS = [
    ("submitted", "approve", None, "home", ["applicant", "host"]),
    (
        "submitted",
        "decline",
        {"reason": "No cover for your classes."},
        "home",
        ["applicant", "host"],
    ),
    ("home_approved", "decline", {"reason": "Places promised."}, "host", ["applicant", "home"]),
    ("home_approved", "accept", None, "host", ["applicant", "home"]),
    ("accepted", "confirm", None, "home", ["applicant"]),
    ("accepted", "confirm", None, "host", ["applicant"]),
    ("confirmed", "start", None, "host", ["applicant", "home"]),
    ("in_progress", "report", {"report": {"en": "Done."}}, "applicant", []),
    ("completed", "recognise", None, "home", ["applicant", "host"]),
    ("submitted", "withdraw", None, "applicant", ["home", "host"]),
    ("confirmed", "withdraw", {"reason": "Ill."}, "applicant", ["home", "host"]),
    ("accepted", "cancel", {"reason": "The building is closed."}, "host", ["applicant"]),
    ("in_progress", "cancel", {"reason": "Needed at home."}, "home", ["applicant"]),
]


@pytest.mark.parametrize(
    ("status", "action", "body", "party", "refused"),
    STEPS,
    ids=[f"{s[1]}-by-{s[3]}-when-{s[0]}" for s in STEPS],
)
async def test_each_step_is_refused_to_the_other_parties_and_hidden_from_strangers(
    exchange: ServiceHarness,
    directory: ServiceHarness,
    status: str,
    action: str,
    body: object,
    party: str,
    refused: list[str],
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    await advance(world, application_id, status)
    for other in refused:
        response = await act(world.party(other), application_id, action, body)
        assert response.status_code == 403, (other, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    hidden = await act(world.stranger(), application_id, action, body)
    assert hidden.status_code == 404
    async with world.applicant() as client:
        unchanged = (await client.get(f"/v1/applications/{application_id}")).json()
    assert unchanged["status"] == status
    assert unchanged["version"] == len(STEPS_TO[status]) + 1

    done = await act(world.party(party), application_id, action, body)
    assert done.status_code == 200, done.text
    async with world.applicant() as client:
        history = (await client.get(f"/v1/applications/{application_id}/history")).json()
    last = history["items"][-1]
    assert (last["action"], last["from_status"], last["side"]) == (action, status, party)
    assert last["to_status"] == done.json()["status"]
    assert last["reason"] == (body or {}).get("reason")


async def test_an_illegal_transition_is_a_409_naming_the_state_and_where_it_can_go(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    await advance(world, application_id, "home_approved")

    response = await act(world.host_manager(), application_id, "start")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("illegal-transition")
    assert problem["current_status"] == "home_approved"
    assert problem["allowed_next"] == ["accepted", "declined", "submitted", "withdrawn"]
    assert "home_approved" in problem["detail"]

    declined = await act(world.host_manager(), application_id, "decline", {"reason": "Full."})
    assert declined.json()["status"] == "declined"
    again = await act(world.home_manager(), application_id, "approve")
    assert again.status_code == 409
    assert again.json()["allowed_next"] == []
    assert "final" in again.json()["detail"]


async def test_a_side_confirms_the_agreement_only_once(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    await advance(world, application_id, "accepted")
    first = await act(world.home_manager(), application_id, "confirm")
    assert first.json()["home_confirmed_at"] is not None
    assert first.json()["status"] == "accepted"
    twice = await act(world.home_manager(), application_id, "confirm")
    assert twice.status_code == 409
    assert twice.json()["current_status"] == "accepted"


async def test_declines_and_cancellations_need_a_reason(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    for body in (None, {}, {"reason": "   "}):
        response = await act(world.home_manager(), application_id, "decline", body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"].startswith("body")
    await advance(world, application_id, "accepted")
    response = await act(world.host_manager(), application_id, "cancel", {})
    assert response.status_code == 422


async def test_changing_the_dates_of_a_confirmed_exchange_reopens_approval_and_frees_its_place(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory, places=1)
    application = await apply(world, 20, 24)
    confirmed = await advance(world, application["id"], "confirmed")
    assert confirmed["agreement"]["ends_on"] == application["ends_on"]
    async with exchange.client() as public:
        offer = (await public.get(f"/v1/offers/{world.offer['id']}")).json()
    assert offer["places_left"] == 0

    async with world.applicant() as client:
        stale = await client.patch(
            f"/v1/applications/{application['id']}",
            json={"ends_on": day(27)},
            headers={"If-Match": '"1"'},
        )
        assert stale.status_code == 412
        amended = await client.patch(
            f"/v1/applications/{application['id']}",
            json={"ends_on": day(27), "reason": "The camp runs longer."},
            headers={"If-Match": f'"{confirmed["version"]}"'},
        )
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert body["status"] == "submitted"
    assert body["days"] == 8
    assert body["cpd_hours"] == "48.00"
    assert body["agreement"] is None
    assert body["home_confirmed_at"] is None and body["host_confirmed_at"] is None
    async with exchange.client() as public:
        offer = (await public.get(f"/v1/offers/{world.offer['id']}")).json()
    assert offer["places_left"] == 1

    reconfirmed = await advance(world, application["id"], "confirmed")
    assert reconfirmed["agreement"]["ends_on"] == day(27)


async def test_submission_checks_the_dates_the_educator_and_duplicates(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    url = f"/v1/offers/{world.offer['id']}/applications"
    good = {
        "educator_id": world.educator,
        "starts_on": day(20),
        "ends_on": day(25),
        "motivation": {"en": "Why not."},
    }
    async with world.applicant() as client:
        for change, field in [
            ({"starts_on": day(5)}, "body.starts_on"),  # before the window
            ({"ends_on": day(21)}, "body.ends_on"),  # 2 days; the offer takes 3 to 20
            ({"ends_on": day(60)}, "body.ends_on"),  # 41 days
            ({"starts_on": day(-3), "ends_on": day(3)}, "body.starts_on"),  # in the past
        ]:
            response = await client.post(url, json=good | change)
            assert response.status_code == 422, change
            assert response.json()["errors"][0]["field"] == field, response.json()
        response = await client.post(url, json=good | {"ends_on": day(19)})
        assert response.status_code == 422  # ends before it starts
        response = await client.post(url, json=good | {"educator_id": str(uuid.uuid4())})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.educator_id"
        assert (await client.post(url, json=good)).status_code == 201
        duplicate = await client.post(url, json=good)
        assert duplicate.status_code == 409
        assert duplicate.json()["type"].endswith("already-applied")

    other = await an_educator(directory, world.home, "another-educator")
    async with world.applicant() as client:
        for_someone_else = await client.post(url, json=good | {"educator_id": other})
    assert for_someone_else.status_code == 403

    colleague = await an_educator(directory, world.host, "host-colleague")
    async with exchange.as_role("educator", sub="host-colleague") as client:
        own_centre = await client.post(url, json=good | {"educator_id": colleague})
    assert own_centre.status_code == 422


async def test_a_retried_submission_with_the_same_idempotency_key_gets_the_first_answer(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    url = f"/v1/offers/{world.offer['id']}/applications"
    body = {
        "educator_id": world.educator,
        "starts_on": day(20),
        "ends_on": day(25),
        "motivation": {"en": "Why not."},
    }
    async with world.applicant() as client:
        first = await client.post(url, json=body, headers={"Idempotency-Key": "k1"})
        retry = await client.post(url, json=body, headers={"Idempotency-Key": "k1"})
        other = await client.post(
            url, json=body | {"ends_on": day(26)}, headers={"Idempotency-Key": "k1"}
        )
        mine = await client.get("/v1/applications")
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert [a["id"] for a in mine.json()["items"]] == [first.json()["id"]]


async def test_applications_are_seen_by_the_applicant_and_both_centres_only(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    for party in ("applicant", "home", "host"):
        async with world.party(party) as client:
            assert (await client.get(f"/v1/applications/{application_id}")).status_code == 200
            listed = (await client.get("/v1/applications")).json()["items"]
            assert [a["id"] for a in listed] == [application_id], party
            offer_list = await client.get(f"/v1/offers/{world.offer['id']}/applications")
            assert [a["id"] for a in offer_list.json()["items"]] == [application_id], party
    async with world.stranger() as client:
        assert (await client.get(f"/v1/applications/{application_id}")).status_code == 404
        assert (await client.get(f"/v1/applications/{application_id}/history")).status_code == 404
        assert (await client.get("/v1/applications")).json()["items"] == []
        offer_list = await client.get(f"/v1/offers/{world.offer['id']}/applications")
        assert offer_list.json()["items"] == []
    async with exchange.client() as anonymous:
        assert (await anonymous.get(f"/v1/applications/{application_id}")).status_code == 401


async def test_someone_managing_both_centres_confirms_and_reports_each_side_in_turn(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    application_id = (await apply(world))["id"]
    both = {"centres": [world.home, world.host], "sub": "both-sides"}
    for action in ("approve", "accept", "confirm", "confirm", "start"):
        response = await act(exchange.as_role("centre_manager", **both), application_id, action)
        assert response.status_code == 200, (action, response.text)
    assert response.json()["status"] == "in_progress"
    report = {"report": {"en": "Fine."}}
    first = await act(exchange.as_role("centre_manager", **both), application_id, "report", report)
    assert first.json()["home_report"] == {"en": "Fine."}
    second = await act(exchange.as_role("centre_manager", **both), application_id, "report", report)
    assert second.json()["status"] == "completed"
    host_only = {"report": {"en": "Again."}, "side": "host"}
    again = await act(
        exchange.as_role("centre_manager", **both), application_id, "report", host_only
    )
    assert again.status_code == 409
