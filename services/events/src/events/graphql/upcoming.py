"""Upcoming events of many centres in one query, for `Centre.events` behind a gateway.

A gateway resolving a page of 50 centres asks for the events of all 50 at once; one query per
centre would make that page 50 round trips. Each centre's page is a LATERAL subquery whose cost
grows with the page size and the centre's co-hosted events, not with all the events it hosts:
hosted events come in order from the (host_centre_id, starts_at) index and stop at the page
size; co-hosted ones come from the GIN index on co_host_centre_ids (see `_co_hosted`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    Uuid,
    column,
    or_,
    select,
    true,
    union_all,
    values,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Event

LISTED_STATUSES = ("scheduled", "postponed")
"""What a public listing shows, as in REST's default: never drafts, not cancelled events."""

_START = uuid.UUID(int=0)
"""Sorts before every real id: a page without a cursor starts at (now, _START)."""


class CentreEventsKey(NamedTuple):
    centre_id: uuid.UUID
    limit: int
    position: tuple[datetime, uuid.UUID] | None
    """The (starts_at, id) of the last event already seen, from an `after` cursor."""


def _keys_table(keys: Sequence[CentreEventsKey], now: datetime) -> Any:
    rows = []
    for index, key in enumerate(keys):
        # A cursor issued before `now` must not bring back events that have since started.
        after_starts, after_id = max(key.position or (now, _START), (now, _START))
        rows.append((index, key.centre_id, after_starts, after_id, key.limit + 1))
    return values(
        column("idx", Integer),
        column("centre_id", Uuid()),
        column("after_starts", DateTime(timezone=True)),
        column("after_id", Uuid()),
        column("take", Integer),
        name="wanted",
    ).data(rows)


def _after_position(wanted: Any) -> list[ColumnElement[bool]]:
    # Spelled out rather than as a row comparison: `starts_at >=` is an index condition and the
    # tie-break on id a filter, which keeps the planner on the per-centre index.
    return [
        Event.status.in_(LISTED_STATUSES),
        Event.starts_at >= wanted.c.after_starts,
        or_(Event.starts_at > wanted.c.after_starts, Event.id > wanted.c.after_id),
    ]


def _hosted(wanted: Any) -> Select[uuid.UUID, datetime]:
    return (
        select(Event.id, Event.starts_at)
        .where(Event.host_centre_id == wanted.c.centre_id, *_after_position(wanted))
        .order_by(Event.starts_at, Event.id)
        .limit(wanted.c.take)
        .correlate(wanted)
    )


def _co_hosted(wanted: Any) -> Select[uuid.UUID, datetime]:
    """All the centre's upcoming co-hosted events, sorted here: co-hosting is the exception.

    The OFFSET 0 fence keeps PostgreSQL on the GIN index. Without it the planner prefers
    walking every upcoming event in start order until it finds the centre among the co-hosts,
    which for a centre that co-hosts nothing means reading the whole index (seconds at 100k).
    """
    matching = (
        select(Event.id, Event.starts_at)
        .where(
            Event.co_host_centre_ids.contains(array([wanted.c.centre_id])),
            # An event naming its host among its co-hosts too is still listed once.
            Event.host_centre_id != wanted.c.centre_id,
            *_after_position(wanted),
        )
        .offset(0)
        .correlate(wanted)
        .subquery("co_hosted")
    )
    return (
        select(matching.c.id, matching.c.starts_at)
        .order_by(matching.c.starts_at, matching.c.id)
        .limit(wanted.c.take)
        .correlate(wanted)
    )


async def upcoming_events_of_centres(
    session: AsyncSession, keys: Sequence[CentreEventsKey], *, now: datetime
) -> list[list[Event]]:
    """For each key, up to `limit + 1` events (the extra one says another page exists)."""
    if not keys:
        return []
    wanted = _keys_table(keys, now)
    both = union_all(_hosted(wanted), _co_hosted(wanted)).subquery("candidates")
    page = (
        select(both.c.id).order_by(both.c.starts_at, both.c.id).limit(wanted.c.take).lateral("page")
    )
    stmt = (
        select(wanted.c.idx, Event)
        .select_from(wanted)
        .join(page, true())
        .join(Event, Event.id == page.c.id)
        .order_by(wanted.c.idx, Event.starts_at, Event.id)
    )
    found: list[list[Event]] = [[] for _ in keys]
    for index, event in await session.execute(stmt):
        found[index].append(event)
    return found
