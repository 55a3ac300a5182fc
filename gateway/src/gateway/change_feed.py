"""`GET /v1/changes` at the gateway: every service's change feed as one.

Each service numbers its events in its own commit order, and nothing orders one service's
commits against another's. So the merged cursor is simply one cursor per service: a page asks
every service, in parallel, for its next events after its own cursor and returns them all,
interleaved by `occurred_at` but never reordered within a service. A consumer that keeps polling
with `next_cursor` sees every event of every service exactly once, each service's in commit order.

A service that cannot be read is named in `unavailable` and its cursor stays where it was, so
its events come on a later page; one slow service never holds the others' events back. Which
services have a feed, and which event types each records, is read from their OpenAPI documents
(`x-event-types` on the feed's operation), so a new service's feed joins without gateway code.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import httpx
import structlog
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from shared.changes import EVENT_TYPES_EXTENSION, Change, parse_types
from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, decode_cursor, encode_cursor
from shared.problems import PROBLEM_RESPONSES, InvalidInput, ServiceUnavailable

log = structlog.get_logger("pdnet.gateway.changes")

FEED_PATH = "/v1/changes"
CURSOR_KIND = "merged-changes"


class MergedChange(Change):
    service: str
    """The service that recorded the event; re-fetch its subject there."""


class MergedChangePage(BaseModel):
    items: list[MergedChange]
    next_cursor: str = Field(description="Pass as `after` to continue; set even when empty.")
    unavailable: list[str] = Field(
        default_factory=list,
        description="Services whose feed could not be read for this page; their events come "
        "on a later one, nothing is skipped.",
    )


def feeds_of(documents: Mapping[str, Mapping[str, Any]]) -> dict[str, frozenset[str]]:
    """Service name → the event types its feed records, for every service that has one."""
    feeds: dict[str, frozenset[str]] = {}
    for service, document in documents.items():
        operation = document.get("paths", {}).get(FEED_PATH, {}).get("get")
        types = operation.get(EVENT_TYPES_EXTENSION) if isinstance(operation, dict) else None
        if isinstance(types, list):
            feeds[service] = frozenset(t for t in types if isinstance(t, str))
    return feeds


def _cursors(after: str | None) -> dict[str, str]:
    if after is None:
        return {}
    (cursors,) = decode_cursor(after, CURSOR_KIND, 1)
    if not isinstance(cursors, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cursors.items()
    ):
        raise InvalidInput(
            "after: the cursor is not one this API issued",
            errors=[{"field": "query.after", "message": "not a merged change-feed cursor"}],
        )
    return cursors


class _Refused(Exception):
    """A service refused its part of the request (e.g. its cursor): answered as it said."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


async def _read_feed(
    request: Request, service: str, *, after: str | None, types: frozenset[str] | None, limit: int
) -> dict[str, Any] | None:
    """The service's next page, None if it cannot be read now; raises `_Refused` on a 4xx."""
    runtime = request.app.state.gateway
    source = runtime.sources.service(service)
    if source is None:  # its OpenAPI document was read, so it is configured
        return None
    params: dict[str, str | int] = {"limit": limit}
    if after is not None:
        params["after"] = after
    if types is not None:
        params["types"] = ",".join(sorted(types))
    headers = {}
    if request_id := current_request_id():
        headers[REQUEST_ID_HEADER] = request_id
    if authorization := request.headers.get("authorization"):
        headers["authorization"] = authorization
    try:
        response = await runtime.clients[service].get(
            f"{source.base_url}{FEED_PATH}",
            params=params,
            headers=headers,
            timeout=runtime.settings.rest_timeout_s,
        )
    except httpx.HTTPError as exc:
        log.warning("change feed not read", service=service, reason=str(exc))
        return None
    if 400 <= response.status_code < 500:
        raise _Refused(response)
    if response.status_code != 200:
        log.warning("change feed not read", service=service, status=response.status_code)
        return None
    page: dict[str, Any] = response.json()
    return page


def change_feed_router() -> APIRouter:
    router = APIRouter(tags=["changes"])

    @router.get(
        FEED_PATH,
        response_model=MergedChangePage,
        summary="Changes of every service, from one cursor",
        description=(
            "Every service's change feed as one: up to `limit` events from each service per "
            "page, each service's in its commit order, interleaved by `occurred_at`. Keep "
            "polling with `next_cursor`: no event is ever skipped or repeated. Each service's "
            "own feed is also at `/services/<name>/v1/changes`."
        ),
        responses=PROBLEM_RESPONSES,
    )
    async def merged_changes(
        request: Request,
        after: CursorQuery = None,
        types: Annotated[
            str | None,
            Query(max_length=2000, description="Only these types, separated by commas."),
        ] = None,
        limit: LimitQuery = DEFAULT_LIMIT,
    ) -> MergedChangePage | Response:
        feeds = feeds_of(request.app.state.gateway.routes.documents())
        if not feeds:
            raise ServiceUnavailable("No service's change feed is known yet; try again shortly.")
        cursors = _cursors(after)
        wanted = parse_types(types, frozenset().union(*feeds.values()))
        asked = {
            service: None if wanted is None else known & set(wanted)
            for service, known in feeds.items()
            if wanted is None or known & set(wanted)
        }
        try:
            pages = await asyncio.gather(
                *(
                    _read_feed(request, s, after=cursors.get(s), types=t, limit=limit)
                    for s, t in asked.items()
                )
            )
        except _Refused as refused:
            return JSONResponse(
                refused.response.json(),
                status_code=refused.response.status_code,
                media_type="application/problem+json",
            )
        read = {s: page for s, page in zip(asked, pages, strict=True) if page is not None}
        streams = [[{**item, "service": s} for item in page["items"]] for s, page in read.items()]
        # heapq.merge keeps each stream's own order, which is its service's commit order.
        items = list(
            heapq.merge(*streams, key=lambda item: datetime.fromisoformat(item["occurred_at"]))
        )
        # A cursor for a service not asked this time (or not read) is carried over untouched.
        next_cursors = cursors | {s: page["next_cursor"] for s, page in read.items()}
        return MergedChangePage(
            items=[MergedChange.model_validate(item) for item in items],
            next_cursor=encode_cursor(CURSOR_KIND, [next_cursors]),
            unavailable=sorted(set(asked) - set(read)),
        )

    return router
