"""REST endpoints for educators: `/v1/educators`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from directory import access
from directory.educators import repository, service
from directory.educators.repository import EducatorFilters
from directory.educators.schemas import (
    EducatorCreate,
    EducatorPage,
    EducatorRead,
    EducatorUpdate,
    Method,
)
from shared.auth import CurrentPrincipal, MaybePrincipal
from shared.db import SessionDep
from shared.etags import etag_for
from shared.language_maps import QueryLanguageTag, language_preferences
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.taxonomy import Subject

router = APIRouter(prefix="/v1/educators", tags=["educators"])

Languages = Annotated[list[str], Depends(language_preferences)]


@router.get("", summary="Find educators", response_model=EducatorPage)
async def list_educators(
    session: SessionDep,
    principal: MaybePrincipal,
    languages: Languages,
    centre: uuid.UUID | None = None,
    subject: Annotated[list[Subject] | None, Query(max_length=10)] = None,
    language: Annotated[list[QueryLanguageTag] | None, Query(max_length=10)] = None,
    method: Annotated[list[Method] | None, Query(max_length=10)] = None,
    available_for_exchange: bool | None = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> EducatorPage:
    """Public profiles; with a token also your own record and your centres' educators."""
    filters = EducatorFilters(
        centre_id=centre,
        subjects=tuple(subject or ()),
        languages=tuple(language or ()),
        methods=tuple(method or ()),
        available_for_exchange=available_for_exchange,
    )
    educators, next_cursor = await repository.list_educators(
        session, principal=principal, filters=filters, limit=limit, after=after
    )
    managed = await access.centres_managed_among(
        session, principal, {e.centre_id for e in educators}
    )
    items = [
        EducatorRead.from_educator(
            e,
            languages,
            with_contact=e.centre_id in managed
            or (principal is not None and e.user_subject == principal.subject),
        )
        for e in educators
    ]
    return EducatorPage(items=items, next_cursor=next_cursor)


@router.get("/{educator_id}", summary="One educator", response_model=EducatorRead)
async def get_educator(
    educator_id: uuid.UUID,
    session: SessionDep,
    principal: MaybePrincipal,
    languages: Languages,
    response: Response,
) -> EducatorRead:
    educator = await service.get_educator(session, educator_id=educator_id, principal=principal)
    response.headers["ETag"] = etag_for(educator.version)
    with_contact = await access.can_see_educator_contact(session, principal, educator)
    return EducatorRead.from_educator(educator, languages, with_contact=with_contact)


@router.post(
    "", summary="Add an educator", status_code=status.HTTP_201_CREATED, response_model=EducatorRead
)
async def create_educator(
    data: EducatorCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
) -> EducatorRead:
    educator = await service.create_educator(session, principal=principal, data=data)
    response.headers["Location"] = f"/v1/educators/{educator.id}"
    response.headers["ETag"] = etag_for(educator.version)
    return EducatorRead.from_educator(educator, languages, with_contact=True)


@router.patch("/{educator_id}", summary="Change an educator", response_model=EducatorRead)
async def update_educator(
    educator_id: uuid.UUID,
    patch: EducatorUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> EducatorRead:
    educator = await service.update_educator(
        session, principal=principal, educator_id=educator_id, patch=patch, if_match=if_match
    )
    response.headers["ETag"] = etag_for(educator.version)
    return EducatorRead.from_educator(educator, languages, with_contact=True)


@router.delete(
    "/{educator_id}", summary="Erase an educator", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_educator(
    educator_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    await service.delete_educator(session, principal=principal, educator_id=educator_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
