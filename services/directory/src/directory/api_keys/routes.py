"""REST endpoints for API keys: `/v1/api-keys`, and the check other services call."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, status

from directory.api_keys import service
from directory.api_keys.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPage,
    ApiKeyRead,
    Introspection,
    IntrospectionResult,
)
from directory.models import ApiKey
from shared.api_keys import principal_for_key
from shared.auth import CurrentPrincipal, Principal
from shared.db import SessionDep
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"], responses=PROBLEM_RESPONSES)


def _read(api_key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead.model_validate(api_key, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    summary="Issue an API key for a network; the key is shown only in this response",
)
async def create_api_key(
    session: SessionDep, principal: CurrentPrincipal, body: ApiKeyCreate
) -> ApiKeyCreated:
    api_key, key = await service.create_key(session, principal=principal, data=body)
    return ApiKeyCreated(**_read(api_key).model_dump(), key=key)


@router.get("", response_model=ApiKeyPage, summary="API keys of the networks you administer")
async def list_api_keys(
    session: SessionDep,
    principal: CurrentPrincipal,
    network_id: Annotated[uuid.UUID | None, Query()] = None,
    after: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> ApiKeyPage:
    keys, cursor = await service.list_keys(
        session, principal=principal, network_id=network_id, after=after, limit=limit
    )
    return ApiKeyPage(items=[_read(k) for k in keys], next_cursor=cursor)


@router.get("/{key_id}", response_model=ApiKeyRead, summary="One API key (never its secret)")
async def get_api_key(
    session: SessionDep, principal: CurrentPrincipal, key_id: uuid.UUID
) -> ApiKeyRead:
    return _read(await service.visible_key(session, principal=principal, key_id=key_id))


@router.post(
    "/{key_id}/revoke",
    response_model=ApiKeyRead,
    summary="Revoke a key: refused here at once, by other services within their cache time",
)
async def revoke_api_key(
    session: SessionDep, principal: CurrentPrincipal, key_id: uuid.UUID
) -> ApiKeyRead:
    return _read(await service.revoke_key(session, principal=principal, key_id=key_id))


@router.post(
    "/introspect",
    response_model=IntrospectionResult,
    summary="Check a key: is it live, for which network, with which scopes",
    description=(
        "Services call this for keys they are shown. Knowing a key is what proves it; keys "
        "are 256 random bits, so guessing one by asking is hopeless."
    ),
)
async def introspect_api_key(session: SessionDep, body: Introspection) -> IntrospectionResult:
    api_key = await service.check_key(session, body.key)
    if api_key is None:
        return IntrospectionResult(active=False)
    return IntrospectionResult(
        active=True, id=api_key.id, network_id=api_key.network_id, scopes=api_key.scopes
    )


class DirectoryApiKeys:
    """The directory checks keys in its own database (no cache: revocation is immediate)."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    async def resolve(self, key: str) -> Principal | None:
        async with self._app.state.db.session() as session:
            api_key = await service.check_key(session, key)
            await session.commit()
        if api_key is None:
            return None
        return principal_for_key(api_key.id, api_key.network_id, list(api_key.scopes))
