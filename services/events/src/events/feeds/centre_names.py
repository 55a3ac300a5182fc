"""A centre's name for the title of its calendar feed, asked of the directory.

The name is a nicety: when the directory cannot answer, the feed is still served under a
generic title. Only a definite "no such centre" turns the feed into a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx

from shared.language_maps import pick
from shared.problems import NotFound, problem_type


class CentreNotFound(NotFound):
    type = problem_type("centre-not-found")
    title = "Centre not found"


async def centre_name(
    directory: httpx.AsyncClient, centre_id: uuid.UUID, languages: Sequence[str]
) -> str | None:
    try:
        response = await directory.get(f"/v1/centres/{centre_id}")
    except httpx.TransportError:
        return None
    if response.status_code == 404:
        raise CentreNotFound(f"No centre has id {centre_id}.")
    if response.status_code != 200:
        return None
    name = response.json().get("name")
    return pick(name, languages) if isinstance(name, dict) else None
