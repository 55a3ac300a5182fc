"""Rules for educators: centres manage their educators; educators manage themselves."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from directory import access
from directory.educators import repository
from directory.educators.schemas import EducatorCreate, EducatorUpdate
from directory.errors import CentreNotFound, EducatorNotFound
from directory.models import Centre, Educator
from shared.auth import Principal
from shared.clock import new_id, utcnow
from shared.etags import check_if_match
from shared.outbox import Audience, record
from shared.problems import Forbidden


async def get_educator(
    session: AsyncSession, *, educator_id: uuid.UUID, principal: Principal | None
) -> Educator:
    """A hidden profile is reported as missing, so its existence does not leak."""
    found = await repository.get_visible(session, [educator_id], principal)
    if educator_id in found:
        return found[educator_id]
    educator = await session.get(Educator, educator_id)
    if educator is not None and await access.can_manage_centre(
        session, principal, educator.centre_id
    ):
        return educator
    raise EducatorNotFound(f"No educator has id {educator_id}.")


async def create_educator(
    session: AsyncSession, *, principal: Principal, data: EducatorCreate
) -> Educator:
    if await session.get(Centre, data.centre_id) is None:
        raise CentreNotFound(f"No centre has id {data.centre_id}.")
    await access.ensure_manages_centre(session, principal, data.centre_id)
    contact = data.contact
    educator = Educator(
        id=new_id(),
        **data.model_dump(exclude={"contact"}),
        email=contact.email if contact else None,
        phone=contact.phone if contact else None,
    )
    session.add(educator)
    await session.flush()
    await _educator_event(session, "educator.created", educator)
    return educator


async def _educator_event(session: AsyncSession, type: str, educator: Educator) -> None:
    # Educators are people: readers without rights to personal data get the id only.
    await record(
        session,
        type=type,
        subject_id=educator.id,
        data={"centre_id": educator.centre_id},
        audience=Audience.PERSONAL,
    )


async def _editable(
    session: AsyncSession, principal: Principal, educator_id: uuid.UUID
) -> Educator:
    educator = (
        await session.execute(select(Educator).where(Educator.id == educator_id).with_for_update())
    ).scalar_one_or_none()
    if educator is None:
        raise EducatorNotFound(f"No educator has id {educator_id}.")
    is_self = educator.user_subject is not None and educator.user_subject == principal.subject
    if not is_self and not await access.can_manage_centre(session, principal, educator.centre_id):
        if educator.public_profile:
            raise Forbidden("Only the educator and their centre's managers may change this record.")
        raise EducatorNotFound(f"No educator has id {educator_id}.")
    return educator


async def update_educator(
    session: AsyncSession,
    *,
    principal: Principal,
    educator_id: uuid.UUID,
    patch: EducatorUpdate,
    if_match: str | None,
) -> Educator:
    educator = await _editable(session, principal, educator_id)
    check_if_match(if_match, educator.version)
    changes = patch.model_dump(exclude_unset=True)
    if "contact" in changes:
        contact = changes.pop("contact") or {}
        educator.email, educator.phone = contact.get("email"), contact.get("phone")
    for key, value in changes.items():
        setattr(educator, key, value)
    educator.version += 1
    educator.updated_at = utcnow()
    await session.flush()
    await _educator_event(session, "educator.updated", educator)
    return educator


async def delete_educator(
    session: AsyncSession, *, principal: Principal, educator_id: uuid.UUID
) -> None:
    """Erasure on request: the record and its personal data are removed, not hidden."""
    educator = await _editable(session, principal, educator_id)
    await session.delete(educator)
    await session.flush()
    await _educator_event(session, "educator.deleted", educator)
