"""What the resources service asks the events service: has a teacher attended a course, does
an event exist and who hosts it, which events were cancelled lately.

Attendance is personal data, so that question is asked with the borrower's own token (the one
their reservation request carried), exactly as their app would ask. When the events service
cannot answer, the reservation is refused with a 503 and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from shared.problems import InvalidInput, ServiceUnavailable

MAX_PAGES = 5
"""Pages of 200 read at most per question: plenty for one teacher or one course."""


class EventsUnavailable(ServiceUnavailable):
    title = "Events service unavailable"


@dataclass(frozen=True)
class EventFacts:
    id: uuid.UUID
    host_centre_id: uuid.UUID
    status: str


async def _get(
    client: httpx.AsyncClient, path: str, params: Mapping[str, Any], headers: Mapping[str, str]
) -> httpx.Response:
    try:
        response = await client.get(path, params=params, headers=dict(headers))
    except httpx.TransportError as exc:
        raise EventsUnavailable(
            "The events service cannot be reached; nothing was written. Retry shortly.",
            retry_after_s=10,
        ) from exc
    if response.status_code >= 500:
        raise EventsUnavailable(
            "The events service is failing; nothing was written. Retry shortly.",
            retry_after_s=10,
        )
    return response


async def event_facts(client: httpx.AsyncClient, event_id: uuid.UUID, *, field: str) -> EventFacts:
    """The event's host and status; a 422 naming `field` if there is no such event."""
    response = await _get(client, f"/v1/events/{event_id}", {}, {})
    if response.status_code == 404:
        raise InvalidInput(
            f"{field}: no event has id {event_id}",
            errors=[{"field": f"body.{field}", "message": "no such event"}],
        )
    response.raise_for_status()
    event = response.json()
    return EventFacts(event_id, uuid.UUID(event["host_centre_id"]), event["status"])


async def cancelled_after(
    client: httpx.AsyncClient, cursor: str | None
) -> tuple[set[uuid.UUID], str | None]:
    """Events cancelled after `cursor` in the events service's change feed, and the cursor to
    go on from. The feed is in commit order and never skips, so nothing is missed."""
    found: set[uuid.UUID] = set()
    for _ in range(MAX_PAGES):
        params = {"types": "event.cancelled", "limit": 200}
        response = await _get(
            client, "/v1/changes", params | ({"after": cursor} if cursor else {}), {}
        )
        response.raise_for_status()
        body = response.json()
        found |= {uuid.UUID(change["subject_id"]) for change in body["items"]}
        cursor = body["next_cursor"]
        if not body["items"]:
            break
    return found, cursor


async def _ids(
    client: httpx.AsyncClient, path: str, params: Mapping[str, Any], headers: Mapping[str, str]
) -> set[str] | None:
    """The `id`s (or `event_id`s) of every page of a listing; None if refused (4xx)."""
    found: set[str] = set()
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page_params = {**params, "limit": 200, **({"after": cursor} if cursor else {})}
        response = await _get(client, path, page_params, headers)
        if response.status_code != 200:
            return None
        body = response.json()
        found |= {str(item.get("event_id", item.get("id"))) for item in body["items"]}
        cursor = body.get("next_cursor")
        if not cursor:
            break
    return found


async def attended_course(
    client: httpx.AsyncClient, *, authorization: str, course_key: str
) -> bool:
    """Whether the token's owner attended any run of the course with this key."""
    runs = await _ids(
        client,
        "/v1/events",
        # Past runs count too; the listing shows upcoming ones unless told otherwise.
        {
            "course_key": course_key,
            "starts_after": "2000-01-01T00:00:00Z",
            "status": ["scheduled", "postponed"],
        },
        {},
    )
    if not runs:
        return False
    attended = await _ids(
        client, "/v1/registrations", {"status": "attended"}, {"Authorization": authorization}
    )
    return bool(attended and attended & runs)
