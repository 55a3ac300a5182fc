"""Per-request DataLoaders: every batch is one SQL query in its own short session.

Built fresh for each request (in the context getter) so nothing is cached across callers,
and a batch of 100 federation representations becomes one `WHERE id IN (...)` query.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Row
from strawberry.dataloader import DataLoader

from directory.centres.repository import get_centre_rows
from directory.educators.repository import get_visible
from directory.models import Educator
from directory.networks.repository import get_network_rows
from shared.auth import Principal
from shared.db import Database, reader_session


@dataclass
class DirectoryLoaders:
    centre: DataLoader[uuid.UUID, Row[Any] | None]
    network: DataLoader[uuid.UUID, Row[Any] | None]
    educator: DataLoader[uuid.UUID, Educator | None]


def make_loaders(db: Database, principal: Principal | None) -> DirectoryLoaders:
    async def load_centres(ids: Sequence[uuid.UUID]) -> list[Row[Any] | None]:
        async with reader_session(db) as session:
            rows = await get_centre_rows(session, ids)
        return [rows.get(i) for i in ids]

    async def load_networks(ids: Sequence[uuid.UUID]) -> list[Row[Any] | None]:
        async with reader_session(db) as session:
            rows = await get_network_rows(session, ids)
        return [rows.get(i) for i in ids]

    async def load_educators(ids: Sequence[uuid.UUID]) -> list[Educator | None]:
        async with reader_session(db) as session:
            found = await get_visible(session, ids, principal)
        return [found.get(i) for i in ids]

    return DirectoryLoaders(
        centre=DataLoader(load_fn=load_centres, max_batch_size=500),
        network=DataLoader(load_fn=load_networks, max_batch_size=500),
        educator=DataLoader(load_fn=load_educators, max_batch_size=500),
    )
