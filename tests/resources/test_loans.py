"""Loans: check-out against a reservation, check-in with a condition report and consumables,
restock tasks, renewals within limits, overdue detection."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from resources.models import Loan, RestockTask
from resources.worker import mark_overdue
from shared.testing import ServiceHarness
from tests.resources.builders import a_centre, a_kit, as_date, day, free_per_day, reserve


async def _staff(resources: ServiceHarness, owner: str, method: str, path: str, **kw: Any) -> Any:
    async with resources.as_role("centre_manager", centres=[owner]) as manager:
        return await manager.request(method, path, **kw)


async def _lent_kit(
    resources: ServiceHarness, owner: str, **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    kit = await a_kit(
        resources,
        owner,
        **({"quantity": 2} | overrides),
        components=[
            {"name": {"en": "Board"}, "quantity": 1},
            {
                "name": {"en": "Agar plates"},
                "quantity": 10,
                "consumable": True,
                "stock": 25,
                "restock_below": 10,
            },
        ],
    )
    _, reservation = await reserve(resources, kit["id"], "t1", 0, 3)
    response = await _staff(
        resources, owner, "POST", f"/v1/reservations/{reservation['id']}/checkout", json={}
    )
    assert response.status_code == 201, response.text
    return kit, response.json()


async def test_check_out_hands_out_items_and_check_in_records_their_condition(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit, loan = await _lent_kit(resources, owner)
    item = loan["item_ids"][0]
    checked_in = await _staff(
        resources,
        owner,
        "POST",
        f"/v1/loans/{loan['id']}/checkin",
        json={"items": [{"item_id": item, "condition": "damaged", "notes": "cracked lid"}]},
    )
    async with resources.as_role("teacher", sub="t1") as borrower:
        mine = (await borrower.get("/v1/loans")).json()["items"]
        reservations = (await borrower.get("/v1/reservations")).json()["items"]
    items = (await _staff(resources, owner, "GET", f"/v1/kits/{kit['id']}/items")).json()
    assert loan["due_on"] == day(3) and loan["status"] == "out"
    assert checked_in.json()["status"] == "returned"
    assert [m["id"] for m in mine] == [loan["id"]]
    assert reservations[0]["status"] == "returned"
    assert {i["id"]: i["condition"] for i in items["items"]}[item] == "damaged"


async def test_consumables_used_refill_from_stock_and_open_one_restock_task_when_low(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit, loan = await _lent_kit(resources, owner)
    plates = kit["components"][1]["id"]
    response = await _staff(
        resources,
        owner,
        "POST",
        f"/v1/loans/{loan['id']}/checkin",
        json={"consumables_used": [{"component_id": plates, "quantity": 20}]},
    )
    assert response.status_code == 200, response.text
    read = (await _staff(resources, owner, "GET", f"/v1/kits/{kit['id']}")).json()
    async with resources.session() as session:
        tasks = list((await session.execute(select(RestockTask))).scalars())
    assert read["components"][1]["stock"] == 5
    assert [(t.component_id, t.stock, t.threshold, t.status) for t in tasks] == [
        (uuid.UUID(plates), 5, 10, "open")
    ]


async def test_a_loan_renews_within_the_limit_only_while_nobody_else_booked_the_days(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit, loan = await _lent_kit(resources, owner, max_renewals=1, quantity=1)
    async with resources.as_role("teacher", sub="t1") as borrower:
        renewed = await borrower.post(f"/v1/loans/{loan['id']}/renew", json={"days": 2})
        again = await borrower.post(f"/v1/loans/{loan['id']}/renew", json={"days": 1})
    blocked_by_renewal = await reserve(resources, kit["id"], "t2", 5, 5)
    assert renewed.status_code == 200 and renewed.json()["due_on"] == day(5)
    assert again.status_code == 409
    assert blocked_by_renewal[0] == 409
    assert (await reserve(resources, kit["id"], "t2", 6, 6))[0] == 201


async def test_a_renewal_into_someone_elses_booking_is_refused_and_changes_nothing(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit, loan = await _lent_kit(resources, owner, quantity=1)
    assert (await reserve(resources, kit["id"], "t2", 5, 6))[0] == 201
    async with resources.as_role("teacher", sub="t1") as borrower:
        refused = await borrower.post(f"/v1/loans/{loan['id']}/renew", json={"days": 2})
        still = (await borrower.get(f"/v1/loans/{loan['id']}")).json()
    assert refused.status_code == 409
    assert still["due_on"] == day(3) and still["renewals"] == 0
    # The loan still holds its own days: giving them back was undone with the refusal.
    assert await free_per_day(resources, kit["id"], 0, 4) == [0, 0, 0, 0, 1]


async def test_the_worker_marks_loans_overdue_once_their_due_date_has_passed(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    _, loan = await _lent_kit(resources, owner)
    on_time = await mark_overdue(resources.db, today=as_date(3))
    late = await mark_overdue(resources.db, today=as_date(4))
    again = await mark_overdue(resources.db, today=as_date(5))
    overdue = await _staff(
        resources, owner, "GET", "/v1/loans", params={"centre": owner, "overdue": True}
    )
    async with resources.session() as session:
        stored = await session.get(Loan, loan["id"])
    assert (on_time.loans_overdue, late.loans_overdue, again.loans_overdue) == (0, 1, 0)
    assert stored is not None and stored.overdue_since == as_date(4)
    assert [item["id"] for item in overdue.json()["items"]] == [loan["id"]]
    assert overdue.json()["items"][0]["overdue"] is True


async def test_only_the_owners_staff_check_out_and_a_teacher_cannot_see_others_loans(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    owner = await a_centre(directory)
    kit = await a_kit(resources, owner)
    _, reservation = await reserve(resources, kit["id"], "t1", 0, 1)
    async with resources.as_role("teacher", sub="t1") as borrower:
        own_checkout = await borrower.post(
            f"/v1/reservations/{reservation['id']}/checkout", json={}
        )
    _, loan = await _lent_kit(resources, owner)
    async with resources.as_role("teacher", sub="stranger") as stranger:
        seen = await stranger.get(f"/v1/loans/{loan['id']}")
        centre_loans = await stranger.get("/v1/loans", params={"centre": owner})
    assert own_checkout.status_code == 403
    assert seen.status_code == 404
    assert centre_loans.status_code == 403
