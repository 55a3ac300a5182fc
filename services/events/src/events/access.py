"""Who may run an event: the host centre's managers, and admins of the host's networks."""

from __future__ import annotations

import uuid

import httpx

from shared.auth import Principal
from shared.centre_directory import ensure_manages_centre, manages_centre


async def manages_host(
    principal: Principal | None, host_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> bool:
    return await manages_centre(principal, host_centre_id, directory)


async def ensure_manages_host(
    principal: Principal, host_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> None:
    await ensure_manages_centre(
        principal,
        host_centre_id,
        directory,
        refusal="Only the host centre's managers and its networks' admins may do this.",
    )
