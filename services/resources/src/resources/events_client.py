"""What the resources service asks the events service: has a teacher attended a course?

Attendance is personal data, so the question is asked with the borrower's own token (the one
their reservation request carried), exactly as their app would ask. When the events service
cannot answer, the reservation is refused with a 503 and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from shared.problems import ServiceUnavailable

MAX_PAGES = 5
"""Pages of 200 read at most per question: plenty for one teacher or one course."""


class EventsUnavailable(ServiceUnavailable):
    title = "Events service unavailable"


async def _ids(
    client: httpx.AsyncClient, path: str, params: Mapping[str, Any], headers: Mapping[str, str]
) -> set[str] | None:
    """The `id`s (or `event_id`s) of every page of a listing; None if refused (4xx)."""
    found: set[str] = set()
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page_params = {**params, "limit": 200, **({"after": cursor} if cursor else {})}
        try:
            response = await client.get(path, params=page_params, headers=dict(headers))
        except httpx.TransportError as exc:
            raise EventsUnavailable(
                "The events service cannot be reached to check the course; nothing was written.",
                retry_after_s=10,
            ) from exc
        if response.status_code >= 500:
            raise EventsUnavailable(
                "The events service is failing; nothing was written. Retry shortly.",
                retry_after_s=10,
            )
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
