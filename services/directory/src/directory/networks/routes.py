"""REST endpoints for networks and their members: `/v1/networks`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from directory.networks import repository, service
from directory.networks.schemas import (
    MembershipCreate,
    MembershipPage,
    MembershipRead,
    NetworkCreate,
    NetworkKind,
    NetworkPage,
    NetworkRead,
    NetworkUpdate,
)
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.etags import etag_for
from shared.language_maps import language_preferences
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/networks", tags=["networks"])

Languages = Annotated[list[str], Depends(language_preferences)]
IfMatch = Annotated[
    str | None, Header(max_length=200, description="The ETag you read; a stale one gets 412.")
]


@router.get("", summary="List networks", response_model=NetworkPage)
async def list_networks(
    session: SessionDep,
    languages: Languages,
    kind: NetworkKind | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> NetworkPage:
    rows, next_cursor = await repository.list_networks(
        session, kind=kind, country=country, limit=limit, after=after
    )
    return NetworkPage(
        items=[NetworkRead.from_row(r, languages) for r in rows], next_cursor=next_cursor
    )


@router.get("/{network_id}", summary="One network", response_model=NetworkRead)
async def get_network(
    network_id: uuid.UUID, session: SessionDep, languages: Languages, response: Response
) -> NetworkRead:
    row = await service.get_network(session, network_id=network_id)
    response.headers["ETag"] = etag_for(row.version)
    return NetworkRead.from_row(row, languages)


@router.post(
    "", summary="Create a network", status_code=status.HTTP_201_CREATED, response_model=NetworkRead
)
async def create_network(
    data: NetworkCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
) -> NetworkRead:
    network_id = await service.create_network(session, principal=principal, data=data)
    row = await service.get_network(session, network_id=network_id)
    response.headers["Location"] = f"/v1/networks/{network_id}"
    response.headers["ETag"] = etag_for(row.version)
    return NetworkRead.from_row(row, languages)


@router.patch("/{network_id}", summary="Change a network", response_model=NetworkRead)
async def update_network(
    network_id: uuid.UUID,
    patch: NetworkUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
    if_match: IfMatch = None,
) -> NetworkRead:
    await service.update_network(
        session, principal=principal, network_id=network_id, patch=patch, if_match=if_match
    )
    row = await service.get_network(session, network_id=network_id)
    response.headers["ETag"] = etag_for(row.version)
    return NetworkRead.from_row(row, languages)


@router.get("/{network_id}/members", summary="Members of a network", response_model=MembershipPage)
async def list_members(
    network_id: uuid.UUID,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> MembershipPage:
    await service.get_network(session, network_id=network_id)
    members, next_cursor = await repository.list_members(
        session, network_id=network_id, limit=limit, after=after
    )
    return MembershipPage(
        items=[MembershipRead.model_validate(m, from_attributes=True) for m in members],
        next_cursor=next_cursor,
    )


@router.post(
    "/{network_id}/members",
    summary="Add a centre or a network to a network",
    status_code=status.HTTP_201_CREATED,
    response_model=MembershipRead,
)
async def add_member(
    network_id: uuid.UUID, data: MembershipCreate, session: SessionDep, principal: CurrentPrincipal
) -> MembershipRead:
    membership = await service.add_member(
        session, principal=principal, network_id=network_id, data=data
    )
    return MembershipRead.model_validate(membership, from_attributes=True)


@router.delete(
    "/{network_id}/members/{membership_id}",
    summary="Remove a membership",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def remove_member(
    network_id: uuid.UUID,
    membership_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Response:
    await service.remove_member(
        session, principal=principal, network_id=network_id, membership_id=membership_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
