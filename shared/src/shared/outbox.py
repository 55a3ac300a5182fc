"""The outbox: each service writes its domain events in the same transaction as the change.

A write calls `record(session, type="centre.updated", subject_id=..., data={...})`; the event
commits or rolls back with the change it describes, so the change feed and webhooks never
announce something that did not happen, and never miss something that did.

Positions are assigned at commit, in commit order. A sequence value taken while the
transaction runs would not do: a slow transaction could take 10, a fast one 11 and commit
first, and a reader that saw 11 and moved its cursor past it would never see 10. So `record`
leaves `position` empty, and a deferred constraint trigger fills it in when the transaction
commits, holding a transaction-level advisory lock that PostgreSQL releases only after the
commit is visible. The next committing writer waits for that lock, so positions grow in the
order transactions become visible: a reader that sees position p sees every position below p,
and `WHERE position > :cursor ORDER BY position` is exact — no event skipped, none repeated.
The price is that commits of transactions that recorded events take turns (only the commit
itself; the work before it runs concurrently), which is far more than this domain's write rate
needs. Filtering on `pg_snapshot_xmin` instead would avoid the turn-taking but order events by
transaction start, not by commit.

Events are thin when they concern people: `audience=PERSONAL` events carry their data only to
readers entitled to personal data; everyone else gets the type and the subject's id to re-fetch
with their own rights.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from shared.clock import new_id, utcnow
from shared.db import service_metadata


class Audience(StrEnum):
    PUBLIC = "public"
    """The event's data is public: every reader of the feed gets it."""
    PERSONAL = "personal"
    """The data concerns people: readers not entitled to personal data get ids only."""


