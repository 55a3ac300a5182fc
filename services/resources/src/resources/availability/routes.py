"""REST endpoints for a kit's calendar: availability, blackout days, maintenance holds."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from resources.access import ensure_manages_owner
from resources.availability import service
from resources.availability.schemas import (
    AvailabilityRead,
    BlackoutCreate,
    BlackoutPage,
    BlackoutRead,
    MaintenanceCreate,
    MaintenancePage,
    MaintenanceRead,
)
from resources.catalogue.repository import kit_rows_page
from resources.catalogue.service import get_kit
from resources.dependencies import DirectoryDep
from resources.models import Blackout, MaintenanceHold
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/kits/{kit_id}", tags=["availability"])


@router.get(
    "/availability", summary="Free items per day over a date range", response_model=AvailabilityRead
)
async def availability(
    kit_id: uuid.UUID,
    session: SessionDep,
    starts_on: Annotated[date, Query(alias="from", description="First day (inclusive).")],
    ends_on: Annotated[date, Query(alias="to", description="Last day (inclusive).")],
) -> AvailabilityRead:
    """Counts reservations, the turnaround after each, blackout days and maintenance holds.
    At most 366 days at a time."""
    return await service.availability(session, kit_id=kit_id, starts_on=starts_on, ends_on=ends_on)


@router.post(
    "/blackouts",
    summary="Close a kit for some days (owner staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=BlackoutRead,
)
async def add_blackout(
    kit_id: uuid.UUID,
    data: BlackoutCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> BlackoutRead:
    """Nothing is out with a borrower on a blackout day; 409 if something already is."""
    blackout = await service.add_blackout(
        session, principal=principal, kit_id=kit_id, data=data, directory=directory
    )
    return BlackoutRead.model_validate(blackout, from_attributes=True)


@router.get("/blackouts", summary="A kit's blackout days", response_model=BlackoutPage)
async def list_blackouts(
    kit_id: uuid.UUID,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> BlackoutPage:
    await get_kit(session, kit_id=kit_id)
    rows, next_cursor = await kit_rows_page(session, Blackout, kit_id, limit=limit, after=after)
    return BlackoutPage(
        items=[BlackoutRead.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


@router.delete(
    "/blackouts/{blackout_id}",
    summary="Reopen the days of a blackout (owner staff)",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def remove_blackout(
    kit_id: uuid.UUID,
    blackout_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> Response:
    await service.remove_blackout(
        session, principal=principal, kit_id=kit_id, blackout_id=blackout_id, directory=directory
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/maintenance",
    summary="Take items out of the pool for maintenance (owner staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=MaintenanceRead,
)
async def add_maintenance(
    kit_id: uuid.UUID,
    data: MaintenanceCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> MaintenanceRead:
    """409 if fewer items than that are at the centre on one of the days."""
    hold = await service.add_maintenance(
        session, principal=principal, kit_id=kit_id, data=data, directory=directory
    )
    return MaintenanceRead.model_validate(hold, from_attributes=True)


@router.get(
    "/maintenance",
    summary="A kit's maintenance holds (owner staff)",
    response_model=MaintenancePage,
)
async def list_maintenance(
    kit_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> MaintenancePage:
    kit = await get_kit(session, kit_id=kit_id)
    await ensure_manages_owner(principal, kit.owner_centre_id, directory)
    rows, next_cursor = await kit_rows_page(
        session, MaintenanceHold, kit_id, limit=limit, after=after
    )
    return MaintenancePage(
        items=[MaintenanceRead.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


@router.delete(
    "/maintenance/{hold_id}",
    summary="Put held items back into the pool (owner staff)",
    response_model=MaintenanceRead,
)
async def release_maintenance(
    kit_id: uuid.UUID,
    hold_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> MaintenanceRead:
    hold = await service.release_maintenance(
        session, principal=principal, kit_id=kit_id, hold_id=hold_id, directory=directory
    )
    return MaintenanceRead.model_validate(hold, from_attributes=True)
