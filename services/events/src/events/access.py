"""Who may run an event: the host centre's managers, and admins of the host's networks."""

from __future__ import annotations

import uuid

import httpx

from events.directory_client import networks_of
from shared.auth import Principal, Role
from shared.problems import Forbidden


async def manages_host(
    principal: Principal | None, host_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> bool:
    if principal is None:
        return False
    if principal.is_platform_admin:
        return True
    if Role.CENTRE_MANAGER in principal.roles and host_centre_id in principal.centre_ids:
        return True
    if Role.NETWORK_ADMIN in principal.roles and principal.network_ids:
        # Only network admins cost a call to the directory.
        return not principal.network_ids.isdisjoint(await networks_of(directory, host_centre_id))
    return False


async def ensure_manages_host(
    principal: Principal, host_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> None:
    if not await manages_host(principal, host_centre_id, directory):
        raise Forbidden("Only the host centre's managers and its networks' admins may do this.")
