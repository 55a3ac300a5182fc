"""Rules for the catalogue: who may add and change kits, and how the pool of items grows or
shrinks without ever dropping below what is already booked."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources import domain_events
from resources.access import ensure_manages_owner
from resources.availability import days
from resources.catalogue import repository
from resources.catalogue.schemas import ComponentIn, ItemUpdate, KitCreate, KitUpdate
from resources.errors import CalendarConflict, KitNotFound
from resources.models import Kit, KitComponent, KitDay, KitItem, Loan
from resources.reservations.queue import offer_to_waiting
from shared.auth import Principal
from shared.centre_directory import centre_facts
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.problems import InvalidInput, NotFound

_WORST_FIRST = {"damaged": 0, "poor": 1, "fair": 2, "good": 3, "new": 4}


async def get_kit(session: AsyncSession, *, kit_id: uuid.UUID) -> Kit:
    kits = await repository.get_kits(session, [kit_id])
    if kit_id not in kits:
        raise KitNotFound(f"No kit has id {kit_id}.")
    return kits[kit_id]


async def create_kit(
    session: AsyncSession, *, principal: Principal, data: KitCreate, directory: httpx.AsyncClient
) -> Kit:
    await ensure_manages_owner(principal, data.owner_centre_id, directory)
    # Asked before anything is written: a directory outage leaves nothing half-made.
    owner = await centre_facts(directory, data.owner_centre_id, field="owner_centre_id")
    kit = Kit(
        id=new_id(),
        **data.model_dump(exclude={"components", "serials"}),
        country=owner.country,
        region=owner.region,
        lat=owner.lat,
        lon=owner.lon,
        status="active",
    )
    session.add(kit)
    await session.flush()
    _add_components(session, kit.id, data.components)
    serials = data.serials or _serials(kit.code, start=1, count=data.quantity)
    session.add_all(KitItem(kit_id=kit.id, serial=s, condition="good") for s in serials)
    await session.flush()
    await domain_events.kit_changed(session, "kit.created", kit)
    return kit


def _serials(code: str | None, *, start: int, count: int) -> list[str]:
    return [f"{code or 'ITEM'}-{n:03d}" for n in range(start, start + count)]


def _add_components(
    session: AsyncSession, kit_id: uuid.UUID, components: list[ComponentIn]
) -> None:
    session.add_all(
        KitComponent(kit_id=kit_id, position=index, **component.model_dump())
        for index, component in enumerate(components)
    )


async def update_kit(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    patch: KitUpdate,
    if_match: str | None,
    directory: httpx.AsyncClient,
) -> Kit:
    # Exclusive: a pool change must not interleave with bookings (they hold the kit shared).
    kit = await days.lock_kit(session, kit_id, exclusive=True)
    if kit is None:
        raise KitNotFound(f"No kit has id {kit_id}.")
    await ensure_manages_owner(principal, kit.owner_centre_id, directory)
    check_if_match(if_match, kit.version)
    changes = patch.model_dump(exclude_unset=True)
    _check_consistent(kit, changes)
    components = changes.pop("components", None)
    quantity = changes.pop("quantity", kit.quantity)
    for key, value in changes.items():
        setattr(kit, key, value)
    grows = quantity > kit.quantity
    if quantity != kit.quantity:
        await _resize_pool(session, kit, quantity)
    if components is not None:
        await session.execute(delete(KitComponent).where(KitComponent.kit_id == kit.id))
        _add_components(session, kit.id, patch.components or [])
    kit.version += 1
    kit.updated_at = utcnow()
    await session.flush()
    await domain_events.kit_changed(
        session, "kit.updated", kit, changed=sorted(patch.model_fields_set)
    )
    if grows:
        await offer_to_waiting(session, kit, now=utcnow())
    return kit


def _check_consistent(kit: Kit, changes: dict[str, Any]) -> None:
    min_age = changes.get("min_age", kit.min_age)
    max_age = changes.get("max_age", kit.max_age)
    if min_age is not None and max_age is not None and min_age > max_age:
        raise InvalidInput(
            "min_age is above max_age",
            errors=[{"field": "body.min_age", "message": "above max_age"}],
        )
    if kit.kind == "digital" and changes.get("quantity"):
        raise InvalidInput(
            "quantity: a digital material has no items to lend",
            errors=[{"field": "body.quantity", "message": "must be 0 for digital materials"}],
        )
    if kit.kind == "digital" and "link" in changes and changes["link"] is None:
        raise InvalidInput(
            "link: a digital material needs a link",
            errors=[{"field": "body.link", "message": "required for digital materials"}],
        )


async def _resize_pool(session: AsyncSession, kit: Kit, quantity: int) -> None:
    items = await repository.in_service_items(session, kit.id)
    if quantity > len(items):
        total = await session.scalar(
            select(func.count()).select_from(KitItem).where(KitItem.kit_id == kit.id)
        )
        existing = set(
            (await session.execute(select(KitItem.serial).where(KitItem.kit_id == kit.id)))
            .scalars()
            .all()
        )
        fresh = [
            s
            for s in _serials(kit.code, start=int(total or 0) + 1, count=quantity - len(items))
            if s not in existing
        ]
        session.add_all(KitItem(kit_id=kit.id, serial=s, condition="new") for s in fresh)
    else:
        await _retire(session, kit, items, len(items) - quantity)
    try:
        await days.resize(session, kit, quantity, today=utcnow().date())
    except days.DaysTaken:
        busiest = await session.scalar(
            select(func.max(KitDay.reserved + KitDay.turnaround + KitDay.held)).where(
                KitDay.kit_id == kit.id, KitDay.day >= utcnow().date()
            )
        )
        raise CalendarConflict(
            f"{busiest} items are already booked on some day; the pool cannot shrink below that.",
            booked_at_most=busiest,
        ) from None
    kit.quantity = quantity


async def _retire(session: AsyncSession, kit: Kit, items: list[KitItem], count: int) -> None:
    """Retires the items in the worst condition first, never one that is out on loan."""
    out = await session.execute(
        select(func.unnest(Loan.item_ids)).where(Loan.kit_id == kit.id, Loan.status == "out")
    )
    lent = set(out.scalars())
    candidates = sorted((i for i in items if i.id not in lent), key=lambda i: i.serial)[::-1]
    candidates.sort(key=lambda i: _WORST_FIRST[i.condition])  # stable: last serials first
    if len(candidates) < count:
        raise CalendarConflict("Items out on loan cannot be retired; check them in first.")
    for item in candidates[:count]:
        item.status, item.updated_at = "retired", utcnow()


async def update_item(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    item_id: uuid.UUID,
    patch: ItemUpdate,
    directory: httpx.AsyncClient,
) -> KitItem:
    kit = await get_kit(session, kit_id=kit_id)
    await ensure_manages_owner(principal, kit.owner_centre_id, directory)
    item = await session.get(KitItem, item_id)
    if item is None or item.kit_id != kit_id:
        raise NotFound(f"Kit {kit_id} has no item with id {item_id}.")
    for key, value in patch.model_dump(exclude_unset=True).items():
        setattr(item, key, value)
    item.updated_at = utcnow()
    await session.flush()
    return item
