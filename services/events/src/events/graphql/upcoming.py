"""Upcoming events of many centres in one query, for `Centre.events` behind a gateway.

A gateway resolving a page of 50 centres asks for the events of all 50 at once; one query per
centre would make that page 50 round trips. Each centre's page is a LATERAL subquery that walks
the (host_centre_id, starts_at) index and the co-host GIN index, so the cost grows with the page
size, not with how many events a centre has.
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
    select,
    true,
    tuple_,
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
        after_starts, after_id = key.position or (now, _START)
        rows.append((index, key.centre_id, after_starts, after_id, key.limit + 1))
    return values(
        column("idx", Integer),
        column("centre_id", Uuid()),
        column("after_starts", DateTime(timezone=True)),
        column("after_id", Uuid()),
        column("take", Integer),
        name="wanted",
    ).data(rows)


def _candidates(
    wanted: Any, hosting: ColumnElement[bool], now: datetime
) -> Select[uuid.UUID, datetime]:
    return (
        select(Event.id, Event.starts_at)
        .where(
            hosting,
            Event.status.in_(LISTED_STATUSES),
            Event.starts_at >= now,
            tuple_(Event.starts_at, Event.id) > tuple_(wanted.c.after_starts, wanted.c.after_id),
        )
        .order_by(Event.starts_at, Event.id)
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
    hosted = _candidates(wanted, Event.host_centre_id == wanted.c.centre_id, now)
    co_hosted = _candidates(
        wanted,
        # An event naming its host among its co-hosts too is still listed once.
        Event.co_host_centre_ids.contains(array([wanted.c.centre_id]))
        & (Event.host_centre_id != wanted.c.centre_id),
        now,
    )
    both = union_all(hosted, co_hosted).subquery("candidates")
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
