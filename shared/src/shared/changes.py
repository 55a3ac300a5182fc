"""The change feed, `GET /v1/changes`: a service's outbox, in commit order, resumable.

A consumer starts without `after` (or from a cursor it kept), reads pages, and keeps polling
with the last `next_cursor` it got; the feed never ends, so `next_cursor` is always set. Since
positions are assigned in commit order (see `shared.outbox`), polling continuously sees every
event exactly once, in order, however slowly writers commit. Events about people are thin
(type and subject id, no data) unless the reader is entitled to personal data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from shared.auth import MaybePrincipal, Principal
from shared.db import SessionDep
from shared.outbox import Audience, outbox_events
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, decode_cursor, encode_cursor
from shared.problems import PROBLEM_RESPONSES, InvalidInput

CURSOR_KIND = "changes"
EVENT_TYPES_EXTENSION = "x-event-types"
"""On the feed's operation in the OpenAPI document: the event types this service records."""
_TYPE_LIST = re.compile(r"^[a-z_]+\.[a-z_]+(,[a-z_]+\.[a-z_]+)*$")


class Change(BaseModel):
    id: uuid.UUID
    """The event's id: the same in the feed and in webhook payloads."""
    type: str
    subject_id: uuid.UUID
    """The id of what changed (a centre, a registration…): re-fetch it for the full picture."""
    occurred_at: datetime
    data: dict[str, Any] | None
    """What changed; null when the event concerns people and the reader may not see it."""


class ChangePage(BaseModel):
    items: list[Change]
    next_cursor: str = Field(description="Pass as `after` to continue; set even when empty.")


def entitled_to_personal_data(principal: Principal | None) -> bool:
    """Personal data in feeds and payloads goes to platform admins only (not to API keys)."""
    return principal is not None and principal.is_platform_admin and principal.api_key_id is None


def change_data(
    *, subject_id: uuid.UUID, audience: str, data: dict[str, Any], personal: bool
) -> dict[str, Any] | None:
    if audience == Audience.PERSONAL and not personal:
        return None
    return {"id": str(subject_id), **data}


def parse_types(types: str | None, known: frozenset[str]) -> list[str] | None:
    if types is None:
        return None
    if not _TYPE_LIST.match(types):
        raise InvalidInput(
            "types: expected event types separated by commas, e.g. types=centre.updated",
            errors=[{"field": "query.types", "message": "expected a comma-separated list"}],
        )
    wanted = types.split(",")
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise InvalidInput(
            f"types: this service has no event type {', '.join(unknown)}; "
            f"it has {', '.join(sorted(known))}",
            errors=[{"field": "query.types", "message": f"unknown type {unknown[0]}"}],
        )
    return wanted


def changes_router(event_types: Iterable[str]) -> APIRouter:
    """The feed of one service, which names the event types it records."""
    known = frozenset(event_types)
    router = APIRouter(prefix="/v1/changes", tags=["changes"])

    @router.get(
        "",
        response_model=ChangePage,
        summary="Changes in commit order, from a cursor",
        description=(
            "Every domain event this service recorded, oldest first. Keep polling with "
            "`next_cursor`: no event is ever skipped or repeated. Event types: "
            + ", ".join(sorted(known))
            + "."
        ),
        responses=PROBLEM_RESPONSES,
        # Machine-readable for the gateway's merged feed, which asks each service only for
        # the types it records.
        openapi_extra={EVENT_TYPES_EXTENSION: sorted(known)},
    )
    async def list_changes(
        session: SessionDep,
        principal: MaybePrincipal,
        after: CursorQuery = None,
        types: Annotated[
            str | None,
            Query(max_length=2000, description="Only these types, separated by commas."),
        ] = None,
        limit: LimitQuery = DEFAULT_LIMIT,
    ) -> ChangePage:
        position = 0
        if after is not None:
            (value,) = decode_cursor(after, CURSOR_KIND, 1)
            if not isinstance(value, int) or not 0 <= value < 2**63:
                raise InvalidInput(
                    "after: the cursor is not one this API issued",
                    errors=[{"field": "query.after", "message": "not a change-feed cursor"}],
                )
            position = value
        wanted = parse_types(types, known)
        query = (
            select(outbox_events)
            .where(outbox_events.c.position > position)
            .order_by(outbox_events.c.position)
            .limit(limit)
        )
        if wanted is not None:
            query = query.where(outbox_events.c.type.in_(wanted))
        rows = (await session.execute(query)).all()
        personal = entitled_to_personal_data(principal)
        items = [
            Change(
                id=row.id,
                type=row.type,
                subject_id=row.subject_id,
                occurred_at=row.occurred_at,
                data=change_data(
                    subject_id=row.subject_id,
                    audience=row.audience,
                    data=row.data,
                    personal=personal,
                ),
            )
            for row in rows
        ]
        last = rows[-1].position if rows else position
        return ChangePage(items=items, next_cursor=encode_cursor(CURSOR_KIND, [last]))

    return router
