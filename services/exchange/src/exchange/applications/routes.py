"""REST endpoints for applications: `/v1/offers/{id}/applications`, `/v1/applications/...`.

Each step of the lifecycle is its own action (`POST /v1/applications/{id}/<action>`), allowed
only to its party; an action the current state does not allow is a 409 naming the state and
where it can go instead.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from exchange.applications import actions, service
from exchange.applications.actions import Caller, Ledger
from exchange.applications.repository import ApplicationFilters
from exchange.applications.schemas import (
    ActionNote,
    ApplicationAmend,
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApplicationStatus,
    ConfirmAgreement,
    ExchangeReport,
    HistoryRead,
    ReasonRequired,
    TransitionRead,
    application_read,
)
from exchange.dependencies import DirectoryDep, EventsDep, LedgerCredentialDep
from exchange.models import IdempotentRequest
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.etags import etag_for
from shared.idempotency import IdempotencyKeyHeader, claim, fingerprint, record
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(tags=["applications"])

StatusQuery = Annotated[list[ApplicationStatus] | None, Query(alias="status", max_length=10)]
IfMatch = Annotated[str | None, Header(max_length=200)]


@router.post(
    "/v1/offers/{offer_id}/applications",
    summary="Apply to an offer (the educator themself)",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationRead,
)
async def submit_application(
    offer_id: uuid.UUID,
    data: ApplicationCreate,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """The token must be the educator's own (their `sub` is the directory record's
    `user_subject`); their centre in the directory is the home centre that approves next.
    The dates lie within the offer's window, for its minimum to maximum days, and must not
    overlap a confirmed exchange of theirs. Retries with the same `Idempotency-Key` get the
    first answer."""
    if idempotency_key:
        stored = await claim(
            session,
            IdempotentRequest,
            subject=principal.subject,
            key=idempotency_key,
            print_=fingerprint("POST", request.url.path, data.model_dump(mode="json")),
        )
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
    application = await service.submit(
        session,
        principal=principal,
        authorization=request.headers.get("authorization"),
        offer_id=offer_id,
        data=data,
        directory=directory,
    )
    body = jsonable_encoder(application_read(application))
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
        body,
        status_code=201,
        headers={
            "Location": f"/v1/applications/{application.id}",
            "ETag": etag_for(application.version),
        },
    )


@router.get(
    "/v1/offers/{offer_id}/applications",
    summary="Applications to an offer (host managers; others see their own)",
    response_model=ApplicationPage,
)
async def offer_applications(
    offer_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    application_status: StatusQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> ApplicationPage:
    rows, next_cursor = await service.list_for_offer(
        session,
        principal=principal,
        offer_id=offer_id,
        statuses=tuple(application_status or ()),
        directory=directory,
        limit=limit,
        after=after,
    )
    return ApplicationPage(items=[application_read(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/v1/applications",
    summary="Applications you may see: your own, and your centres' as home or host",
    response_model=ApplicationPage,
)
async def list_applications(
    session: SessionDep,
    principal: CurrentPrincipal,
    offer_id: uuid.UUID | None = None,
    educator_id: uuid.UUID | None = None,
    application_status: StatusQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> ApplicationPage:
    rows, next_cursor = await service.list_visible(
        session,
        principal=principal,
        filters=ApplicationFilters(
            offer_id=offer_id,
            educator_id=educator_id,
            statuses=tuple(application_status or ()),
        ),
        limit=limit,
        after=after,
    )
    return ApplicationPage(items=[application_read(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/v1/applications/{application_id}", summary="One application", response_model=ApplicationRead
)
async def get_application(
    application_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    response: Response,
) -> ApplicationRead:
    """For the applicant and the managers of the home and host centres; 404 for others."""
    application, _ = await service.visible_application(
        session, principal=principal, application_id=application_id, directory=directory
    )
    response.headers["ETag"] = etag_for(application.version)
    return application_read(application)


@router.get(
    "/v1/applications/{application_id}/history",
    summary="Every transition: who, when, from, to, why",
    response_model=HistoryRead,
)
async def application_history(
    application_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> HistoryRead:
    rows = await service.read_history(
        session, principal=principal, application_id=application_id, directory=directory
    )
    return HistoryRead(
        application_id=application_id,
        items=[TransitionRead.model_validate(r, from_attributes=True) for r in rows],
    )


@router.patch(
    "/v1/applications/{application_id}",
    summary="Change dates or terms (reopens approval)",
    response_model=ApplicationRead,
)
async def amend_application(
    application_id: uuid.UUID,
    data: ApplicationAmend,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    response: Response,
    if_match: IfMatch = None,
) -> ApplicationRead:
    """The applicant or either centre, before the exchange starts. Past `submitted` the
    application goes back to `submitted`: approval, acceptance and the agreement start again,
    and any place it held is given back. `If-Match` guards against a stale read (412)."""
    application = await actions.amend(
        session, Caller(principal, directory), application_id, data, if_match
    )
    response.headers["ETag"] = etag_for(application.version)
    return application_read(application)


ACTION = "/v1/applications/{application_id}/"


def _simple_action(action: str, *, summary: str, description: str) -> None:
    """`POST ACTION + action` for one of `actions.SIMPLE_ACTIONS`; its body is a reason,
    required to decline or cancel and optional otherwise."""

    async def with_note(
        application_id: uuid.UUID,
        session: SessionDep,
        principal: CurrentPrincipal,
        directory: DirectoryDep,
        data: ActionNote | None = None,
    ) -> ApplicationRead:
        reason = data.reason if data else None
        caller = Caller(principal, directory)
        return application_read(
            await actions.take_simple_action(session, caller, application_id, action, reason)
        )

    async def with_reason(
        application_id: uuid.UUID,
        data: ReasonRequired,
        session: SessionDep,
        principal: CurrentPrincipal,
        directory: DirectoryDep,
    ) -> ApplicationRead:
        caller = Caller(principal, directory)
        return application_read(
            await actions.take_simple_action(session, caller, application_id, action, data.reason)
        )

    router.post(
        ACTION + action,
        name=action,
        summary=summary,
        description=description,
        response_model=ApplicationRead,
    )(with_reason if action in actions.REASON_REQUIRED else with_note)


_simple_action(
    "approve",
    summary="Approve (home centre)",
    description="`submitted` → `home_approved`.",
)


_simple_action(
    "decline",
    summary="Decline (home centre when submitted, host when approved)",
    description="`submitted` or `home_approved` → `declined`; a reason is required.",
)


_simple_action(
    "accept",
    summary="Accept (host centre; takes a place)",
    description="`home_approved` → `accepted`. A 409 `offer-full` when every place is taken.",
)


@router.post(
    ACTION + "confirm",
    summary="Confirm the agreement (home and host centres, each once)",
    description="The second confirmation turns `accepted` into `confirmed` and snapshots the "
    "agreed terms; a 409 `overlapping-exchange` if the educator has another confirmed "
    "exchange on any of the days.",
    response_model=ApplicationRead,
)
async def confirm(
    application_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    data: ConfirmAgreement | None = None,
) -> ApplicationRead:
    caller = Caller(principal, directory)
    side = data.side if data else None
    return application_read(await actions.confirm(session, caller, application_id, side))


_simple_action(
    "start",
    summary="Start the exchange (host centre)",
    description="`confirmed` → `in_progress`.",
)


@router.post(
    ACTION + "report",
    summary="Report on the exchange (applicant or home centre, and host centre)",
    description="With both reports in, `in_progress` → `completed`.",
    response_model=ApplicationRead,
)
async def report(
    application_id: uuid.UUID,
    data: ExchangeReport,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> ApplicationRead:
    caller = Caller(principal, directory)
    return application_read(
        await actions.report(session, caller, application_id, data.report, data.side)
    )


@router.post(
    ACTION + "recognise",
    summary="Recognise (home centre; credits the educator's CPD ledger)",
    description="`completed` → `recognised`. The agreed CPD hours are credited in the events "
    "service's ledger, once, whatever the retries; a 503 (and no change) if it cannot be "
    "reached.",
    response_model=ApplicationRead,
)
async def recognise(
    application_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    events: EventsDep,
    credential: LedgerCredentialDep,
) -> ApplicationRead:
    caller = Caller(principal, directory)
    return application_read(
        await actions.recognise(session, caller, application_id, Ledger(events, credential))
    )


_simple_action(
    "withdraw",
    summary="Withdraw (the applicant, before the exchange starts)",
    description="`submitted`, `home_approved`, `accepted` or `confirmed` → `withdrawn`.",
)


_simple_action(
    "cancel",
    summary="Cancel (home or host centre)",
    description="`accepted`, `confirmed` or `in_progress` → `cancelled`; a reason is required. "
    "The place and the educator's days are given back.",
)
