"""The export of completed exchanges in the shape of Erasmus+ mobility reporting."""

from __future__ import annotations

import csv
import io

from shared.testing import ServiceHarness
from tests.exchange.builders import act, advance, an_exchange, apply


async def test_completed_exchanges_export_as_mobility_records_in_json_and_csv(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory, kind="teaching_assignment")
    done = await apply(world, 20, 24)
    await advance(world, done["id"], "completed")
    running = await apply(world, 40, 45, educator_id=world.educator)  # not finished: left out
    await act(world.home_manager(), running["id"], "approve")
    async with directory.as_role("platform_admin") as admin:
        home = (await admin.get(f"/v1/centres/{world.home}")).json()
        host = (await admin.get(f"/v1/centres/{world.host}")).json()

    async with world.home_manager() as manager:
        as_json = await manager.get("/v1/mobilities")
        as_csv = await manager.get("/v1/mobilities", params={"format": "csv"})
    assert as_json.status_code == 200, as_json.text
    [record] = as_json.json()
    assert record == {
        "mobility_id": done["id"],
        "activity_type": "Teaching or training assignment",
        "offer_kind": "teaching_assignment",
        "topic": "Shadowing the science camps",
        "participant_id": world.educator,
        "participant_category": "teacher_educator",
        "start_date": done["starts_on"],
        "end_date": done["ends_on"],
        "duration_days": 5,
        "sending_organisation_oid": home["identifiers"][0]["value"],
        "sending_organisation_pic": None,
        "sending_organisation_id": f"urn:pdnet:centre:{world.home}",
        "sending_country": "FR",
        "receiving_organisation_oid": host["identifiers"][0]["value"],
        "receiving_organisation_pic": None,
        "receiving_organisation_id": f"urn:pdnet:centre:{world.host}",
        "receiving_country": "FI",
        "cpd_hours": "30.00",
        "recognised": False,
    }
    assert as_csv.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert row["mobility_id"] == done["id"]
    assert row["sending_organisation_oid"] == record["sending_organisation_oid"]
    assert row["sending_organisation_pic"] == ""
    assert row["duration_days"] == "5"


async def test_the_export_holds_only_what_the_caller_may_see(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    world = await an_exchange(exchange, directory)
    done = await apply(world, 20, 24)
    await advance(world, done["id"], "completed")
    async with world.stranger() as stranger:
        assert (await stranger.get("/v1/mobilities")).json() == []
    async with world.applicant() as applicant:
        assert [r["mobility_id"] for r in (await applicant.get("/v1/mobilities")).json()] == [
            done["id"]
        ]
        mine = await applicant.get("/v1/mobilities", params={"from": done["ends_on"] + "x"})
        assert mine.status_code == 422
    async with exchange.client() as anonymous:
        assert (await anonymous.get("/v1/mobilities")).status_code == 401
