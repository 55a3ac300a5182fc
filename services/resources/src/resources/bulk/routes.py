"""REST endpoints for bulk data: `/v1/kits/export`, `/v1/loans/export` and `/v1/kits/import`.

Each exports what the matching list endpoint returns, with the same filters and in the same
order, without a page limit. `/v1/kits/export` would also match `/v1/kits/{kit_id}`: main.py
includes this router before the catalogue's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resources.access import ensure_manages_owner
from resources.bulk.importer import KitImportRow, import_kits
from resources.catalogue import repository as catalogue
from resources.catalogue.repository import KitFilters
from resources.catalogue.routes import kit_filters
from resources.catalogue.schemas import KitRead
from resources.dependencies import DirectoryDep, Languages
from resources.loans.schemas import LoanRead
from resources.models import Kit, Loan
from shared.auth import CurrentPrincipal, Role
from shared.bulk.export import EXPORT_RESPONSES, Chunk, Export, export_response
from shared.bulk.formats import BulkFormat, FormatQuery, UploadFormatQuery
from shared.bulk.imports import SOURCE_PATTERN, ImportReport, ensure_may_import, read_import_file
from shared.bulk.uploads import IMPORT_BODY
from shared.db import SessionDep, database_of
from shared.pagination import encode_cursor

router = APIRouter(tags=["bulk"])

# Where an imported kit came from, so a network can match the export with its own system.
KIT_COLUMNS: Sequence[str] = (*KitRead.model_fields, "data_source", "origin_id")
LOAN_COLUMNS: Sequence[str] = tuple(LoanRead.model_fields)


def kits_export(filters: KitFilters, languages: list[str]) -> Export[str]:
    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        kits, next_cursor = await catalogue.list_kits(session, filters, limit=limit, after=after)
        components = await catalogue.components_of(session, [k.id for k in kits])
        records = [
            KitRead.build(k, components[k.id], languages).model_dump(mode="json")
            | {"data_source": k.data_source, "origin_id": k.origin_id}
            for k in kits
        ]
        return Chunk(records, next_cursor)

    return Export(name="kits", columns=KIT_COLUMNS, fetch=fetch)


@router.get(
    "/v1/kits/export",
    summary="Every matching kit or material as CSV or NDJSON, streamed",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
async def export_kits(
    request: Request,
    languages: Languages,
    filters: Annotated[KitFilters, Depends(kit_filters)],
    fmt: FormatQuery = BulkFormat.NDJSON,
) -> StreamingResponse:
    """The filters of `GET /v1/kits`, in its order. Components are a JSON cell in CSV."""
    return await export_response(database_of(request), kits_export(filters, languages), fmt)


def loans_export(
    *, borrower_id: str | None, centre_id: uuid.UUID | None, overdue: bool
) -> Export[str]:
    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        stmt: Any = select(Loan)
        if centre_id is None:
            stmt = stmt.where(Loan.borrower_id == borrower_id)
        else:
            stmt = stmt.where(
                Loan.kit_id.in_(select(Kit.id).where(Kit.owner_centre_id == centre_id))
            )
        if overdue:
            stmt = stmt.where(Loan.status == "out", Loan.overdue_since.is_not(None))
        last_id = catalogue.position_after(after)
        if last_id is not None:
            stmt = stmt.where(Loan.id > last_id)
        loans = list((await session.execute(stmt.order_by(Loan.id).limit(limit))).scalars())
        records = [LoanRead.build(loan).model_dump(mode="json") for loan in loans]
        more = len(loans) == limit
        return Chunk(records, encode_cursor("id", [str(loans[-1].id)]) if more else None)

    return Export(name="loans", columns=LOAN_COLUMNS, fetch=fetch)


@router.get(
    "/v1/loans/export",
    summary="Loans as CSV or NDJSON, streamed: yours, or a centre's (its staff)",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
async def export_loans(
    request: Request,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    centre: Annotated[
        uuid.UUID | None, Query(description="Loans of kits this centre owns (its staff).")
    ] = None,
    overdue: Annotated[bool | None, Query(description="Only overdue ones.")] = None,
    fmt: FormatQuery = BulkFormat.NDJSON,
) -> StreamingResponse:
    """The filters of `GET /v1/loans`. Loans name their borrowers: personal data, so only the
    borrower's own, or the owning centre's managers and its networks' admins."""
    if centre is not None:
        await ensure_manages_owner(principal, centre, directory)
    export = loans_export(borrower_id=principal.subject, centre_id=centre, overdue=bool(overdue))
    return await export_response(database_of(request), export, fmt)


@router.post(
    "/v1/kits/import",
    summary="Create or update kits and materials from a CSV or NDJSON file, all or nothing",
    response_model=ImportReport,
    openapi_extra=IMPORT_BODY,
)
async def import_kits_file(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    source: Annotated[
        str,
        Query(
            pattern=SOURCE_PATTERN,
            description="The system the rows come from; with each row's `origin_id` it "
            "identifies a kit across imports.",
        ),
    ],
    fmt: UploadFormatQuery = None,
) -> ImportReport:
    """Each row is a kit as `POST /v1/kits` takes it, plus `origin_id`. If a row is wrong,
    nothing is written and the 422 problem lists every rejected row with its line number and
    reason. Platform admins; network admins and their `import` API keys for their networks'
    centres; centre managers for their centres."""
    ensure_may_import(principal, Role.NETWORK_ADMIN, Role.CENTRE_MANAGER)
    upload = await read_import_file(request, fmt, KitImportRow)
    return await import_kits(
        session,
        principal=principal,
        directory=directory,
        source=source,
        rows=upload.rows,
        rejections=upload.rejections,
        received=upload.received,
    )
