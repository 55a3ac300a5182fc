"""REST endpoints for transfers between centres."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from resources.catalogue.repository import kit_rows_page
from resources.catalogue.service import get_kit
from resources.dependencies import DirectoryDep
from resources.models import Transfer
from resources.transfers import service
from resources.transfers.schemas import TransferCreate, TransferPage, TransferRead
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(tags=["transfers"])


def _read(transfer: Transfer) -> TransferRead:
    return TransferRead.model_validate(transfer, from_attributes=True)


@router.post(
    "/v1/kits/{kit_id}/transfers",
    summary="Send a kit to another centre (owner staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=TransferRead,
)
async def send(
    kit_id: uuid.UUID,
    data: TransferCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> TransferRead:
    """The kit's items are held (nobody can reserve them) from `ships_on` to `arrives_on`;
    409 if they are booked then. The receiving centre is checked in the directory."""
    transfer = await service.send(
        session, principal=principal, kit_id=kit_id, data=data, directory=directory
    )
    return _read(transfer)


@router.get(
    "/v1/kits/{kit_id}/transfers", summary="Where a kit has moved", response_model=TransferPage
)
async def list_transfers(
    kit_id: uuid.UUID,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> TransferPage:
    await get_kit(session, kit_id=kit_id)
    rows, next_cursor = await kit_rows_page(session, Transfer, kit_id, limit=limit, after=after)
    return TransferPage(items=[_read(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/v1/transfers/{transfer_id}/receive",
    summary="Confirm a kit arrived (receiving centre's staff); it is yours from now on",
    response_model=TransferRead,
)
async def receive(
    transfer_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> TransferRead:
    transfer = await service.receive(
        session, principal=principal, transfer_id=transfer_id, directory=directory
    )
    return _read(transfer)


@router.delete(
    "/v1/transfers/{transfer_id}",
    summary="Call a transfer off (sending centre's staff)",
    response_model=TransferRead,
)
async def cancel(
    transfer_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> TransferRead:
    transfer = await service.cancel(
        session, principal=principal, transfer_id=transfer_id, directory=directory
    )
    return _read(transfer)
