"""REST endpoints for bulk centres: `/v1/centres/export` and `/v1/centres/import`.

`/v1/centres/export` would also match `/v1/centres/{centre_id}`: main.py includes this router
before the centres router.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from directory import access
from directory.bulk.importer import CentreImportRow, import_centres
from directory.bulk.records import CENTRE_COLUMNS, centre_record
from directory.centres.repository import CentreFilters, search_centres
from directory.centres.routes import centre_filters
from directory.errors import NetworkNotFound
from directory.networks.repository import get_network_rows
from shared.auth import CurrentPrincipal, Role
from shared.bulk.export import EXPORT_RESPONSES, Chunk, Export, export_response
from shared.bulk.formats import BulkFormat, FormatQuery, UploadFormatQuery
from shared.bulk.imports import (
    SOURCE_PATTERN,
    ImportReport,
    acts_for_networks,
    ensure_may_import,
    read_import_file,
)
from shared.bulk.uploads import IMPORT_BODY
from shared.db import SessionDep, database_of
from shared.problems import Forbidden

router = APIRouter(tags=["bulk"])


def centres_export(filters: CentreFilters) -> Export[str]:
    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        rows, next_cursor = await search_centres(session, filters, limit=limit, after=after)
        return Chunk([centre_record(row) for row in rows], next_cursor)

    return Export(name="centres", columns=CENTRE_COLUMNS, fetch=fetch)


@router.get(
    "/v1/centres/export",
    summary="Every matching centre as CSV or NDJSON, streamed",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
async def export_centres(
    request: Request,
    filters: Annotated[CentreFilters, Depends(centre_filters)],
    fmt: FormatQuery = BulkFormat.NDJSON,
) -> StreamingResponse:
    """The filters of `GET /v1/centres`, in the same order, without a page limit. Language maps
    are whole (every language); in CSV they, and identifiers, are JSON cells."""
    return await export_response(database_of(request), centres_export(filters), fmt)


@router.post(
    "/v1/centres/import",
    summary="Create or update a network's centres from a CSV or NDJSON file, all or nothing",
    response_model=ImportReport,
    openapi_extra=IMPORT_BODY,
)
async def import_centres_file(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    network: Annotated[
        uuid.UUID, Query(description="The network importing; new centres become its members.")
    ],
    source: Annotated[
        str,
        Query(
            pattern=SOURCE_PATTERN,
            description="The network's system the rows come from, e.g. `luma.fi`; with each "
            "row's `origin_id` it identifies a centre across imports.",
        ),
    ],
    fmt: UploadFormatQuery = None,
) -> ImportReport:
    """Each row is a centre's whole record (the columns of the export; `origin_id` required).
    A row whose (source, origin_id) is known updates that centre, any other creates one. If a
    row is wrong, nothing is written and the 422 problem lists every rejected row with its line
    number and reason. Platform admins, admins of the network (or of a network above it), and
    their API keys with the `import` scope."""
    ensure_may_import(principal, Role.NETWORK_ADMIN)
    if network not in await get_network_rows(session, [network]):
        raise NetworkNotFound(f"No network has id {network}.")
    if not principal.is_platform_admin and acts_for_networks(principal).isdisjoint(
        await access.network_and_ancestors(session, network)
    ):
        raise Forbidden("You may import only into a network you administer (or one inside it).")
    upload = await read_import_file(request, fmt, CentreImportRow)
    return await import_centres(
        session,
        principal=principal,
        network_id=network,
        source=source,
        rows=upload.rows,
        rejections=upload.rejections,
        received=upload.received,
    )
