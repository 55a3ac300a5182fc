"""REST endpoint for the bulk export of offers: `/v1/offers/export`.

It exports what `GET /v1/offers` returns, with the same filters and in the same order, without
a page limit. `/v1/offers/export` would also match `/v1/offers/{offer_id}`: main.py includes
this router before the offers router.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.dependencies import Languages
from exchange.offers import repository
from exchange.offers.repository import OfferFilters
from exchange.offers.routes import offer_filters, offer_read
from exchange.offers.schemas import OfferRead
from shared.bulk.export import EXPORT_RESPONSES, Chunk, Export, export_response
from shared.bulk.formats import BulkFormat, FormatQuery
from shared.db import database_of

router = APIRouter(tags=["bulk"])

OFFER_COLUMNS: Sequence[str] = tuple(OfferRead.model_fields)


def offers_export(filters: OfferFilters, languages: list[str]) -> Export[str]:
    async def fetch(session: AsyncSession, after: str | None, limit: int) -> Chunk[str]:
        rows, next_cursor = await repository.list_offers(session, filters, limit=limit, after=after)
        return Chunk([offer_read(r, languages).model_dump(mode="json") for r in rows], next_cursor)

    return Export(name="offers", columns=OFFER_COLUMNS, fetch=fetch)


@router.get(
    "/v1/offers/export",
    summary="Every matching exchange offer as CSV or NDJSON, streamed",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
)
async def export_offers(
    request: Request,
    languages: Languages,
    filters: Annotated[OfferFilters, Depends(offer_filters)],
    fmt: FormatQuery = BulkFormat.NDJSON,
) -> StreamingResponse:
    """The filters of `GET /v1/offers`, in its order. Public, like the list."""
    return await export_response(database_of(request), offers_export(filters, languages), fmt)
