"""Rules of webhook subscriptions: who may manage them, what they see, what they may ask for."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api_keys import Scope, require_scope
from shared.auth import Principal, Role
from shared.changes import entitled_to_personal_data
from shared.clock import new_id, utcnow
from shared.outbox import latest_position, outbox_events
from shared.pagination import decode_cursor, encode_cursor
from shared.problems import Forbidden, InvalidInput, NotFound, problem_type
from shared.webhooks.schemas import DeliveryRead, WebhookCreate, WebhookUpdate
from shared.webhooks.signing import new_secret
from shared.webhooks.tables import webhook_deliveries, webhook_subscriptions

subs = webhook_subscriptions.c
deliveries = webhook_deliveries.c


class WebhookNotFound(NotFound):
    type = problem_type("webhook-not-found")
    title = "Webhook subscription not found"


def ensure_may_manage(principal: Principal) -> None:
    if principal.api_key_id is not None:
        require_scope(principal, Scope.WEBHOOKS)
        return
    if principal.is_platform_admin or principal.has(Role.NETWORK_ADMIN):
        return
    raise Forbidden("Webhooks are managed by platform admins, network admins and API keys.")


def _check_types(event_types: Collection[str], known: frozenset[str]) -> list[str]:
    unknown = sorted(set(event_types) - known)
    if unknown:
        raise InvalidInput(
            f"event_types: this service has no event type {', '.join(unknown)}",
            errors=[{"field": "body.event_types", "message": f"unknown type {unknown[0]}"}],
        )
    return sorted(set(event_types))


def _check_personal(principal: Principal, wanted: bool | None) -> None:
    if wanted and not entitled_to_personal_data(principal):
        raise Forbidden("Only a platform admin may receive personal data in webhooks.")


async def create_subscription(
    session: AsyncSession,
    *,
    principal: Principal,
    data: WebhookCreate,
    known: frozenset[str],
) -> tuple[Row[Any], str]:
    ensure_may_manage(principal)
    _check_personal(principal, data.personal_data)
    event_types = _check_types(data.event_types, known)
    secret = new_secret()
    now = utcnow()
    network_id = next(iter(principal.network_ids)) if principal.api_key_id else None
    row = (
        await session.execute(
            insert(webhook_subscriptions)
            .values(
                id=new_id(),
                url=data.url,
                event_types=event_types,
                description=data.description,
                secret=secret,
                status="active",
                personal_data=data.personal_data,
                owner=principal.subject,
                network_id=network_id,
                # Only what happens from now on; older events are in the change feed.
                after_position=await latest_position(session),
                created_at=now,
                updated_at=now,
            )
            .returning(*webhook_subscriptions.c)
        )
    ).one()
    return row, secret


async def visible_subscription(
    session: AsyncSession, *, principal: Principal, webhook_id: uuid.UUID, lock: bool = False
) -> Row[Any]:
    ensure_may_manage(principal)
    query = select(webhook_subscriptions).where(subs.id == webhook_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).one_or_none()
    if row is None or not (principal.is_platform_admin or row.owner == principal.subject):
        raise WebhookNotFound(f"No webhook subscription {webhook_id} of yours.")
    return row


async def list_subscriptions(
    session: AsyncSession, *, principal: Principal, after: str | None, limit: int
) -> tuple[list[Row[Any]], str | None]:
    ensure_may_manage(principal)
    query = select(webhook_subscriptions).order_by(subs.id).limit(limit + 1)
    if not principal.is_platform_admin:
        query = query.where(subs.owner == principal.subject)
    if after is not None:
        (last,) = decode_cursor(after, "webhooks", 1)
        query = query.where(subs.id > _uuid(last, "after"))
    rows = list((await session.execute(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor("webhooks", [rows[-1].id]) if more else None


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInput(
            f"{field}: the cursor is not one this API issued",
            errors=[{"field": f"query.{field}", "message": "not a cursor of this list"}],
        ) from exc


async def update_subscription(
    session: AsyncSession,
    *,
    principal: Principal,
    webhook_id: uuid.UUID,
    data: WebhookUpdate,
    known: frozenset[str],
    url: str | None,
) -> Row[Any]:
    await visible_subscription(session, principal=principal, webhook_id=webhook_id, lock=True)
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url
    if data.event_types is not None:
        changes["event_types"] = _check_types(data.event_types, known)
    if "description" in data.model_fields_set:
        changes["description"] = data.description
    if data.personal_data is not None:
        _check_personal(principal, data.personal_data)
        changes["personal_data"] = data.personal_data
    if data.status is not None:
        changes["status"] = data.status
        changes["disabled_reason"] = "disabled by its owner" if data.status == "disabled" else None
    changes["updated_at"] = utcnow()
    return (
        await session.execute(
            update(webhook_subscriptions)
            .where(subs.id == webhook_id)
            .values(**changes)
            .returning(*webhook_subscriptions.c)
        )
    ).one()


async def delete_subscription(
    session: AsyncSession, *, principal: Principal, webhook_id: uuid.UUID
) -> None:
    await visible_subscription(session, principal=principal, webhook_id=webhook_id, lock=True)
    await session.execute(delete(webhook_subscriptions).where(subs.id == webhook_id))


_DELIVERY_COLUMNS = (
    deliveries.id,
    deliveries.event_id,
    outbox_events.c.type.label("event_type"),
    deliveries.status,
    deliveries.attempts,
    deliveries.next_attempt_at,
    deliveries.last_attempt_at,
    deliveries.last_status_code,
    deliveries.last_error,
    deliveries.created_at,
)


def delivery_read(row: Any) -> DeliveryRead:
    return DeliveryRead.model_validate(row._mapping)


async def list_deliveries(
    session: AsyncSession,
    *,
    principal: Principal,
    webhook_id: uuid.UUID,
    status: str | None,
    after: str | None,
    limit: int,
) -> tuple[list[DeliveryRead], str | None]:
    """Newest first, keyed by event (the unique index on subscription and event serves it)."""
    await visible_subscription(session, principal=principal, webhook_id=webhook_id)
    query = (
        select(*_DELIVERY_COLUMNS)
        .join(outbox_events, outbox_events.c.id == deliveries.event_id)
        .where(deliveries.subscription_id == webhook_id)
        .order_by(deliveries.event_id.desc())
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(deliveries.status == status)
    if after is not None:
        (last,) = decode_cursor(after, "deliveries", 1)
        query = query.where(deliveries.event_id < _uuid(last, "after"))
    rows = list((await session.execute(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor("deliveries", [rows[-1].event_id]) if more else None
    return [delivery_read(r) for r in rows], cursor


async def replay_delivery(
    session: AsyncSession, *, principal: Principal, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryRead:
    """Send the delivery again, with a fresh retry schedule, whatever became of it."""
    await visible_subscription(session, principal=principal, webhook_id=webhook_id)
    replayed = await session.execute(
        update(webhook_deliveries)
        .where(deliveries.id == delivery_id, deliveries.subscription_id == webhook_id)
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), lease_until=None)
        .returning(deliveries.id)
    )
    if replayed.one_or_none() is None:
        raise NotFound(f"Webhook subscription {webhook_id} has no delivery {delivery_id}.")
    row = (
        await session.execute(
            select(*_DELIVERY_COLUMNS)
            .join(outbox_events, outbox_events.c.id == deliveries.event_id)
            .where(deliveries.id == delivery_id)
        )
    ).one()
    return delivery_read(row)
