"""REST endpoints for quality labels: `/v1/labels`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from directory.labels import repository, service
from directory.labels.schemas import LabelCreate, LabelPage, LabelRead, LabelUpdate
from shared.auth import CurrentPrincipal
from shared.clock import utcnow
from shared.db import SessionDep
from shared.etags import etag_for
from shared.language_maps import language_preferences
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/labels", tags=["quality labels"])

Languages = Annotated[list[str], Depends(language_preferences)]


async def _read(session: SessionDep, label_id: uuid.UUID, languages: list[str]) -> LabelRead:
    label = await service.get_label(session, label_id=label_id)
    holders = await repository.holders_of(session, [label_id])
    return LabelRead.from_label(label, holders[label_id], languages, utcnow().date())


@router.get("", summary="List quality labels", response_model=LabelPage)
async def list_labels(
    session: SessionDep,
    languages: Languages,
    scheme: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$")] = None,
    holder: Annotated[uuid.UUID | None, Query(description="Held by this centre.")] = None,
    current: Annotated[bool, Query(description="Only labels valid today.")] = False,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> LabelPage:
    today = utcnow().date()
    labels, next_cursor = await repository.list_labels(
        session,
        scheme=scheme,
        holder=holder,
        current_on=today if current else None,
        limit=limit,
        after=after,
    )
    holders = await repository.holders_of(session, [label.id for label in labels])
    return LabelPage(
        items=[LabelRead.from_label(lb, holders[lb.id], languages, today) for lb in labels],
        next_cursor=next_cursor,
    )


@router.get("/{label_id}", summary="One quality label", response_model=LabelRead)
async def get_label(
    label_id: uuid.UUID, session: SessionDep, languages: Languages, response: Response
) -> LabelRead:
    label = await _read(session, label_id, languages)
    response.headers["ETag"] = etag_for(label.version)
    return label


@router.post(
    "",
    summary="Record a quality label",
    status_code=status.HTTP_201_CREATED,
    response_model=LabelRead,
)
async def create_label(
    data: LabelCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
) -> LabelRead:
    label_id = await service.create_label(session, principal=principal, data=data)
    label = await _read(session, label_id, languages)
    response.headers["Location"] = f"/v1/labels/{label_id}"
    response.headers["ETag"] = etag_for(label.version)
    return label


@router.patch("/{label_id}", summary="Change a quality label", response_model=LabelRead)
async def update_label(
    label_id: uuid.UUID,
    patch: LabelUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> LabelRead:
    await service.update_label(
        session, principal=principal, label_id=label_id, patch=patch, if_match=if_match
    )
    label = await _read(session, label_id, languages)
    response.headers["ETag"] = etag_for(label.version)
    return label