class _Xid8(UserDefinedType[Any]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


integration_metadata = service_metadata()
"""The kit's tables; every service copies them into its own metadata with
`include_integration_tables`, so its migrations and autogenerate know them."""

outbox_events = Table(
    "outbox_events",
    integration_metadata,
    Column("id", Uuid, primary_key=True),
    Column("seq", BigInteger, nullable=False, server_default=text("nextval('outbox_events_seq')")),
    Column("position", BigInteger, nullable=True, unique=True),
    Column("txid", _Xid8, nullable=False, server_default=text("pg_current_xact_id()")),
    Column("type", Text, nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("audience", Text, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("audience IN ('public', 'personal')", name="audience"),
    Index("ix_outbox_events_type_position", "type", "position"),
    Index(
        "ix_outbox_events_unpositioned",
        "txid",
        postgresql_where=text("position IS NULL"),
    ),
)

OUTBOX_LOCK_KEY = 0x6F7574626F78
"""The advisory lock committing writers take turns on (b"outbox" as a number)."""


async def record(
    session: AsyncSession,
    *,
    type: str,
    subject_id: uuid.UUID,
    data: Mapping[str, Any] | None = None,
    audience: Audience = Audience.PUBLIC,
) -> uuid.UUID:
    """Record a domain event in the session's transaction; returns the event's id.

    `data` must be JSON-serialisable (ids and timestamps as strings are fine: they are
    converted). Keep it small: subscribers re-fetch the subject for the full picture.
    """
    event_id = new_id()
    await session.execute(
        insert(outbox_events).values(
            id=event_id,
            type=type,
            subject_id=subject_id,
            audience=audience.value,
            data=_jsonable(dict(data or {})),
            occurred_at=utcnow(),
        )
    )
    return event_id


async def record_each(
    session: AsyncSession,
    *,
    type: str,
    subjects: Iterable[tuple[uuid.UUID, Mapping[str, Any]]],
    audience: Audience = Audience.PUBLIC,
) -> None:
    """One event of `type` per (subject id, data) pair, written in one statement."""
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "type": type,
            "subject_id": subject_id,
            "audience": audience.value,
            "data": _jsonable(dict(data)),
            "occurred_at": now,
        }
        for subject_id, data in subjects
    ]
    if rows:
        await session.execute(insert(outbox_events).values(rows))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


async def latest_position(session: AsyncSession) -> int:
    result = await session.execute(func.coalesce(func.max(outbox_events.c.position), 0).select())
    return int(result.scalar_one())


PRUNE_BATCH = 1000

# Oldest first along the position index; kept: anything an active subscription has not been
# sent yet, and anything still waiting for delivery.
_PRUNE = text(
    """
    DELETE FROM outbox_events WHERE id IN (
        SELECT o.id FROM outbox_events o
         WHERE o.position IS NOT NULL
           AND o.position <= coalesce(
                 (SELECT min(after_position) FROM webhook_subscriptions
                   WHERE status = 'active'),
                 o.position)
           AND o.occurred_at < :cutoff
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                            WHERE d.event_id = o.id AND d.status = 'pending')
         ORDER BY o.position
         LIMIT :batch)
    """
)


async def prune(session: AsyncSession, *, older_than: datetime) -> int:
    """Delete one batch of events past retention; returns how many (0: nothing left to do)."""
    result = await session.execute(_PRUNE, {"cutoff": older_than, "batch": PRUNE_BATCH})
    return int(getattr(result, "rowcount", 0) or 0)


def include_integration_tables(metadata: MetaData) -> None:
    """Copy the outbox and webhook tables into a service's metadata (call once, in models.py)."""
    # Imported here: the webhook tables live with the webhooks and name the outbox's table.
    from shared.webhooks import tables  # noqa: F401

    for table in integration_metadata.sorted_tables:
        if table.name not in metadata.tables:
            table.to_metadata(metadata)


_ASSIGN_POSITIONS = f"""
CREATE FUNCTION outbox_assign_positions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending record;
BEGIN
    -- Held until the commit is visible: positions follow commit order.
    PERFORM pg_advisory_xact_lock({OUTBOX_LOCK_KEY});
    FOR pending IN
        SELECT id FROM outbox_events
         WHERE txid = pg_current_xact_id() AND position IS NULL
         ORDER BY seq
    LOOP
        UPDATE outbox_events SET position = nextval('outbox_events_position')
         WHERE id = pending.id;
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade_outbox_v1() -> None:
    """The outbox's first schema, for a service's migration (frozen: later changes get a v2)."""
    from alembic import op

    op.execute("CREATE SEQUENCE outbox_events_seq")
    op.execute("CREATE SEQUENCE outbox_events_position")
    op.create_table(
        "outbox_events",
        Column("id", Uuid, primary_key=True),
        Column(
            "seq", BigInteger, nullable=False, server_default=text("nextval('outbox_events_seq')")
        ),
        Column("position", BigInteger, nullable=True),
        Column("txid", _Xid8, nullable=False, server_default=text("pg_current_xact_id()")),
        Column("type", Text, nullable=False),
        Column("subject_id", Uuid, nullable=False),
        Column("audience", Text, nullable=False),
        Column("data", JSONB, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
    )
    op.create_unique_constraint("uq_outbox_events_position", "outbox_events", ["position"])
    op.create_index("ix_outbox_events_type_position", "outbox_events", ["type", "position"])
    op.create_index(
        "ix_outbox_events_unpositioned",
        "outbox_events",
        ["txid"],
        postgresql_where=text("position IS NULL"),
    )
    op.create_check_constraint("audience", "outbox_events", "audience IN ('public', 'personal')")
    op.execute(_ASSIGN_POSITIONS)
    op.execute(
        "CREATE CONSTRAINT TRIGGER outbox_events_positions AFTER INSERT ON outbox_events "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outbox_assign_positions()"
    )


def downgrade_outbox_v1() -> None:
    from alembic import op

    op.drop_table("outbox_events")
    op.execute("DROP FUNCTION outbox_assign_positions()")
    op.execute("DROP SEQUENCE outbox_events_position")
    op.execute("DROP SEQUENCE outbox_events_seq")
