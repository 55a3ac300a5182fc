"""Per-request DataLoaders: every batch is one SQL query in its own short session.

Built fresh for each request (in the context getter) so nothing is cached across callers,
and a batch of 100 federation representations becomes one `WHERE id IN (...)` query.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from events.catalogue.repository import get_events, sessions_of
from events.graphql.upcoming import CentreEventsKey, upcoming_events_of_centres
from events.models import Event, Session
from shared.auth import Principal
from shared.clock import utcnow
from shared.db import Database, reader_session

MAX_BATCH = 500


@dataclass
class EventsLoaders:
    event: DataLoader[uuid.UUID, Event | None]
    """Drafts load as None: GraphQL never shows them, not even to their host's staff."""
    sessions: DataLoader[uuid.UUID, list[Session]]
    centre_events: DataLoader[CentreEventsKey, list[Event]]

    def prime_events(self, rows: Sequence[Event]) -> None:
        """Rows a listing already read, so resolving them again costs nothing."""
        for row in rows:
            self.event.prime(row.id, row)


def make_loaders(db: Database, principal: Principal | None) -> EventsLoaders:
    async def load_events(ids: Sequence[uuid.UUID]) -> list[Event | None]:
        async with reader_session(db) as session:
            found = await get_events(session, ids)
        rows = [found.get(i) for i in ids]
        return [r if r is not None and r.status != "draft" else None for r in rows]

    async def load_sessions(event_ids: Sequence[uuid.UUID]) -> list[list[Session]]:
        async with reader_session(db) as session:
            found = await sessions_of(session, event_ids)
        return [found.get(i, []) for i in event_ids]

    async def load_centre_events(keys: Sequence[CentreEventsKey]) -> list[list[Event]]:
        async with reader_session(db) as session:
            return await upcoming_events_of_centres(session, keys, now=utcnow())

    return EventsLoaders(
        event=DataLoader(load_fn=load_events, max_batch_size=MAX_BATCH),
        sessions=DataLoader(load_fn=load_sessions, max_batch_size=MAX_BATCH),
        centre_events=DataLoader(load_fn=load_centre_events, max_batch_size=MAX_BATCH),
    )
