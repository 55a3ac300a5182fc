"""REST endpoints for the open formats: `/v1/centres/geojson`, `/v1/centres/{id}/jsonld`, and
the HSDS view under `/v1/hsds/`.

`/v1/centres/geojson` would also match `/v1/centres/{centre_id}`: main.py includes this router
before the centres router.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from directory.centres import service as centres
from directory.centres.repository import CentreFilters, centre_columns, search_centres
from directory.centres.routes import Languages, centre_filters
from directory.models import Centre
from directory.open_formats import hsds
from directory.open_formats.geojson import GEOJSON_MEDIA_TYPE, centre_feature
from directory.open_formats.jsonld import JSONLD_MEDIA_TYPE, educational_organization
from shared.api_models import Instant
from shared.bulk.export import Chunk, Export, json_array_response
from shared.db import SessionDep, database_of
from shared.problems import InvalidInput, NotFound, problem_type

router = APIRouter(tags=["open formats"])

PageNumber = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=200, description="Items per page (1–200).")]
ModifiedAfter = Annotated[
    Instant | None, Query(description="Only centres changed after this instant.")
]

FEATURE_COLLECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 7946 FeatureCollection of centres; coordinates are [lon, lat].",
    "required": ["type", "features"],
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}},
}
ORGANIZATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A schema.org EducationalOrganization (JSON-LD).",
    "required": ["@context", "@type", "@id", "name"],
}


class OrganizationNotFound(NotFound):
    type = problem_type("hsds-organization-not-found")
    title = "Organization not found"


@router.get(
    "/v1/centres/geojson",
    summary="Matching centres as a GeoJSON FeatureCollection, streamed",
    response_class=StreamingResponse,
    responses={200: {"content": {GEOJSON_MEDIA_TYPE: {"schema": FEATURE_COLLECTION_SCHEMA}}}},
)
async def centres_geojson(
    request: Request,
    languages: Languages,
    filters: Annotated[CentreFilters, Depends(centre_filters)],
) -> StreamingResponse:
    """The filters of `GET /v1/centres`, for maps. Each feature's `id` is the centre's; a
    centre without a known location has `geometry: null`."""

    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        rows, next_cursor = await search_centres(session, filters, limit=limit, after=after)
        return Chunk([centre_feature(row, languages) for row in rows], next_cursor)

    return await json_array_response(
        database_of(request),
        Export(name="centres", columns=(), fetch=fetch),
        head=b'{"type":"FeatureCollection","features":[',
        tail=b"]}",
        media_type=GEOJSON_MEDIA_TYPE,
    )


@router.get(
    "/v1/centres/{centre_id}/jsonld",
    summary="One centre as schema.org JSON-LD (EducationalOrganization)",
    response_class=Response,
    responses={200: {"content": {JSONLD_MEDIA_TYPE: {"schema": ORGANIZATION_SCHEMA}}}},
)
async def centre_jsonld(
    centre_id: uuid.UUID, session: SessionDep, languages: Languages
) -> Response:
    row = await centres.get_centre(session, centre_id=centre_id)
    document = educational_organization(row, languages)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, media_type=JSONLD_MEDIA_TYPE)


def _hsds_where(
    modified_after: Any = None, term: tuple[str, str] | None = None
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if modified_after is not None:
        clauses.append(Centre.updated_at > modified_after)
    if term is not None:
        column = Centre.subjects if term[0] == "stem_subjects" else Centre.audiences
        clauses.append(column.contains([term[1]]))
    return clauses


async def _centre_page(
    session: AsyncSession, clauses: list[ColumnElement[bool]], *, page: int, per_page: int
) -> tuple[list[Any], int]:
    total = int(await session.scalar(select(func.count()).select_from(Centre).where(*clauses)) or 0)
    statement: Select[Any] = (
        select(*centre_columns())
        .where(*clauses)
        .order_by(Centre.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list((await session.execute(statement)).all()), total


@router.get(
    "/v1/hsds/organizations",
    summary="HSDS: organizations (one per centre)",
    response_model=hsds.Page,
)
async def hsds_organizations(
    session: SessionDep,
    languages: Languages,
    modified_after: ModifiedAfter = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> hsds.Page:
    rows, total = await _centre_page(
        session, _hsds_where(modified_after), page=page, per_page=per_page
    )
    contents = [hsds.organization(row, languages) for row in rows]
    return hsds.page_of(contents, total=total, page=page, per_page=per_page)


@router.get(
    "/v1/hsds/organizations/{organization_id}",
    summary="HSDS: one organization with its services and locations",
)
async def hsds_organization(
    organization_id: uuid.UUID, session: SessionDep, languages: Languages
) -> dict[str, Any]:
    rows, _ = await _centre_page(session, [Centre.id == organization_id], page=1, per_page=1)
    if not rows:
        raise OrganizationNotFound(f"No organization has id {organization_id}.")
    return hsds.organization(rows[0], languages)


@router.get("/v1/hsds/services", summary="HSDS: services", response_model=hsds.Page)
async def hsds_services(
    session: SessionDep,
    languages: Languages,
    modified_after: ModifiedAfter = None,
    taxonomy_term_id: Annotated[
        uuid.UUID | None, Query(description="Only services classified with this term.")
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> hsds.Page:
    term = None
    if taxonomy_term_id is not None:
        term = hsds.term_by_id(str(taxonomy_term_id))
        if term is None:
            raise InvalidInput(
                "taxonomy_term_id: no such taxonomy term (see /v1/hsds/taxonomy_terms)",
                errors=[{"field": "query.taxonomy_term_id", "message": "unknown term"}],
            )
    rows, total = await _centre_page(
        session, _hsds_where(modified_after, term), page=page, per_page=per_page
    )
    contents = [hsds.service(row, languages) for row in rows]
    return hsds.page_of(contents, total=total, page=page, per_page=per_page)


@router.get("/v1/hsds/locations", summary="HSDS: locations", response_model=hsds.Page)
async def hsds_locations(
    session: SessionDep,
    languages: Languages,
    modified_after: ModifiedAfter = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> hsds.Page:
    rows, total = await _centre_page(
        session, _hsds_where(modified_after), page=page, per_page=per_page
    )
    contents = [hsds.location(row, languages) for row in rows]
    return hsds.page_of(contents, total=total, page=page, per_page=per_page)


@router.get("/v1/hsds/taxonomies", summary="HSDS: taxonomies", response_model=hsds.Page)
async def hsds_taxonomies(page: PageNumber = 1, per_page: PerPage = 50) -> hsds.Page:
    everything = [hsds.taxonomy(key) for key in hsds.TAXONOMIES]
    contents = everything[(page - 1) * per_page : page * per_page]
    return hsds.page_of(contents, total=len(everything), page=page, per_page=per_page)


@router.get("/v1/hsds/taxonomy_terms", summary="HSDS: taxonomy terms", response_model=hsds.Page)
async def hsds_taxonomy_terms(
    taxonomy_id: Annotated[uuid.UUID | None, Query(description="Only this taxonomy's.")] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> hsds.Page:
    terms = [
        t for t in hsds.all_terms() if taxonomy_id is None or t["taxonomy_id"] == str(taxonomy_id)
    ]
    contents = terms[(page - 1) * per_page : page * per_page]
    return hsds.page_of(contents, total=len(terms), page=page, per_page=per_page)
