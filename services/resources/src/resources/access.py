"""Who may manage a kit: the owning centre's managers, and admins of the owner's networks."""

from __future__ import annotations

import uuid

import httpx

from shared.auth import Principal
from shared.centre_directory import ensure_manages_centre, manages_centre


async def manages_owner(
    principal: Principal | None, owner_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> bool:
    return await manages_centre(principal, owner_centre_id, directory)


async def ensure_manages_owner(
    principal: Principal, owner_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> None:
    await ensure_manages_centre(
        principal,
        owner_centre_id,
        directory,
        refusal="Only the owning centre's managers and its networks' admins may do this.",
    )
