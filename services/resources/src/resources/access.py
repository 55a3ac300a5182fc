"""Who may manage a kit: the owning centre's managers, and admins of the owner's networks."""

from __future__ import annotations

import uuid

import httpx

from resources.directory_client import networks_of
from shared.auth import Principal, Role
from shared.problems import Forbidden


async def manages_owner(
    principal: Principal | None, owner_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> bool:
    if principal is None:
        return False
    if principal.is_platform_admin:
        return True
    if Role.CENTRE_MANAGER in principal.roles and owner_centre_id in principal.centre_ids:
        return True
    if Role.NETWORK_ADMIN in principal.roles and principal.network_ids:
        # Only network admins cost a call to the directory.
        return not principal.network_ids.isdisjoint(await networks_of(directory, owner_centre_id))
    return False


async def ensure_manages_owner(
    principal: Principal, owner_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> None:
    if not await manages_owner(principal, owner_centre_id, directory):
        raise Forbidden("Only the owning centre's managers and its networks' admins may do this.")
