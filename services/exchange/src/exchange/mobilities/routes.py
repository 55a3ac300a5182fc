"""REST endpoint for the export of completed exchanges (Erasmus+ mobility reporting)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from exchange.access import visible_applications
from exchange.mobilities.export import COLUMNS, ExportScope, as_csv, as_json, records
from shared.auth import CurrentPrincipal
from shared.problems import InvalidInput

router = APIRouter(tags=["mobility reporting"])


class MobilityRecord(BaseModel):
    mobility_id: str
    activity_type: str
    offer_kind: str
    topic: str
    participant_id: str
    participant_category: str
    start_date: date
    end_date: date
    duration_days: int
    sending_organisation_oid: str | None
    sending_organisation_pic: str | None
    sending_organisation_id: str
    sending_country: str
    receiving_organisation_oid: str | None
    receiving_organisation_pic: str | None
    receiving_organisation_id: str
    receiving_country: str
    cpd_hours: str
    recognised: bool


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": list[MobilityRecord],
        "description": "Every completed (or recognised) exchange in scope, by end date.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/v1/mobilities",
    summary="Completed exchanges as Erasmus+ mobility records (CSV or JSON)",
    response_model=None,
    responses=_RESPONSES,
    description="The exchanges you may see (your own; your centres' as sender or receiver), "
    "streamed. CSV columns: " + ", ".join(COLUMNS) + ".",
)
async def export_mobilities(
    request: Request,
    principal: CurrentPrincipal,
    export_format: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    ends_from: Annotated[date | None, Query(alias="from", description="Ended on or after.")] = None,
    ends_to: Annotated[date | None, Query(alias="to", description="Ended on or before.")] = None,
    centre: Annotated[
        uuid.UUID | None, Query(description="Sent or received by this centre.")
    ] = None,
) -> StreamingResponse:
    if ends_from and ends_to and ends_to < ends_from:
        raise InvalidInput(
            "query.to: before from", errors=[{"field": "query.to", "message": "before from"}]
        )
    scope = ExportScope(visible_applications(principal), ends_from, ends_to, centre)
    rows = records(request.app.state.db, scope)
    if export_format == "csv":
        return StreamingResponse(
            as_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="mobilities.csv"'},
        )
    return StreamingResponse(as_json(rows), media_type="application/json")
