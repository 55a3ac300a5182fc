"""`/v1/webhooks`: subscriptions, their delivery log and replays, the same in every service."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import Row

from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import PROBLEM_RESPONSES
from shared.settings import BaseServiceSettings
from shared.webhooks import schedule, service
from shared.webhooks.schemas import (
    DeliveryPage,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)
from shared.webhooks.targets import validated_url

DESCRIPTION = """\
Deliveries are POSTed as JSON `{"type", "timestamp", "data"}`, signed per the Standard Webhooks
specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`), at least once: drop
duplicates by `webhook-id`. Events about people carry only the subject's id unless the
subscription may receive personal data. An endpoint answering `410 Gone` is disabled.
"""


def _read(row: Row[Any]) -> WebhookRead:
    return WebhookRead.model_validate(row._mapping)


def _settings(request: Request) -> BaseServiceSettings:
    settings: BaseServiceSettings = request.app.state.settings
    return settings


def webhooks_router(event_types: Iterable[str]) -> APIRouter:
    known = frozenset(event_types)
    router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=PROBLEM_RESPONSES)

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=WebhookCreated,
        summary="Subscribe a URL to events; the signing secret is shown only here",
        description=DESCRIPTION + "\n" + (schedule.__doc__ or ""),
    )
    async def create_webhook(
        request: Request, session: SessionDep, principal: CurrentPrincipal, body: WebhookCreate
    ) -> WebhookCreated:
        service.ensure_may_manage(principal)
        allow_private = _settings(request).webhooks_may_target_private
        await validated_url(body.url, allow_private=allow_private)
        row, secret = await service.create_subscription(
            session, principal=principal, data=body, known=known
        )
        return WebhookCreated(**_read(row).model_dump(), secret=secret)

    @router.get("", response_model=WebhookPage, summary="Your webhook subscriptions")
    async def list_webhooks(
        session: SessionDep,
        principal: CurrentPrincipal,
        after: CursorQuery = None,
        limit: LimitQuery = DEFAULT_LIMIT,
    ) -> WebhookPage:
        rows, cursor = await service.list_subscriptions(
            session, principal=principal, after=after, limit=limit
        )
        return WebhookPage(items=[_read(r) for r in rows], next_cursor=cursor)

    @router.get("/{webhook_id}", response_model=WebhookRead, summary="One subscription")
    async def get_webhook(
        session: SessionDep, principal: CurrentPrincipal, webhook_id: uuid.UUID
    ) -> WebhookRead:
        return _read(
            await service.visible_subscription(session, principal=principal, webhook_id=webhook_id)
        )

    @router.patch(
        "/{webhook_id}",
        response_model=WebhookRead,
        summary="Change a subscription; `status` disables or re-enables it",
    )
    async def update_webhook(
        request: Request,
        session: SessionDep,
        principal: CurrentPrincipal,
        webhook_id: uuid.UUID,
        body: WebhookUpdate,
    ) -> WebhookRead:
        service.ensure_may_manage(principal)
        url = None
        if body.url is not None:
            allow_private = _settings(request).webhooks_may_target_private
            url = await validated_url(body.url, allow_private=allow_private)
        row = await service.update_subscription(
            session, principal=principal, webhook_id=webhook_id, data=body, known=known, url=url
        )
        return _read(row)

    @router.delete(
        "/{webhook_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        summary="Delete a subscription and its delivery log",
    )
    async def delete_webhook(
        session: SessionDep, principal: CurrentPrincipal, webhook_id: uuid.UUID
    ) -> Response:
        await service.delete_subscription(session, principal=principal, webhook_id=webhook_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get(
        "/{webhook_id}/deliveries",
        response_model=DeliveryPage,
        summary="The delivery log: status, response code, attempts, next attempt; newest first",
    )
    async def list_webhook_deliveries(
        session: SessionDep,
        principal: CurrentPrincipal,
        webhook_id: uuid.UUID,
        delivery_status: Annotated[
            Literal["pending", "succeeded", "failed"] | None, Query(alias="status")
        ] = None,
        after: CursorQuery = None,
        limit: LimitQuery = DEFAULT_LIMIT,
    ) -> DeliveryPage:
        rows, cursor = await service.list_deliveries(
            session,
            principal=principal,
            webhook_id=webhook_id,
            status=delivery_status,
            after=after,
            limit=limit,
        )
        return DeliveryPage(items=rows, next_cursor=cursor)

    @router.post(
        "/{webhook_id}/deliveries/{delivery_id}/replay",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=DeliveryRead,
        summary="Send a delivery again, with a fresh retry schedule",
    )
    async def replay_webhook_delivery(
        session: SessionDep,
        principal: CurrentPrincipal,
        webhook_id: uuid.UUID,
        delivery_id: uuid.UUID,
    ) -> DeliveryRead:
        return await service.replay_delivery(
            session, principal=principal, webhook_id=webhook_id, delivery_id=delivery_id
        )

    return router
