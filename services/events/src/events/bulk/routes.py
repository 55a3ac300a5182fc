"""REST endpoints for bulk data: `/v1/events/export`, `/v1/events/{id}/registrations/export`
and `/v1/events/import`.

Each exports what the matching list endpoint returns, with the same filters and in the same
order, without a page limit. `/v1/events/export` would also match `/v1/events/{event_id}`:
main.py includes this router before the catalogue's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from events.access import ensure_manages_host, manages_host
from events.bulk.importer import EventImportRow, import_events
from events.catalogue import repository as catalogue
from events.catalogue.repository import EventFilters
from events.catalogue.routes import event_filters
from events.catalogue.schemas import EventRead
from events.catalogue.service import get_event
from events.dependencies import DirectoryDep, Languages
from events.registrations import repository as registrations
from events.registrations.schemas import RegistrationRead, RegistrationStatus
from shared.auth import CurrentPrincipal, MaybePrincipal, Role
from shared.bulk.export import EXPORT_RESPONSES, Chunk, Export, export_response
from shared.bulk.formats import BulkFormat, FormatQuery, UploadFormatQuery
from shared.bulk.imports import SOURCE_PATTERN, ImportReport, ensure_may_import, read_import_file
from shared.bulk.uploads import IMPORT_BODY
from shared.db import SessionDep, database_of
from shared.problems import InvalidInput

router = APIRouter(tags=["bulk"])

# Where an imported event came from, so a network can match the export with its own system.
EVENT_COLUMNS: Sequence[str] = (*EventRead.model_fields, "data_source", "origin_id")
REGISTRATION_COLUMNS: Sequence[str] = tuple(RegistrationRead.model_fields)


def events_export(filters: EventFilters, languages: list[str]) -> Export[str]:
    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        events, next_cursor = await catalogue.list_events(
            session, filters, limit=limit, after=after
        )
        sessions = await catalogue.sessions_of(session, [e.id for e in events])
        records = [
            EventRead.build(e, sessions[e.id], languages).model_dump(mode="json")
            | {"data_source": e.data_source, "origin_id": e.origin_id}
            for e in events
        ]
        return Chunk(records, next_cursor)

    return Export(name="events", columns=EVENT_COLUMNS, fetch=fetch)


@router.get(
    "/v1/events/export",
    summary="Every matching event as CSV or NDJSON, streamed",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
async def export_events(
    request: Request,
    languages: Languages,
    principal: MaybePrincipal,
    directory: DirectoryDep,
    filters: Annotated[EventFilters, Depends(event_filters)],
    fmt: FormatQuery = BulkFormat.NDJSON,
) -> StreamingResponse:
    """The filters of `GET /v1/events`, in its order (start time). Sessions and venues are
    JSON cells in CSV."""
    if "draft" in filters.statuses and not (
        filters.centre_id and await manages_host(principal, filters.centre_id, directory)
    ):
        raise InvalidInput(
            "status: drafts are exported only for a centre you manage (give `centre`)",
            errors=[{"field": "query.status", "message": "draft needs centre you manage"}],
        )
    return await export_response(database_of(request), events_export(filters, languages), fmt)


def registrations_export(event_id: uuid.UUID, statuses: Sequence[str]) -> Export[str]:
    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        rows, next_cursor = await registrations.page(
            session, event_id=event_id, statuses=statuses, limit=limit, after=after
        )
        ranks = await registrations.queue_ranks(session, rows)
        records = [
            RegistrationRead.model_validate(r, from_attributes=True)
            .model_copy(update={"waitlist_position": ranks.get(r.id)})
            .model_dump(mode="json")
            for r in rows
        ]
        return Chunk(records, next_cursor)

    return Export(name=f"registrations-{event_id}", columns=REGISTRATION_COLUMNS, fetch=fetch)


@router.get(
    "/v1/events/{event_id}/registrations/export",
    summary="An event's registrations as CSV or NDJSON, streamed (host staff)",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
async def export_registrations(
    event_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    registration_status: Annotated[
        list[RegistrationStatus] | None, Query(alias="status", max_length=8)
    ] = None,
    fmt: FormatQuery = BulkFormat.NDJSON,
) -> StreamingResponse:
    """Personal data: only the host centre's managers and its networks' admins."""
    event = await get_event(session, event_id=event_id)
    await ensure_manages_host(principal, event.host_centre_id, directory)
    export = registrations_export(event_id, tuple(registration_status or ()))
    return await export_response(database_of(request), export, fmt)


@router.post(
    "/v1/events/import",
    summary="Create or update events from a CSV or NDJSON file, all or nothing",
    response_model=ImportReport,
    openapi_extra=IMPORT_BODY,
)
async def import_events_file(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    source: Annotated[
        str,
        Query(
            pattern=SOURCE_PATTERN,
            description="The system the rows come from; with each row's `origin_id` it "
            "identifies an event across imports.",
        ),
    ],
    fmt: UploadFormatQuery = None,
) -> ImportReport:
    """Each row is an event as `POST /v1/events` takes it, plus `origin_id`. If a row is wrong,
    nothing is written and the 422 problem lists every rejected row with its line number and
    reason. Platform admins; network admins and their `import` API keys for their networks'
    centres; centre managers for their centres."""
    ensure_may_import(principal, Role.NETWORK_ADMIN, Role.CENTRE_MANAGER)
    upload = await read_import_file(request, fmt, EventImportRow)
    return await import_events(
        session,
        principal=principal,
        directory=directory,
        source=source,
        rows=upload.rows,
        rejections=upload.rejections,
        received=upload.received,
    )
