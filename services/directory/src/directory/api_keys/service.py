"""Rules for API keys: who issues them, who sees them, how a key is checked."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from directory import access
from directory.api_keys.schemas import ApiKeyCreate
from directory.errors import NetworkNotFound
from directory.models import ApiKey, Network
from shared.api_keys import key_hash, new_key
from shared.auth import Principal, Role, require_role
from shared.clock import new_id, utcnow
from shared.pagination import decode_cursor, encode_cursor
from shared.problems import Forbidden, InvalidInput, NotFound, problem_type

LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiKeyNotFound(NotFound):
    type = problem_type("api-key-not-found")
    title = "API key not found"


async def create_key(
    session: AsyncSession, *, principal: Principal, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    """Platform admins issue keys for any network, network admins for networks they run."""
    require_role(principal, Role.NETWORK_ADMIN)
    if await session.get(Network, data.network_id) is None:
        raise NetworkNotFound(f"No network has id {data.network_id}.")
    await access.ensure_administers_network(session, principal, data.network_id)
    key = new_key()
    api_key = ApiKey(
        id=new_id(),
        network_id=data.network_id,
        name=data.name,
        key_hash=key_hash(key),
        key_prefix=key[:12],
        scopes=sorted({scope.value for scope in data.scopes}),
        created_by=principal.subject,
        created_at=utcnow(),
    )
    session.add(api_key)
    await session.flush()
    return api_key, key


async def visible_key(session: AsyncSession, *, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    require_role(principal, Role.NETWORK_ADMIN)
    api_key = await session.get(ApiKey, key_id)
    if api_key is None:
        raise ApiKeyNotFound(f"No API key {key_id} that you administer.")
    try:
        await access.ensure_administers_network(session, principal, api_key.network_id)
    except Forbidden as exc:
        raise ApiKeyNotFound(f"No API key {key_id} that you administer.") from exc
    return api_key


async def list_keys(
    session: AsyncSession,
    *,
    principal: Principal,
    network_id: uuid.UUID | None,
    after: str | None,
    limit: int,
) -> tuple[list[ApiKey], str | None]:
    require_role(principal, Role.NETWORK_ADMIN)
    query = select(ApiKey).order_by(ApiKey.id).limit(limit + 1)
    if network_id is not None:
        query = query.where(ApiKey.network_id == network_id)
    if not principal.is_platform_admin:
        query = query.where(ApiKey.network_id.in_(principal.network_ids))
    if after is not None:
        (last,) = decode_cursor(after, "api-keys", 1)
        try:
            query = query.where(ApiKey.id > uuid.UUID(str(last)))
        except ValueError as exc:
            raise InvalidInput(
                "after: the cursor is not one this API issued",
                errors=[{"field": "query.after", "message": "not a cursor of this list"}],
            ) from exc
    keys = list((await session.execute(query)).scalars())
    more = len(keys) > limit
    keys = keys[:limit]
    return keys, encode_cursor("api-keys", [keys[-1].id]) if more else None


async def revoke_key(session: AsyncSession, *, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    api_key = await visible_key(session, principal=principal, key_id=key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await session.flush()
    return api_key


async def check_key(session: AsyncSession, key: str) -> ApiKey | None:
    """The live key with this secret, its last-used time brought up to date; None if none."""
    now = utcnow()
    api_key = (
        await session.execute(
            select(ApiKey).where(ApiKey.key_hash == key_hash(key), ApiKey.revoked_at.is_(None))
        )
    ).scalar_one_or_none()
    if api_key is None:
        return None
    # One write a minute at most per key, however busy the integration.
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == api_key.id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_GRANULARITY),
        )
        .values(last_used_at=now)
    )
    return api_key
