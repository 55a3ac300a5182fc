"""The CPD-hours ledger in GraphQL: the same rules and numbers as `/v1/teachers/{id}/ledger`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from events.ledger.hours import GOAL_HOURS, progress
from events.ledger.service import read_ledger
from shared.auth import IsAuthenticated, principal_of
from shared.db import reader_session
from shared.graphql import GraphQLContext
from shared.language_maps import pick
from shared.pagination import MAX_LIMIT
from shared.problems import InvalidInput


@strawberry.type(description="Hours credited from one attended session or one recognised activity.")
class LedgerEntry:
    id: strawberry.ID
    source: str
    hours: Decimal
    centre_id: strawberry.ID | None
    event_id: strawberry.ID | None
    title: str | None
    occurred_on: date


@strawberry.type(description="CPD hours across every centre, with progress toward the goal.")
class Ledger:
    teacher_id: str
    total_hours: Decimal
    goal_hours: Decimal
    progress: float
    remaining_hours: Decimal
    entries: list[LedgerEntry]
    next_cursor: str | None


async def _ledger(info: Info, teacher_id: str, first: int, after: str | None) -> Ledger:
    if not 1 <= first <= MAX_LIMIT:
        raise InvalidInput(f"first: must be between 1 and {MAX_LIMIT}")
    context: GraphQLContext = info.context
    principal = principal_of(info)
    assert principal is not None  # IsAuthenticated let the call through
    async with reader_session(context.db) as session:
        view = await read_ledger(
            session, principal=principal, teacher_id=teacher_id, limit=first, after=after
        )
    share, remaining = progress(view.total_hours)
    return Ledger(
        teacher_id=teacher_id,
        total_hours=view.total_hours,
        goal_hours=GOAL_HOURS,
        progress=share,
        remaining_hours=remaining,
        entries=[
            LedgerEntry(
                id=strawberry.ID(str(e.id)),
                source=e.source,
                hours=e.hours,
                centre_id=strawberry.ID(str(e.centre_id)) if e.centre_id else None,
                event_id=strawberry.ID(str(e.event_id)) if e.event_id else None,
                title=pick(e.title, context.languages),
                occurred_on=e.occurred_on,
            )
            for e in view.entries
        ],
        next_cursor=view.next_cursor,
    )


@strawberry.type
class LedgerQuery:
    @strawberry.field(description="The caller's CPD hours.", permission_classes=[IsAuthenticated])
    async def my_ledger(self, info: Info, first: int = 50, after: str | None = None) -> Ledger:
        principal = principal_of(info)
        assert principal is not None
        return await _ledger(info, principal.subject, first, after)

    @strawberry.field(
        description="A teacher's CPD hours (the teacher or a platform admin).",
        permission_classes=[IsAuthenticated],
    )
    async def teacher_ledger(
        self, info: Info, teacher_id: str, first: int = 50, after: str | None = None
    ) -> Ledger:
        return await _ledger(info, teacher_id, first, after)
