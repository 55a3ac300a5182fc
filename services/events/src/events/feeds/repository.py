"""What a calendar feed lists: the published events of a centre or a region that have not ended.

Drafts never appear. A cancelled event stays for a while after its cancellation so that
subscribers' calendars learn of it (a vanished entry is silently deleted, not shown cancelled).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.catalogue.repository import sessions_of
from events.catalogue.schemas import MAX_EVENT_LENGTH
from events.models import Event, Session

FEED_EVENT_LIMIT = 500
"""A feed shows at most the next 500 events..."""
FEED_SESSION_LIMIT = 5000
"""...and at most 5000 sessions between them, so one feed stays a few MB at worst."""
CANCELLATION_SHOWN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class FeedScope:
    """Exactly one of: hosted or co-hosted by a centre, or in a NUTS region (prefix match)."""

    centre_id: uuid.UUID | None = None
    region: str | None = None


@dataclass(frozen=True)
class FeedItem:
    event: Event
    sessions: list[Session]


def _in_scope(scope: FeedScope) -> ColumnElement[bool]:
    if scope.centre_id is not None:
        return (Event.host_centre_id == scope.centre_id) | Event.co_host_centre_ids.contains(
            [scope.centre_id]
        )
    if scope.region is not None:
        return Event.region.startswith(scope.region, autoescape=True)
    raise ValueError("a feed needs a centre or a region")


def _shown(now: datetime) -> ColumnElement[bool]:
    # A cancelled event cannot be changed afterwards, so its updated_at is when it was cancelled.
    recently_cancelled = (Event.status == "cancelled") & (
        Event.updated_at >= now - CANCELLATION_SHOWN_FOR
    )
    return Event.status.in_(("scheduled", "postponed")) | recently_cancelled


async def feed_items(session: AsyncSession, scope: FeedScope, *, now: datetime) -> list[FeedItem]:
    """Events not yet ended, soonest first: a course under way keeps its remaining meetings."""
    stmt = (
        select(Event)
        .where(
            _in_scope(scope),
            _shown(now),
            Event.ends_at > now,
            # No event lasts longer than MAX_EVENT_LENGTH: this lower bound on starts_at lets
            # PostgreSQL walk the (starts_at, id) index instead of every event ever held.
            Event.starts_at > now - MAX_EVENT_LENGTH,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(FEED_EVENT_LIMIT)
    )
    events = list((await session.execute(stmt)).scalars())
    sessions = await sessions_of(session, [e.id for e in events])
    return _within_session_budget([FeedItem(e, sessions[e.id]) for e in events])


def _within_session_budget(items: list[FeedItem]) -> list[FeedItem]:
    # Cut between events, never inside one: half a course in a calendar is worse than none.
    kept: list[FeedItem] = []
    total = 0
    for item in items:
        total += len(item.sessions)
        if total > FEED_SESSION_LIMIT:
            break
        kept.append(item)
    return kept
