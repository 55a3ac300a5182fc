"""Rules for centres: who may create and change them, and what a valid change is."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from directory import access
from directory.centres import repository
from directory.centres.repository import CentreFilters
from directory.centres.schemas import CentreCreate, CentreUpdate, Identifier
from directory.errors import CentreNotFound, IdentifierTaken, NetworkNotFound
from directory.models import Centre, Membership
from shared.auth import Principal, Role, require_role
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.outbox import record
from shared.problems import Forbidden


async def list_centres(
    session: AsyncSession, *, filters: CentreFilters, limit: int, after: str | None
) -> tuple[list[Row[Any]], str | None]:
    return await repository.search_centres(session, filters, limit=limit, after=after)


async def get_centre(session: AsyncSession, *, centre_id: uuid.UUID) -> Row[Any]:
    rows = await repository.get_centre_rows(session, [centre_id])
    if centre_id not in rows:
        raise CentreNotFound(f"No centre has id {centre_id}.")
    return rows[centre_id]


async def _check_identifiers(
    session: AsyncSession, identifiers: list[Identifier], *, centre_id: uuid.UUID | None
) -> list[tuple[str, str]]:
    pairs = [(i.scheme, i.value) for i in identifiers]
    if len(set(pairs)) != len(pairs):
        raise IdentifierTaken("The same identifier is listed twice.")
    taken = await repository.identifiers_taken(session, pairs, other_than=centre_id)
    if taken:
        scheme, value, owner = taken[0]
        raise IdentifierTaken(
            f"Identifier {scheme}:{value} already belongs to centre {owner}.", centre_id=str(owner)
        )
    return pairs


async def create_centre(
    session: AsyncSession, *, principal: Principal, data: CentreCreate
) -> uuid.UUID:
    """Platform admins create any centre; network admins create centres inside their network."""
    require_role(principal, Role.NETWORK_ADMIN)
    network_ids = [m.network_id for m in data.networks]
    missing = set(network_ids) - await repository.existing_network_ids(session, network_ids)
    if missing:
        raise NetworkNotFound(f"No network has id {sorted(map(str, missing))[0]}.")
    if not principal.is_platform_admin:
        reachable: set[uuid.UUID] = set()
        for network_id in network_ids:
            reachable |= await access.network_and_ancestors(session, network_id)
        if principal.network_ids.isdisjoint(reachable):
            raise Forbidden(
                "A network admin creates centres as members of a network they administer; "
                "list it in `networks`."
            )
    pairs = await _check_identifiers(session, data.identifiers, centre_id=None)
    centre = Centre(id=new_id(), name=data.name, country=data.country)
    _apply(centre, data.model_dump(exclude={"name", "country", "networks", "identifiers"}))
    centre.data_source, centre.origin_id = data.data_source, data.origin_id
    session.add(centre)
    await session.flush()
    await repository.replace_identifiers(session, centre.id, pairs)
    for membership in data.networks:
        session.add(
            Membership(
                network_id=membership.network_id,
                centre_id=centre.id,
                role=membership.role,
                starts_on=membership.starts_on or utcnow().date(),
            )
        )
    await session.flush()
    await record(
        session,
        type="centre.created",
        subject_id=centre.id,
        data={"country": centre.country, "networks": network_ids},
    )
    return centre.id


def _apply(centre: Centre, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "location":
            centre.lat = value["lat"] if value else None
            centre.lon = value["lon"] if value else None
        elif key == "public_contact":
            centre.public_email = (value or {}).get("email")
            centre.public_phone = (value or {}).get("phone")
        elif key in {"data_source", "origin_id"}:
            continue
        else:
            setattr(centre, key, value)


async def update_centre(
    session: AsyncSession,
    *,
    principal: Principal,
    centre_id: uuid.UUID,
    patch: CentreUpdate,
    if_match: str | None,
) -> None:
    centre = await repository.lock_centre(session, centre_id)
    if centre is None:
        raise CentreNotFound(f"No centre has id {centre_id}.")
    await access.ensure_manages_centre(session, principal, centre_id)
    # The row is locked, so the version compared here is the one the update replaces.
    check_if_match(if_match, centre.version)
    changes = patch.model_dump(exclude_unset=True)
    identifiers = changes.pop("identifiers", None)
    if identifiers is not None:
        pairs = await _check_identifiers(session, patch.identifiers or [], centre_id=centre_id)
        await repository.replace_identifiers(session, centre_id, pairs)
    _apply(centre, changes)
    centre.version += 1
    centre.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        type="centre.updated",
        subject_id=centre_id,
        data={"version": centre.version, "changed": sorted(patch.model_fields_set)},
    )
