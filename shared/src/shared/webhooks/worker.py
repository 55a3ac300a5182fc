"""The delivery worker: fans new outbox events out to subscriptions, then sends what is due.

Safe with many replicas and against being killed at any point:
- fan-out claims subscriptions with `FOR UPDATE SKIP LOCKED` and, in one transaction, writes
  their deliveries and moves their cursors; the unique (subscription, event) pair means an
  event is never queued twice for one subscription;
- sending claims due deliveries with `FOR UPDATE SKIP LOCKED` and commits a lease (the next
  attempt moves to the lease's end) before any HTTP request leaves, so a worker that dies
  mid-request leaves the delivery due again when its lease runs out: at least once, never lost;
- a result is written only if the delivery is still on the attempt this worker claimed, so a
  worker whose lease expired cannot overwrite a newer attempt's outcome.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.changes import change_data
from shared.clock import new_id, utcnow
from shared.db import Database
from shared.metrics import ProcessMetrics, current_metrics
from shared.outbox import PRUNE_BATCH, outbox_events, prune
from shared.settings import BaseServiceSettings
from shared.webhooks.schedule import next_attempt_at
from shared.webhooks.signing import signature_headers
from shared.webhooks.tables import webhook_deliveries, webhook_subscriptions
from shared.webhooks.targets import TargetRefused, check_target

log = structlog.get_logger(__name__)

SUBSCRIPTIONS_PER_ROUND = 100
EVENTS_PER_SUBSCRIPTION = 500
DELIVERIES_PER_ROUND = 50
LEASE = timedelta(seconds=60)
# What a round meets while PostgreSQL restarts or is unreachable (refused, reset, pool waits).
DATABASE_UNREACHABLE = (OSError, TimeoutError, PoolTimeout, OperationalError, InterfaceError)

deliveries = webhook_deliveries.c
subs = webhook_subscriptions.c

# One statement, so the horizon and the batch come from the same snapshot: a subscription
# that matched nothing moves to the horizon, and nothing below it can still appear.
_NEW_EVENTS = text(
    """
    SELECT s.id AS subscription_id, e.id AS event_id, e.position,
           (SELECT coalesce(max(position), 0) FROM outbox_events) AS horizon
      FROM unnest(CAST(:ids AS uuid[]), CAST(:cursors AS bigint[]), CAST(:types AS text[]))
           AS s(id, after_position, event_types)
      LEFT JOIN LATERAL (
           SELECT o.id, o.position FROM outbox_events o
            WHERE o.position > s.after_position
              AND o.type = ANY(string_to_array(s.event_types, ','))
            ORDER BY o.position
            LIMIT :per_subscription
      ) e ON true
    """
)


async def fan_out(db: Database, *, now: datetime) -> int:
    """Queue a delivery per new event for each active subscription; returns how many."""
    async with db.session() as session:
        claimed = (
            await session.execute(
                select(subs.id, subs.after_position, subs.event_types)
                .where(subs.status == "active")
                .order_by(subs.id)
                .limit(SUBSCRIPTIONS_PER_ROUND)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not claimed:
            return 0
        rows = (
            await session.execute(
                _NEW_EVENTS,
                {
                    "ids": [s.id for s in claimed],
                    "cursors": [s.after_position for s in claimed],
                    "types": [",".join(s.event_types) for s in claimed],
                    "per_subscription": EVENTS_PER_SUBSCRIPTION,
                },
            )
        ).all()
        queued: list[dict[str, Any]] = []
        found: dict[uuid.UUID, list[int]] = {}
        horizon = 0
        for row in rows:
            horizon = row.horizon
            if row.event_id is None:
                continue
            found.setdefault(row.subscription_id, []).append(row.position)
            queued.append(
                {
                    "id": new_id(),
                    "subscription_id": row.subscription_id,
                    "event_id": row.event_id,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
        if queued:
            await session.execute(
                insert(webhook_deliveries)
                .values(queued)
                .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
            )
        moves = []
        for sub in claimed:
            positions = sorted(found.get(sub.id, []))
            full = len(positions) >= EVENTS_PER_SUBSCRIPTION
            target = positions[-1] if full else max(horizon, sub.after_position)
            if target != sub.after_position:
                moves.append({"sid": sub.id, "target": target})
        if moves:
            await session.execute(
                update(webhook_subscriptions)
                .where(subs.id == bindparam("sid"))
                .values(after_position=bindparam("target")),
                moves,
            )
        await session.commit()
        return len(queued)


_CLAIM_DUE = text(
    """
    WITH due AS (
        SELECT d.id FROM webhook_deliveries d
          JOIN webhook_subscriptions s ON s.id = d.subscription_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= :now AND s.status = 'active'
         ORDER BY d.next_attempt_at
         LIMIT :limit
           FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1, last_attempt_at = :now,
           lease_until = :lease_end, next_attempt_at = :lease_end
      FROM due
     WHERE d.id = due.id
    RETURNING d.id
    """
)


@dataclass(frozen=True)
class Attempt:
    delivery_id: uuid.UUID
    attempts: int
    subscription_id: uuid.UUID
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def payload(row: Any, *, personal: bool) -> bytes:
    """The Standard Webhooks payload shape: type, timestamp, data."""
    data = change_data(
        subject_id=row.subject_id, audience=row.audience, data=row.data, personal=personal
    )
    body = {
        "type": row.type,
        "timestamp": row.occurred_at.isoformat(),
        "data": data if data is not None else {"id": str(row.subject_id)},
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def claim_due(db: Database, *, now: datetime, lease: timedelta, limit: int) -> list[Attempt]:
    async with db.session() as session:
        claimed = (
            (
                await session.execute(
                    _CLAIM_DUE, {"now": now, "lease_end": now + lease, "limit": limit}
                )
            )
            .scalars()
            .all()
        )
        if not claimed:
            return []
        rows = (
            await session.execute(
                select(
                    deliveries.id,
                    deliveries.attempts,
                    deliveries.subscription_id,
                    subs.url,
                    subs.secret,
                    subs.personal_data,
                    outbox_events.c.type,
                    outbox_events.c.subject_id,
                    outbox_events.c.audience,
                    outbox_events.c.data,
                    outbox_events.c.occurred_at,
                )
                .join(webhook_subscriptions, subs.id == deliveries.subscription_id)
                .join(outbox_events, outbox_events.c.id == deliveries.event_id)
                .where(deliveries.id.in_(claimed))
                .order_by(outbox_events.c.position)
            )
        ).all()
        await session.commit()
    return [
        Attempt(
            delivery_id=row.id,
            attempts=row.attempts,
            subscription_id=row.subscription_id,
            url=row.url,
            secret=row.secret,
            body=payload(row, personal=row.personal_data),
        )
        for row in rows
    ]


async def send(client: httpx.AsyncClient, attempt: Attempt, *, allow_private: bool) -> Outcome:
    try:
        await check_target(attempt.url, allow_private=allow_private)
        headers = signature_headers(
            attempt.secret,
            message_id=str(attempt.delivery_id),
            timestamp=int(time.time()),
            body=attempt.body,
        )
        response = await client.post(attempt.url, content=attempt.body, headers=headers)
    except TargetRefused as exc:
        return Outcome(attempt, None, f"refused target: {exc}")
    except httpx.HTTPError as exc:
        return Outcome(attempt, None, f"{type(exc).__name__}: {exc}"[:500])
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Outcome(attempt, response.status_code, error)


_RECORD = text(
    """
    UPDATE webhook_deliveries
       SET status = :status, next_attempt_at = :next_at, lease_until = NULL,
           last_status_code = :code, last_error = :error
     WHERE id = :delivery_id AND attempts = :attempts AND status = 'pending'
    """
)


async def record_outcomes(db: Database, outcomes: list[Outcome], *, now: datetime) -> None:
    updates = []
    gone: set[uuid.UUID] = set()
    metrics = current_metrics()
    for outcome in outcomes:
        retry_at = None
        if outcome.delivered:
            status = "succeeded"
        elif outcome.gone:
            status = "failed"
            gone.add(outcome.attempt.subscription_id)
        else:
            retry_at = next_attempt_at(outcome.attempt.attempts, now=now)
            status = "pending" if retry_at is not None else "failed"
        if metrics is not None:
            metrics.count_webhook_delivery(_delivery_outcome(outcome, status))
        updates.append(
            {
                "status": status,
                "next_at": retry_at,
                "code": outcome.status_code,
                "error": outcome.error,
                "delivery_id": outcome.attempt.delivery_id,
                "attempts": outcome.attempt.attempts,
            }
        )
    async with db.session() as session:
        await session.execute(_RECORD, updates)
        if gone:
            await session.execute(
                update(webhook_subscriptions)
                .where(subs.id.in_(gone), subs.status == "active")
                .values(
                    status="disabled",
                    disabled_reason="the endpoint answered 410 Gone",
                    updated_at=now,
                )
            )
        await session.commit()


def _delivery_outcome(outcome: Outcome, status: str) -> str:
    if outcome.delivered:
        return "delivered"
    if outcome.gone:
        return "gone"
    return "retrying" if status == "pending" else "failed"


async def deliver_due(
    db: Database,
    client: httpx.AsyncClient,
    *,
    allow_private: bool,
    lease: timedelta = LEASE,
    limit: int = DELIVERIES_PER_ROUND,
) -> int:
    """Send every due delivery (up to `limit`) at once; returns how many were attempted."""
    attempts = await claim_due(db, now=utcnow(), lease=lease, limit=limit)
    if not attempts:
        return 0
    outcomes = await asyncio.gather(
        *(send(client, attempt, allow_private=allow_private) for attempt in attempts)
    )
    await record_outcomes(db, list(outcomes), now=utcnow())
    return len(attempts)


def delivery_client(settings: BaseServiceSettings) -> httpx.AsyncClient:
    # No redirects: a 3xx is a failed delivery, not a way around the target check.
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.webhook_timeout_s, connect=5.0),
        follow_redirects=False,
        headers={"user-agent": "pdnet-webhooks/1"},
    )


async def run_once(
    db: Database,
    client: httpx.AsyncClient,
    *,
    allow_private: bool,
    lease: timedelta = LEASE,
) -> int:
    queued = await fan_out(db, now=utcnow())
    sent = await deliver_due(db, client, allow_private=allow_private, lease=lease)
    return queued + sent


PRUNE_EVERY_S = 3600.0
MEASURE_EVERY_S = 5.0

_BACKLOG = text(
    """
    SELECT count(*) AS pending,
           coalesce(extract(epoch FROM (:now - min(o.occurred_at))), 0) AS oldest_age_s
      FROM webhook_deliveries d JOIN outbox_events o ON o.id = d.event_id
     WHERE d.status = 'pending'
    """
)


async def measure_backlog(db: Database, metrics: ProcessMetrics, *, now: datetime) -> None:
    """How many deliveries wait and how old the oldest waiting event is, for `/metrics`."""
    async with db.reader() as session:
        row = (await session.execute(_BACKLOG, {"now": now})).one()
    metrics.set_outbox_backlog(pending=int(row.pending), oldest_age_s=float(row.oldest_age_s))


async def prune_outbox(db: Database, *, retention: timedelta) -> int:
    """Drop events past retention, a batch per transaction so locks stay short."""
    pruned = 0
    while True:
        async with db.session() as session:
            batch = await prune(session, older_than=utcnow() - retention)
            await session.commit()
        pruned += batch
        if batch < PRUNE_BATCH:
            return pruned


async def run_forever(
    db: Database,
    settings: BaseServiceSettings,
    *,
    lease: timedelta = LEASE,
    interval_s: float | None = None,
) -> None:
    """The in-process loop started by the app; every replica may run one."""
    pause = settings.webhook_worker_interval_s if interval_s is None else interval_s
    retention = timedelta(days=settings.outbox_retention_days)
    pruned_at = time.monotonic()
    measured_at = 0.0
    database_down = False
    async with delivery_client(settings) as client:
        while True:
            busy = 0
            try:
                busy = await run_once(
                    db, client, allow_private=settings.webhooks_may_target_private, lease=lease
                )
                metrics = current_metrics()
                if metrics is not None and time.monotonic() - measured_at > MEASURE_EVERY_S:
                    measured_at = time.monotonic()
                    await measure_backlog(db, metrics, now=utcnow())
                if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                    pruned_at = time.monotonic()
                    await prune_outbox(db, retention=retention)
            except DATABASE_UNREACHABLE as exc:
                # Said once, not a traceback every round while the database is away.
                if not database_down:
                    log.warning("webhook worker waits for the database", reason=repr(exc))
                database_down = True
            except Exception:
                log.exception("webhook round failed; retrying next round")
            else:
                if database_down:
                    log.info("webhook worker reaches the database again")
                database_down = False
            if not busy:
                await asyncio.sleep(pause)


def _settings_for(service: str) -> BaseServiceSettings:
    """The service's settings from its `<SERVICE>_` environment variables."""
    from pydantic_settings import SettingsConfigDict

    class WorkerSettings(BaseServiceSettings):
        model_config = SettingsConfigDict(
            env_prefix=f"{service.upper()}_", extra="ignore", frozen=True
        )

    return WorkerSettings()


def main(argv: list[str] | None = None) -> None:
    """`python -m shared.webhooks.worker --service events`: a worker process on its own, e.g.
    a separate deployment that scales apart from the API (run as many as you like)."""
    import argparse

    from shared.db import EngineDatabase, create_engine
    from shared.logging import configure_logging

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--service", required=True, help="whose outbox: directory, events, …")
    parser.add_argument("--lease-s", type=float, default=LEASE.total_seconds())
    parser.add_argument("--interval-s", type=float, default=None)
    args = parser.parse_args(argv)
    settings = _settings_for(args.service)
    configure_logging(fmt=settings.log_format, level=settings.log_level)

    async def run() -> None:
        engine = create_engine(settings, pool_size=2, max_overflow=2)
        try:
            await run_forever(
                EngineDatabase(engine),
                settings,
                lease=timedelta(seconds=args.lease_s),
                interval_s=args.interval_s,
            )
        finally:
            await engine.dispose()

    asyncio.run(run())


if __name__ == "__main__":
    main()
