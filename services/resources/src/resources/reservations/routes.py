"""REST endpoints for reservations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from resources.access import manages_owner
from resources.catalogue.service import get_kit
from resources.dependencies import DirectoryDep, EventsDep
from resources.models import IdempotentRequest, Reservation
from resources.reservations import queue, repository, service
from resources.reservations.schemas import (
    ReservationCreate,
    ReservationPage,
    ReservationRead,
    ReservationStatus,
)
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader, claim, fingerprint, record
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import InvalidInput

router = APIRouter(tags=["reservations"])

StatusFilter = Annotated[list[ReservationStatus] | None, Query(alias="status", max_length=4)]


async def reads(session: AsyncSession, rows: Sequence[Reservation]) -> list[ReservationRead]:
    positions = await queue.queue_positions(session, rows)
    return [
        ReservationRead.model_validate(r, from_attributes=True).model_copy(
            update={"queue_position": positions.get(r.id)}
        )
        for r in rows
    ]


async def _replay(
    session: AsyncSession, subject: str, key: str, request: Request, data: ReservationCreate
) -> JSONResponse | None:
    """The first answer to a retried request; None if this request is the first."""
    print_ = fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    stored = await claim(session, IdempotentRequest, subject=subject, key=key, print_=print_)
    if stored is None:
        return None
    return JSONResponse(stored.body, status_code=stored.status_code)


@router.post(
    "/v1/kits/{kit_id}/reservations",
    summary="Reserve items of a kit for a date range",
    status_code=status.HTTP_201_CREATED,
    response_model=ReservationRead,
)
async def reserve(
    kit_id: uuid.UUID,
    data: ReservationCreate,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    events: EventsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """201 with the reservation, or 409 saying how many items are free for those dates
    (`max_free`) and the nearest date ranges of the same length that would fit
    (`alternatives`); with `wait_if_taken`, a 201 with a `waiting` place in the queue instead.
    The kit's turnaround days after `ends_on` must be free too.

    A kit that requires a course is lent to teachers who attended it (409 otherwise), as
    their record in the events service shows. Retries with the same `Idempotency-Key` get
    the first answer."""
    if idempotency_key:
        stored = await _replay(session, principal.subject, idempotency_key, request, data)
        if stored is not None:
            return stored
    reservation = await service.reserve(
        session,
        principal=principal,
        kit_id=kit_id,
        data=data,
        directory=directory,
        events=events,
        authorization=request.headers.get("authorization", ""),
    )
    body = jsonable_encoder((await reads(session, [reservation]))[0])
    if idempotency_key:
        await record(
            session,
            IdempotentRequest,
            subject=principal.subject,
            key=idempotency_key,
            status_code=201,
            body=body,
        )
    return JSONResponse(
        body, status_code=201, headers={"Location": f"/v1/reservations/{reservation.id}"}
    )


@router.get(
    "/v1/kits/{kit_id}/reservations",
    summary="Reservations of a kit (all for the owner's staff, your own for anyone else)",
    response_model=ReservationPage,
)
async def kit_reservations(
    kit_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    reservation_status: StatusFilter = None,
    starts_on: Annotated[date | None, Query(alias="from")] = None,
    ends_on: Annotated[date | None, Query(alias="to")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> ReservationPage:
    """`from`/`to`: only reservations overlapping those days."""
    kit = await get_kit(session, kit_id=kit_id)
    staff = await manages_owner(principal, kit.owner_centre_id, directory)
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput(
            "query.to: before `from`", errors=[{"field": "query.to", "message": "before from"}]
        )
    rows, next_cursor = await repository.page(
        session,
        kit_id=kit_id,
        person=None if staff else principal.subject,
        statuses=tuple(reservation_status or ()),
        overlapping=(starts_on or date.min, ends_on or date.max) if starts_on or ends_on else None,
        limit=limit,
        after=after,
    )
    return ReservationPage(items=await reads(session, rows), next_cursor=next_cursor)


@router.get("/v1/reservations", summary="Your reservations", response_model=ReservationPage)
async def my_reservations(
    session: SessionDep,
    principal: CurrentPrincipal,
    reservation_status: StatusFilter = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> ReservationPage:
    rows, next_cursor = await repository.page(
        session,
        person=principal.subject,
        statuses=tuple(reservation_status or ()),
        limit=limit,
        after=after,
    )
    return ReservationPage(items=await reads(session, rows), next_cursor=next_cursor)


@router.get(
    "/v1/reservations/{reservation_id}",
    summary="One reservation (its borrower and the owner's staff)",
    response_model=ReservationRead,
)
async def get_reservation(
    reservation_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> ReservationRead:
    reservation, _ = await service.visible_reservation(
        session, principal=principal, reservation_id=reservation_id, directory=directory
    )
    return (await reads(session, [reservation]))[0]


@router.delete(
    "/v1/reservations/{reservation_id}",
    summary="Cancel a reservation (or leave the queue); its days go back to the pool",
    response_model=ReservationRead,
)
async def cancel_reservation(
    reservation_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> ReservationRead:
    reservation = await service.cancel(
        session, principal=principal, reservation_id=reservation_id, directory=directory
    )
    return (await reads(session, [reservation]))[0]


@router.post(
    "/v1/reservations/{reservation_id}/accept",
    summary="Accept items offered to you from the queue",
    response_model=ReservationRead,
)
async def accept_offer(
    reservation_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> ReservationRead:
    """Before `offer_expires_at`; afterwards the items pass to the next in the queue."""
    reservation = await service.accept(
        session, principal=principal, reservation_id=reservation_id, directory=directory
    )
    return (await reads(session, [reservation]))[0]
