"""REST endpoints for the catalogue: `/v1/kits`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from resources.availability.ranges import check_range
from resources.catalogue import repository, service
from resources.catalogue.repository import KitFilters
from resources.catalogue.schemas import (
    ItemPage,
    ItemRead,
    ItemUpdate,
    KitCreate,
    KitKind,
    KitPage,
    KitRead,
    KitStatus,
    KitUpdate,
)
from resources.dependencies import DirectoryDep, Languages
from shared.api_models import Instant
from shared.auth import CurrentPrincipal
from shared.clock import utcnow
from shared.db import SessionDep
from shared.etags import etag_for
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from shared.problems import InvalidInput
from shared.taxonomy import Audience, Subject

router = APIRouter(prefix="/v1/kits", tags=["kits"])


def _near(near: str | None, radius_km: float) -> tuple[float, float, float] | None:
    if near is None:
        return None
    lat_text, _, lon_text = near.partition(",")
    lat, lon = float(lat_text), float(lon_text)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(
            "near: latitude or longitude out of range",
            errors=[{"field": "query.near", "message": "out of range"}],
        )
    return (lat, lon, radius_km)


def _available(
    starts_on: date | None, ends_on: date | None, quantity: int
) -> tuple[date, date, int] | None:
    if starts_on is None and ends_on is None:
        return None
    if starts_on is None or ends_on is None:
        missing = "available_from" if starts_on is None else "available_to"
        raise InvalidInput(
            f"query.{missing}: give available_from and available_to together",
            errors=[{"field": f"query.{missing}", "message": "required with the other"}],
        )
    check_range(
        starts_on,
        ends_on,
        today=utcnow().date(),
        where="query",
        names=("available_from", "available_to"),
    )
    return (starts_on, ends_on, quantity)


def kit_filters(
    centre: Annotated[uuid.UUID | None, Query(description="Owned by this centre.")] = None,
    kind: Annotated[list[KitKind] | None, Query(max_length=6)] = None,
    subject: Annotated[list[Subject] | None, Query(max_length=10)] = None,
    audience: Annotated[list[Audience] | None, Query(max_length=4)] = None,
    age: Annotated[int | None, Query(ge=0, le=120, description="Suitable for this age.")] = None,
    kit_status: Annotated[
        list[KitStatus] | None, Query(alias="status", max_length=2, description="Default: active.")
    ] = None,
    available_from: Annotated[
        date | None, Query(description="With available_to: free for the whole range.")
    ] = None,
    available_to: date | None = None,
    quantity: Annotated[
        int, Query(ge=1, le=1000, description="How many items must be free (with the range).")
    ] = 1,
    near: Annotated[
        str | None,
        Query(pattern=r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$", description="lat,lon"),
    ] = None,
    radius_km: Annotated[float, Query(gt=0, le=2000)] = 50.0,
    modified_after: Instant | None = None,
) -> KitFilters:
    return KitFilters(
        centre_id=centre,
        kinds=tuple(kind or ()),
        subjects=tuple(subject or ()),
        audiences=tuple(audience or ()),
        age=age,
        statuses=tuple(kit_status or ("active",)),
        available=_available(available_from, available_to, quantity),
        near=_near(near, radius_km),
        modified_after=modified_after,
    )


@router.get("", summary="Find kits and materials", response_model=KitPage)
async def list_kits(
    session: SessionDep,
    languages: Languages,
    filters: Annotated[KitFilters, Depends(kit_filters)],
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> KitPage:
    """Filters combine with AND. With `available_from`/`available_to`, only kits a reservation
    of those dates (and their turnaround after) would get; digital materials are never listed
    then, as they are not reserved."""
    kits, next_cursor = await repository.list_kits(session, filters, limit=limit, after=after)
    components = await repository.components_of(session, [k.id for k in kits])
    return KitPage(
        items=[KitRead.build(k, components[k.id], languages) for k in kits],
        next_cursor=next_cursor,
    )


@router.get("/{kit_id}", summary="One kit or material", response_model=KitRead)
async def get_kit(
    kit_id: uuid.UUID, session: SessionDep, languages: Languages, response: Response
) -> KitRead:
    kit = await service.get_kit(session, kit_id=kit_id)
    components = await repository.components_of(session, [kit_id])
    response.headers["ETag"] = etag_for(kit.version)
    return KitRead.build(kit, components[kit_id], languages)


@router.post(
    "", summary="Add a kit or material", status_code=status.HTTP_201_CREATED, response_model=KitRead
)
async def create_kit(
    data: KitCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
    response: Response,
) -> KitRead:
    """The owning centre's managers (and its networks' admins) only. The centre is checked in
    the directory; when the directory is down, nothing is written (503)."""
    kit = await service.create_kit(session, principal=principal, data=data, directory=directory)
    components = await repository.components_of(session, [kit.id])
    response.headers["Location"] = f"/v1/kits/{kit.id}"
    response.headers["ETag"] = etag_for(kit.version)
    return KitRead.build(kit, components[kit.id], languages)


@router.patch("/{kit_id}", summary="Change a kit", response_model=KitRead)
async def update_kit(
    kit_id: uuid.UUID,
    patch: KitUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    languages: Languages,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> KitRead:
    """A smaller `quantity` is refused (409) if more items are booked on some day."""
    kit = await service.update_kit(
        session,
        principal=principal,
        kit_id=kit_id,
        patch=patch,
        if_match=if_match,
        directory=directory,
    )
    components = await repository.components_of(session, [kit_id])
    response.headers["ETag"] = etag_for(kit.version)
    return KitRead.build(kit, components[kit_id], languages)


@router.get("/{kit_id}/items", summary="The items of a kit's pool", response_model=ItemPage)
async def list_items(
    kit_id: uuid.UUID,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> ItemPage:
    await service.get_kit(session, kit_id=kit_id)
    items, next_cursor = await repository.items_page(session, kit_id, limit=limit, after=after)
    return ItemPage(
        items=[ItemRead.model_validate(i, from_attributes=True) for i in items],
        next_cursor=next_cursor,
    )


@router.patch(
    "/{kit_id}/items/{item_id}", summary="Record an item's condition", response_model=ItemRead
)
async def update_item(
    kit_id: uuid.UUID,
    item_id: uuid.UUID,
    patch: ItemUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> ItemRead:
    item = await service.update_item(
        session,
        principal=principal,
        kit_id=kit_id,
        item_id=item_id,
        patch=patch,
        directory=directory,
    )
    return ItemRead.model_validate(item, from_attributes=True)
