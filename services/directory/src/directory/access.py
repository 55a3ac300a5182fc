"""Who may change what: the directory's authorisation rules, in one place.

A centre may be changed by its own managers and by admins of any network it belongs to,
directly or through the networks its networks belong to (a national admin reaches regional
networks' centres).
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from directory.models import Educator
from shared.auth import Principal, Role
from shared.problems import Forbidden

_CENTRE_NETWORKS = text(
    """
    WITH RECURSIVE up(id) AS (
        SELECT network_id FROM network_memberships
         WHERE centre_id = :centre_id AND (ends_on IS NULL OR ends_on >= current_date)
        UNION
        SELECT m.network_id FROM network_memberships m JOIN up ON m.member_network_id = up.id
         WHERE m.ends_on IS NULL OR m.ends_on >= current_date
    )
    SELECT id FROM up
    """
)

_NETWORK_ANCESTORS = text(
    """
    WITH RECURSIVE up(id) AS (
        SELECT CAST(:network_id AS uuid)
        UNION
        SELECT m.network_id FROM network_memberships m JOIN up ON m.member_network_id = up.id
         WHERE m.ends_on IS NULL OR m.ends_on >= current_date
    )
    SELECT id FROM up
    """
)


async def networks_of_centre(session: AsyncSession, centre_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.execute(_CENTRE_NETWORKS, {"centre_id": centre_id})
    return {row[0] for row in rows}


async def network_and_ancestors(session: AsyncSession, network_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.execute(_NETWORK_ANCESTORS, {"network_id": network_id})
    return {row[0] for row in rows}


async def can_manage_centre(
    session: AsyncSession, principal: Principal | None, centre_id: uuid.UUID
) -> bool:
    if principal is None:
        return False
    if principal.is_platform_admin or (
        Role.CENTRE_MANAGER in principal.roles and centre_id in principal.centre_ids
    ):
        return True
    if Role.NETWORK_ADMIN not in principal.roles or not principal.network_ids:
        return False
    return principal.manages_centre(centre_id, await networks_of_centre(session, centre_id))


async def ensure_manages_centre(
    session: AsyncSession, principal: Principal, centre_id: uuid.UUID
) -> None:
    if not await can_manage_centre(session, principal, centre_id):
        raise Forbidden("You may only change centres you manage or that belong to your network.")


async def ensure_administers_network(
    session: AsyncSession, principal: Principal, network_id: uuid.UUID
) -> None:
    """Admins of a network, or of any network it belongs to, may change it."""
    if principal.is_platform_admin:
        return
    if Role.NETWORK_ADMIN in principal.roles and not principal.network_ids.isdisjoint(
        await network_and_ancestors(session, network_id)
    ):
        return
    raise Forbidden("You may only change networks you administer.")


async def can_see_educator_contact(
    session: AsyncSession, principal: Principal | None, educator: Educator
) -> bool:
    if principal is None:
        return False
    if educator.user_subject is not None and educator.user_subject == principal.subject:
        return True
    return await can_manage_centre(session, principal, educator.centre_id)


_CENTRES_NETWORKS = text(
    """
    WITH RECURSIVE up(centre_id, network_id) AS (
        SELECT centre_id, network_id FROM network_memberships
         WHERE centre_id = ANY(:centre_ids) AND (ends_on IS NULL OR ends_on >= current_date)
        UNION
        SELECT up.centre_id, m.network_id FROM network_memberships m
          JOIN up ON m.member_network_id = up.network_id
         WHERE m.ends_on IS NULL OR m.ends_on >= current_date
    )
    SELECT centre_id, network_id FROM up
    """
)


async def centres_managed_among(
    session: AsyncSession, principal: Principal | None, centre_ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these centres the principal manages, in one query for a whole page."""
    if principal is None or not centre_ids:
        return set()
    if principal.is_platform_admin:
        return set(centre_ids)
    managed = (
        set(centre_ids) & principal.centre_ids if Role.CENTRE_MANAGER in principal.roles else set()
    )
    if Role.NETWORK_ADMIN in principal.roles and principal.network_ids:
        rows = await session.execute(_CENTRES_NETWORKS, {"centre_ids": list(centre_ids)})
        managed |= {row.centre_id for row in rows if row.network_id in principal.network_ids}
    return managed
