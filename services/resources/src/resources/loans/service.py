"""Rules for loans: hand items out against a reservation, take them back with a condition
report, refill consumables (opening a restock task when the spare stock runs low), renew."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resources import domain_events
from resources.access import ensure_manages_owner, manages_owner
from resources.availability import days
from resources.catalogue.repository import in_service_items
from resources.errors import IllegalTransition, LoanNotFound, ReservationConflict
from resources.loans.schemas import CheckIn, CheckOut, Renewal
from resources.models import Kit, KitComponent, KitItem, Loan, RestockTask
from resources.reservations.repository import lock_reservation
from resources.reservations.service import visible_reservation
from shared.auth import Principal
from shared.clock import utcnow
from shared.problems import InvalidInput

_BEST_FIRST = {"new": 0, "good": 1, "fair": 2, "poor": 3, "damaged": 4}


async def check_out(
    session: AsyncSession,
    *,
    principal: Principal,
    reservation_id: uuid.UUID,
    data: CheckOut,
    directory: httpx.AsyncClient,
) -> Loan:
    _, kit = await visible_reservation(
        session, principal=principal, reservation_id=reservation_id, directory=directory
    )
    await ensure_manages_owner(principal, kit.owner_centre_id, directory)
    locked_kit = await days.lock_kit(session, kit.id, exclusive=False)
    assert locked_kit is not None
    reservation = await lock_reservation(session, reservation_id)
    if reservation.status != "confirmed":
        raise IllegalTransition(
            f"Only a confirmed reservation is checked out; this one is {reservation.status}.",
            current_status=reservation.status,
        )
    if utcnow().date() > reservation.ends_on:
        raise IllegalTransition("The reservation's dates have passed.", current_status="confirmed")
    items = await _free_items(session, kit.id)
    chosen = _choose(items, data.item_ids, reservation.quantity)
    loan = Loan(
        reservation_id=reservation.id,
        kit_id=kit.id,
        borrower_id=reservation.borrower_id,
        item_ids=[i.id for i in chosen],
        status="out",
        due_on=reservation.ends_on,
        checked_out_by=principal.subject,
    )
    reservation.status, reservation.updated_at = "checked_out", utcnow()
    session.add(loan)
    await session.flush()
    await domain_events.loans_changed(session, "loan.checked_out", [loan])
    return loan


async def _free_items(session: AsyncSession, kit_id: uuid.UUID) -> list[KitItem]:
    """In-service items of the kit not out on another loan, best kept first."""
    out = await session.execute(
        select(func.unnest(Loan.item_ids)).where(Loan.kit_id == kit_id, Loan.status == "out")
    )
    lent = set(out.scalars())
    items = [i for i in await in_service_items(session, kit_id) if i.id not in lent]
    return sorted(items, key=lambda i: _BEST_FIRST[i.condition])


def _choose(items: list[KitItem], wanted: list[uuid.UUID] | None, count: int) -> list[KitItem]:
    if wanted is None:
        if len(items) < count:
            raise IllegalTransition(
                f"Only {len(items)} items are on the shelf; {count} are reserved.",
                current_status="confirmed",
            )
        return items[:count]
    by_id = {i.id: i for i in items}
    missing = [str(w) for w in wanted if w not in by_id]
    if missing or len(wanted) != count:
        raise InvalidInput(
            f"item_ids: give {count} ids of free items of this kit",
            errors=[{"field": "body.item_ids", "message": f"not free or not here: {missing}"}],
        )
    return [by_id[w] for w in wanted]


async def visible_loan(
    session: AsyncSession, *, principal: Principal, loan_id: uuid.UUID, directory: httpx.AsyncClient
) -> tuple[Loan, Kit]:
    loan = await session.get(Loan, loan_id)
    if loan is not None:
        kit = await session.get(Kit, loan.kit_id)
        assert kit is not None
        if principal.subject == loan.borrower_id or await manages_owner(
            principal, kit.owner_centre_id, directory
        ):
            return loan, kit
    raise LoanNotFound(f"No loan of yours has id {loan_id}.")


async def _locked_loan(session: AsyncSession, loan_id: uuid.UUID) -> Loan:
    result = await session.execute(
        select(Loan)
        .where(Loan.id == loan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


async def check_in(
    session: AsyncSession,
    *,
    principal: Principal,
    loan_id: uuid.UUID,
    data: CheckIn,
    directory: httpx.AsyncClient,
) -> Loan:
    _, kit = await visible_loan(session, principal=principal, loan_id=loan_id, directory=directory)
    await ensure_manages_owner(principal, kit.owner_centre_id, directory)
    loan = await _locked_loan(session, loan_id)
    if loan.status != "out":
        raise IllegalTransition("This loan was already checked in.", current_status=loan.status)
    await _record_conditions(session, loan, data)
    await _use_consumables(session, kit, data)
    reservation = await lock_reservation(session, loan.reservation_id)
    reservation.status, reservation.updated_at = "returned", utcnow()
    loan.status, loan.returned_at, loan.checked_in_by = "returned", utcnow(), principal.subject
    loan.condition_report = [r.model_dump(mode="json") for r in data.items]
    loan.consumables_used = [u.model_dump(mode="json") for u in data.consumables_used]
    await session.flush()
    await domain_events.loans_changed(session, "loan.returned", [loan])
    return loan


async def _record_conditions(session: AsyncSession, loan: Loan, data: CheckIn) -> None:
    unknown = [str(r.item_id) for r in data.items if r.item_id not in set(loan.item_ids)]
    if unknown:
        raise InvalidInput(
            "items: these items were not lent with this loan",
            errors=[{"field": "body.items", "message": f"not in the loan: {unknown}"}],
        )
    wanted = [r.item_id for r in data.items]
    rows = await session.execute(select(KitItem).where(KitItem.id.in_(wanted)))
    items = {item.id: item for item in rows.scalars()}
    for report in data.items:
        item = items[report.item_id]
        item.condition, item.notes, item.updated_at = report.condition, report.notes, utcnow()


async def _use_consumables(session: AsyncSession, kit: Kit, data: CheckIn) -> None:
    """Refills from spare stock; a component whose stock falls below its threshold gets a
    restock task (at most one open per component)."""
    wanted = [use.component_id for use in data.consumables_used]
    if not wanted:
        return
    # Locked: two check-ins of the same kit draw on the same shelf.
    rows = await session.execute(
        select(KitComponent)
        .where(KitComponent.id.in_(wanted), KitComponent.kit_id == kit.id)
        .order_by(KitComponent.id)
        .with_for_update()
    )
    components = {c.id: c for c in rows.scalars()}
    for use in data.consumables_used:
        component = components.get(use.component_id)
        if component is None or not component.consumable:
            raise InvalidInput(
                "consumables_used: not a consumable of this kit",
                errors=[{"field": "body.consumables_used", "message": str(use.component_id)}],
            )
        if component.stock is None:
            continue
        component.stock = max(component.stock - use.quantity, 0)
        if component.restock_below is not None and component.stock < component.restock_below:
            await _open_restock_task(session, component)
    await session.flush()


async def _open_restock_task(session: AsyncSession, component: KitComponent) -> None:
    assert component.stock is not None and component.restock_below is not None
    await session.execute(
        insert(RestockTask)
        .values(
            kit_id=component.kit_id,
            component_id=component.id,
            stock=component.stock,
            threshold=component.restock_below,
            status="open",
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(
            index_elements=[RestockTask.component_id],
            index_where=RestockTask.status == "open",
        )
    )


async def renew(
    session: AsyncSession,
    *,
    principal: Principal,
    loan_id: uuid.UUID,
    data: Renewal,
    directory: httpx.AsyncClient,
) -> Loan:
    """More days, within the kit's renewal limit, if nobody else has those days booked."""
    _, kit = await visible_loan(session, principal=principal, loan_id=loan_id, directory=directory)
    locked_kit = await days.lock_kit(session, kit.id, exclusive=False)
    assert locked_kit is not None
    loan = await _locked_loan(session, loan_id)
    reservation = await lock_reservation(session, loan.reservation_id)
    if loan.status != "out":
        raise IllegalTransition(
            "Only a loan that is out can be renewed.", current_status="returned"
        )
    if loan.renewals >= locked_kit.max_renewals:
        raise IllegalTransition(
            f"This kit is renewed at most {locked_kit.max_renewals} times.", current_status="out"
        )
    old = days.Booking(
        reservation.quantity, reservation.starts_on, reservation.ends_on, reservation.blocks_until
    )
    ends_on = reservation.ends_on + timedelta(days=data.days)
    buffer = reservation.blocks_until - reservation.ends_on
    new = days.Booking(reservation.quantity, reservation.starts_on, ends_on, ends_on + buffer)
    try:
        # Give back, then take the longer range: either both happen or neither does.
        async with session.begin_nested():
            await days.give_back(session, locked_kit, old)
            await days.take(session, locked_kit, new)
    except days.DaysTaken:
        raise ReservationConflict(
            f"The kit is booked by someone else within {data.days} days after {loan.due_on}.",
            requested=reservation.quantity,
        ) from None
    reservation.ends_on, reservation.blocks_until = new.ends_on, new.blocks_until
    reservation.updated_at = utcnow()
    loan.due_on, loan.renewals, loan.overdue_since = ends_on, loan.renewals + 1, None
    await session.flush()
    return loan
