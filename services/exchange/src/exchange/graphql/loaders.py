"""Per-request DataLoaders: every batch is one SQL query in its own short session.

Built fresh for each request (in the context getter) with the caller's principal, so what an
educator's `exchanges` returns is filtered for that caller, and nothing is cached across callers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from exchange.access import visible_applications
from exchange.applications.repository import applications_of_educators
from exchange.models import Application, Offer, Transition
from exchange.offers.repository import get_offers, offers_of_centres
from shared.auth import Principal
from shared.db import Database, reader_session

MAX_BATCH = 500


class CentreOffersKey(NamedTuple):
    centre_id: uuid.UUID
    limit: int
    after: uuid.UUID | None


class EducatorExchangesKey(NamedTuple):
    educator_id: uuid.UUID
    limit: int


@dataclass
class ExchangeLoaders:
    offer: DataLoader[uuid.UUID, Offer | None]
    centre_offers: DataLoader[CentreOffersKey, list[Offer]]
    educator_exchanges: DataLoader[EducatorExchangesKey, list[Application]]
    history: DataLoader[uuid.UUID, list[Transition]]

    def prime_offers(self, rows: Sequence[Offer]) -> None:
        for row in rows:
            self.offer.prime(row.id, row)


def make_loaders(db: Database, principal: Principal | None) -> ExchangeLoaders:
    async def load_offers(ids: Sequence[uuid.UUID]) -> list[Offer | None]:
        async with reader_session(db) as session:
            found = await get_offers(session, ids)
        return [found.get(i) for i in ids]

    async def load_centre_offers(keys: Sequence[CentreOffersKey]) -> list[list[Offer]]:
        async with reader_session(db) as session:
            return await offers_of_centres(session, keys)

    async def load_educator_exchanges(
        keys: Sequence[EducatorExchangesKey],
    ) -> list[list[Application]]:
        if principal is None:
            return [[] for _ in keys]
        limit = max(k.limit for k in keys)
        async with reader_session(db) as session:
            found = await applications_of_educators(
                session,
                [k.educator_id for k in keys],
                visible=visible_applications(principal),
                limit=limit,
            )
        return [found[k.educator_id][: k.limit] for k in keys]

    async def load_history(ids: Sequence[uuid.UUID]) -> list[list[Transition]]:
        by_application: dict[uuid.UUID, list[Transition]] = defaultdict(list)
        async with reader_session(db) as session:
            rows = await session.execute(
                select(Transition)
                .where(Transition.application_id.in_(set(ids)))
                .order_by(Transition.id)
            )
            for row in rows.scalars():
                by_application[row.application_id].append(row)
        return [by_application.get(i, []) for i in ids]

    return ExchangeLoaders(
        offer=DataLoader(load_fn=load_offers, max_batch_size=MAX_BATCH),
        centre_offers=DataLoader(load_fn=load_centre_offers, max_batch_size=MAX_BATCH),
        educator_exchanges=DataLoader(load_fn=load_educator_exchanges, max_batch_size=MAX_BATCH),
        history=DataLoader(load_fn=load_history, max_batch_size=MAX_BATCH),
    )
