"""The demo exchange data: offers between the seed networks' centres, applications in several
states, consistent with its own invariants and with the directory's demo records."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from directory.demo.load import demo_id as directory_demo_id
from directory.demo.load import seed as seed_directory
from exchange.demo.load import demo_data, seed
from exchange.models import DAY_HOLDING, PLACE_HOLDING, Application, EducatorDay, Offer, Transition
from shared.testing import ServiceHarness


async def test_the_demo_has_offers_between_networks_and_applications_in_several_states(
    exchange: ServiceHarness,
) -> None:
    async with exchange.session() as session:
        summary = await seed(session)
        await session.commit()
        offers = list((await session.execute(select(Offer))).scalars())
        applications = list((await session.execute(select(Application))).scalars())
        days = await session.scalar(select(func.count()).select_from(EducatorDay))
        transitions = Counter((await session.execute(select(Transition.application_id))).scalars())
        again = await seed(session)
    assert "offers" in summary
    assert "left as it is" in again
    assert {o.host_country for o in offers} >= {"FI", "FR", "GB", "AT", "IT"}
    assert {o.kind for o in offers} == {
        "job_shadowing",
        "teaching_assignment",
        "co_development",
        "research_visit",
    }
    assert sum(1 for o in offers if len(o.title) > 1) >= 4
    statuses = Counter(a.status for a in applications)
    assert set(statuses) >= {"submitted", "home_approved", "accepted", "confirmed", "completed"}
    assert set(statuses) >= {"declined", "withdrawn", "cancelled"}
    for offer in offers:
        held = sum(1 for a in applications if a.offer_id == offer.id and a.status in PLACE_HOLDING)
        assert offer.places_taken == held <= offer.places
    assert days == sum(
        (a.ends_on - a.starts_on).days + 1 for a in applications if a.status in DAY_HOLDING
    )
    assert all(transitions[a.id] == a.version for a in applications)
    luma = next(
        o for o in offers if o.host_centre_id == directory_demo_id("centre", "fi-luma-helsinki")
    )
    [visitor] = [a for a in applications if a.offer_id == luma.id and a.status == "confirmed"]
    assert visitor.home_centre_id == directory_demo_id("centre", "fr-mps-alsace")


async def test_demo_educators_act_with_their_directory_logins(
    exchange: ServiceHarness, directory: ServiceHarness
) -> None:
    async with directory.session() as session:
        await seed_directory(session)
        await session.commit()
    async with exchange.session() as session:
        await seed(session)
        await session.commit()
    lemoine = demo_data()["educators"]["edu-fr-lemoine"]
    assert lemoine["id"] == str(directory_demo_id("educator", "edu-fr-lemoine"))
    async with exchange.as_role("educator", sub=lemoine["subject"]) as educator:
        mine = (await educator.get("/v1/applications")).json()["items"]
        matches = await educator.get("/v1/offer-matches", params={"educator_id": lemoine["id"]})
    assert [a["status"] for a in mine] == ["confirmed"]
    async with directory.as_role("educator", sub=lemoine["subject"]) as educator:
        record = (await educator.get(f"/v1/educators/{lemoine['id']}")).json()
    assert record["user_subject"] == lemoine["subject"]
    assert matches.status_code == 200, matches.text
    assert matches.json()["items"], "the demo has offers for a biology educator"
