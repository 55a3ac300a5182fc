"""Rules for transfers: the owning centre's staff send a kit, the receiving centre's staff
confirm its arrival (and become its managers); the items are held on the days in transit."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resources.access import ensure_manages_owner
from resources.availability import days
from resources.availability.ranges import check_range
from resources.errors import CalendarConflict, IllegalTransition, KitNotFound
from resources.models import Kit, Transfer
from resources.reservations.queue import offer_to_waiting
from resources.transfers.schemas import TransferCreate
from shared.auth import Principal
from shared.centre_directory import centre_facts
from shared.clock import utcnow
from shared.problems import InvalidInput, NotFound


def _transit(transfer: Transfer) -> days.Booking:
    return days.Booking(
        transfer.quantity, transfer.ships_on, transfer.arrives_on, transfer.arrives_on, "held"
    )


async def send(
    session: AsyncSession,
    *,
    principal: Principal,
    kit_id: uuid.UUID,
    data: TransferCreate,
    directory: httpx.AsyncClient,
) -> Transfer:
    check_range(
        data.ships_on, data.arrives_on, today=utcnow().date(), names=("ships_on", "arrives_on")
    )
    owner = await _owner_of(session, kit_id)
    await ensure_manages_owner(principal, owner, directory)
    # Asked before the kit is locked: nobody waits on the directory while it answers.
    destination = await centre_facts(directory, data.to_centre_id, field="to_centre_id")
    # Exclusive: the kit changes hands, nothing may be booked on it meanwhile.
    kit = await days.lock_kit(session, kit_id, exclusive=True)
    assert kit is not None
    await _ensure_can_leave(session, kit, owner, data)
    transfer = Transfer(
        kit_id=kit.id,
        from_centre_id=kit.owner_centre_id,
        to_centre_id=data.to_centre_id,
        quantity=kit.quantity,
        ships_on=data.ships_on,
        arrives_on=data.arrives_on,
        status="in_transit",
        note=data.note,
        to_country=destination.country,
        to_region=destination.region,
        to_lat=destination.lat,
        to_lon=destination.lon,
        created_by=principal.subject,
    )
    if transfer.quantity:
        try:
            await days.take(session, kit, _transit(transfer))
        except days.DaysTaken:
            raise CalendarConflict(
                "The kit is booked on some of the days in transit; move or cancel those first."
            ) from None
    session.add(transfer)
    await session.flush()
    return transfer


async def _owner_of(session: AsyncSession, kit_id: uuid.UUID) -> uuid.UUID:
    owner = await session.scalar(select(Kit.owner_centre_id).where(Kit.id == kit_id))
    if owner is None:
        raise KitNotFound(f"No kit has id {kit_id}.")
    return owner


async def _ensure_can_leave(
    session: AsyncSession, kit: Kit, owner: uuid.UUID, data: TransferCreate
) -> None:
    if kit.owner_centre_id != owner:
        raise IllegalTransition("The kit changed hands meanwhile; look it up again.")
    moving = await session.scalar(
        select(Transfer.id).where(Transfer.kit_id == kit.id, Transfer.status == "in_transit")
    )
    if moving is not None:
        raise IllegalTransition(
            f"The kit is already on its way (transfer {moving}).", current_status="in_transit"
        )
    if data.to_centre_id == kit.owner_centre_id:
        raise InvalidInput(
            "to_centre_id: the kit is already there",
            errors=[{"field": "body.to_centre_id", "message": "the current owner"}],
        )


async def _locked(session: AsyncSession, transfer_id: uuid.UUID) -> tuple[Transfer, Kit]:
    """Kit then transfer, both locked: the kit's owner and calendar change together."""
    transfer = await session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound(f"No transfer has id {transfer_id}.")
    kit = await days.lock_kit(session, transfer.kit_id, exclusive=True)
    assert kit is not None
    locked = await session.execute(
        select(Transfer)
        .where(Transfer.id == transfer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    transfer = locked.scalar_one()
    if transfer.status != "in_transit":
        raise IllegalTransition(
            f"The transfer is already {transfer.status}.", current_status=transfer.status
        )
    return transfer, kit


async def receive(
    session: AsyncSession,
    *,
    principal: Principal,
    transfer_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> Transfer:
    """The receiving centre confirms arrival; the kit is theirs and lendable again."""
    transfer, kit = await _locked(session, transfer_id)
    await ensure_manages_owner(principal, transfer.to_centre_id, directory)
    await _settle(session, transfer, kit, principal=principal, status="received")
    kit.owner_centre_id = transfer.to_centre_id
    kit.country, kit.region = transfer.to_country, transfer.to_region
    kit.lat, kit.lon = transfer.to_lat, transfer.to_lon
    kit.version, kit.updated_at = kit.version + 1, utcnow()
    await session.flush()
    await offer_to_waiting(session, kit, now=utcnow())
    return transfer


async def cancel(
    session: AsyncSession,
    *,
    principal: Principal,
    transfer_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> Transfer:
    """The sending centre calls the move off; the kit stays theirs."""
    transfer, kit = await _locked(session, transfer_id)
    await ensure_manages_owner(principal, transfer.from_centre_id, directory)
    await _settle(session, transfer, kit, principal=principal, status="cancelled")
    await offer_to_waiting(session, kit, now=utcnow())
    return transfer


async def _settle(
    session: AsyncSession, transfer: Transfer, kit: Kit, *, principal: Principal, status: str
) -> None:
    if transfer.quantity:
        await days.give_back(session, kit, _transit(transfer))
    transfer.status, transfer.settled_by, transfer.settled_at = status, principal.subject, utcnow()
    await session.flush()
