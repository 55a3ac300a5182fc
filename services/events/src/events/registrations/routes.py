"""REST endpoints for registrations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from events.access import ensure_manages_host
from events.catalogue.service import get_event
from events.dependencies import DirectoryDep
from events.models import IdempotentRequest, Registration
from events.registrations import repository, service
from events.registrations.schemas import (
    Decision,
    RegistrationCreate,
    RegistrationCreated,
    RegistrationPage,
    RegistrationRead,
    RegistrationStatus,
)
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader, claim, fingerprint, record
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(tags=["registrations"])


async def _read(session: SessionDep, registrations: list[Registration]) -> list[RegistrationRead]:
    ranks = await repository.queue_ranks(session, registrations)
    reads = []
    for r in registrations:
        read = RegistrationRead.model_validate(r, from_attributes=True)
        reads.append(read.model_copy(update={"waitlist_position": ranks.get(r.id)}))
    return reads


@router.post(
    "/v1/events/{event_id}/registrations",
    summary="Register for an event (yourself, or a school team)",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationCreated,
)
async def register(
    event_id: uuid.UUID,
    data: RegistrationCreate,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """A place if one is free (or pending approval), else a waitlist place, else 409.
    A multi-session course is registered for as one unit."""
    if idempotency_key:
        print_ = fingerprint("POST", request.url.path, data.model_dump())
        stored = await claim(
            session,
            IdempotentRequest,
            subject=principal.subject,
            key=idempotency_key,
            print_=print_,
        )
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
    rows = await service.register(session, principal=principal, event_id=event_id, data=data)
    reads = await _read(session, rows)
    own = next((r for r in reads if r.teacher_id == principal.subject), reads[0])
    body = jsonable_encoder(
        RegistrationCreated(**own.model_dump(), team=reads if len(reads) > 1 else [])
    )
    if idempotency_key:
        await record(
            session,
            IdempotentRequest,
            subject=principal.subject,
            key=idempotency_key,
            status_code=201,
            body=body,
        )
    return JSONResponse(body, status_code=201, headers={"Location": f"/v1/registrations/{own.id}"})


@router.get(
    "/v1/events/{event_id}/registrations",
    summary="Registrations for an event (host staff)",
    response_model=RegistrationPage,
)
async def event_registrations(
    event_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    registration_status: Annotated[
        list[RegistrationStatus] | None, Query(alias="status", max_length=8)
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> RegistrationPage:
    event = await get_event(session, event_id=event_id)
    await ensure_manages_host(principal, event.host_centre_id, directory)
    rows, next_cursor = await repository.page(
        session,
        event_id=event_id,
        statuses=tuple(registration_status or ()),
        limit=limit,
        after=after,
    )
    return RegistrationPage(items=await _read(session, rows), next_cursor=next_cursor)


@router.get("/v1/registrations", summary="Your registrations", response_model=RegistrationPage)
async def my_registrations(
    session: SessionDep,
    principal: CurrentPrincipal,
    registration_status: Annotated[
        list[RegistrationStatus] | None, Query(alias="status", max_length=8)
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> RegistrationPage:
    rows, next_cursor = await repository.page(
        session,
        teacher_id=principal.subject,
        statuses=tuple(registration_status or ()),
        limit=limit,
        after=after,
    )
    return RegistrationPage(items=await _read(session, rows), next_cursor=next_cursor)


@router.get(
    "/v1/registrations/{registration_id}",
    summary="One registration (its teacher and the host's staff)",
    response_model=RegistrationRead,
)
async def get_registration(
    registration_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> RegistrationRead:
    registration, _ = await service.visible_registration(
        session, principal=principal, registration_id=registration_id, directory=directory
    )
    return (await _read(session, [registration]))[0]


@router.delete(
    "/v1/registrations/{registration_id}",
    summary="Cancel a registration; the next person waiting is offered the place",
    response_model=RegistrationRead,
)
async def cancel_registration(
    registration_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> RegistrationRead:
    registration = await service.cancel(
        session,
        principal=principal,
        registration_id=registration_id,
        reason=None,
        directory=directory,
    )
    return (await _read(session, [registration]))[0]


@router.post(
    "/v1/registrations/{registration_id}/accept",
    summary="Accept an offered place",
    response_model=RegistrationRead,
)
async def accept_offer(
    registration_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> RegistrationRead:
    registration = await service.accept_offer(
        session, principal=principal, registration_id=registration_id, directory=directory
    )
    return (await _read(session, [registration]))[0]


@router.post(
    "/v1/registrations/{registration_id}/approve",
    summary="Approve a pending registration (host staff)",
    response_model=RegistrationRead,
)
async def approve(
    registration_id: uuid.UUID,
    data: Decision,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> RegistrationRead:
    registration = await service.decide(
        session,
        principal=principal,
        registration_id=registration_id,
        approve=True,
        reason=data.reason,
        directory=directory,
    )
    return (await _read(session, [registration]))[0]


@router.post(
    "/v1/registrations/{registration_id}/reject",
    summary="Reject a pending registration (host staff)",
    response_model=RegistrationRead,
)
async def reject(
    registration_id: uuid.UUID,
    data: Decision,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> RegistrationRead:
    registration = await service.decide(
        session,
        principal=principal,
        registration_id=registration_id,
        approve=False,
        reason=data.reason,
        directory=directory,
    )
    return (await _read(session, [registration]))[0]
