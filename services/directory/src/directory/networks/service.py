"""Rules for networks and the membership graph."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from directory import access
from directory.errors import CentreNotFound, MembershipNotFound, NetworkCycle, NetworkNotFound
from directory.models import Centre, Membership, Network
from directory.networks import repository
from directory.networks.schemas import MembershipCreate, NetworkCreate, NetworkUpdate
from shared.auth import Principal, Role, require_role
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.outbox import record


async def get_network(session: AsyncSession, *, network_id: uuid.UUID) -> Row[Any]:
    rows = await repository.get_network_rows(session, [network_id])
    if network_id not in rows:
        raise NetworkNotFound(f"No network has id {network_id}.")
    return rows[network_id]


async def create_network(
    session: AsyncSession, *, principal: Principal, data: NetworkCreate
) -> uuid.UUID:
    """Platform admins create top-level networks; network admins create networks inside theirs."""
    require_role(principal, Role.NETWORK_ADMIN)
    for parent in data.member_of:
        await get_network(session, network_id=parent.network_id)
        await access.ensure_administers_network(session, principal, parent.network_id)
    if not data.member_of:
        require_role(principal, Role.PLATFORM_ADMIN)
    network = Network(
        id=new_id(),
        name=data.name,
        description=data.description,
        kind=data.kind,
        country=data.country,
        website=data.website,
    )
    session.add(network)
    await session.flush()
    for parent in data.member_of:
        session.add(
            Membership(
                network_id=parent.network_id,
                member_network_id=network.id,
                role=parent.role,
                starts_on=parent.starts_on or utcnow().date(),
            )
        )
    await session.flush()
    await record(
        session,
        type="network.created",
        subject_id=network.id,
        data={"member_of": [p.network_id for p in data.member_of]},
    )
    return network.id


async def update_network(
    session: AsyncSession,
    *,
    principal: Principal,
    network_id: uuid.UUID,
    patch: NetworkUpdate,
    if_match: str | None,
) -> None:
    result = await session.execute(
        select(Network).where(Network.id == network_id).with_for_update()
    )
    network = result.scalar_one_or_none()
    if network is None:
        raise NetworkNotFound(f"No network has id {network_id}.")
    await access.ensure_administers_network(session, principal, network_id)
    check_if_match(if_match, network.version)
    for key, value in patch.model_dump(exclude_unset=True).items():
        setattr(network, key, value)
    network.version += 1
    network.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        type="network.updated",
        subject_id=network_id,
        data={"version": network.version, "changed": sorted(patch.model_fields_set)},
    )


async def add_member(
    session: AsyncSession, *, principal: Principal, network_id: uuid.UUID, data: MembershipCreate
) -> Membership:
    await get_network(session, network_id=network_id)
    await access.ensure_administers_network(session, principal, network_id)
    if data.centre_id is not None and await session.get(Centre, data.centre_id) is None:
        raise CentreNotFound(f"No centre has id {data.centre_id}.")
    if data.network_id is not None:
        await get_network(session, network_id=data.network_id)
        # The graph must stay acyclic: a network cannot sit inside one of its own members.
        if network_id in await repository.descendants(session, data.network_id):
            raise NetworkCycle(f"Network {network_id} is already inside network {data.network_id}.")
    membership = Membership(
        id=new_id(),
        network_id=network_id,
        centre_id=data.centre_id,
        member_network_id=data.network_id,
        role=data.role,
        starts_on=data.starts_on or utcnow().date(),
        ends_on=data.ends_on,
    )
    session.add(membership)
    await session.flush()
    await record(
        session, type="network.member_added", subject_id=network_id, data=_member(membership)
    )
    return membership


def _member(membership: Membership) -> dict[str, object]:
    return {
        "membership_id": membership.id,
        "centre_id": membership.centre_id,
        "network_id": membership.member_network_id,
    }


async def remove_member(
    session: AsyncSession, *, principal: Principal, network_id: uuid.UUID, membership_id: uuid.UUID
) -> None:
    membership = await session.get(Membership, membership_id)
    if membership is None or membership.network_id != network_id:
        raise MembershipNotFound(f"Network {network_id} has no membership {membership_id}.")
    await access.ensure_administers_network(session, principal, network_id)
    await session.delete(membership)
    await session.flush()
    await record(
        session, type="network.member_removed", subject_id=network_id, data=_member(membership)
    )
