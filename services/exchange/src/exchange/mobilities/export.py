"""Completed exchanges in the shape of Erasmus+ mobility reporting: one record per mobility
with its activity type, dates and duration, and the sending and receiving organisations by
their Erasmus organisation id (OID) and PIC where the directory knows them."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.orm import aliased

from exchange.models import FINISHED, Application, Offer
from shared.db import Database, reader_session
from shared.language_maps import pick

BATCH = 500

ACTIVITY_TYPES = {
    "job_shadowing": "Job shadowing",
    "teaching_assignment": "Teaching or training assignment",
    "co_development": "Staff mobility for co-development of materials",
    "research_visit": "Research visit",
}
"""pdnet's offer kinds as the activity types mobility reports name them."""

COLUMNS = (
    "mobility_id",
    "activity_type",
    "offer_kind",
    "topic",
    "participant_id",
    "participant_category",
    "start_date",
    "end_date",
    "duration_days",
    "sending_organisation_oid",
    "sending_organisation_pic",
    "sending_organisation_id",
    "sending_country",
    "receiving_organisation_oid",
    "receiving_organisation_pic",
    "receiving_organisation_id",
    "receiving_country",
    "cpd_hours",
    "recognised",
)


@dataclass(frozen=True)
class ExportScope:
    visible: ColumnElement[bool]
    ends_from: date | None
    ends_to: date | None
    centre_id: uuid.UUID | None


def _identifier(identifiers: dict[str, str], scheme: str) -> str | None:
    return identifiers.get(scheme)


def record(application: Application, offer: Offer) -> dict[str, Any]:
    home = dict(application.home_identifiers or {})
    host = dict(offer.host_identifiers or {})
    return {
        "mobility_id": str(application.id),
        "activity_type": ACTIVITY_TYPES[offer.kind],
        "offer_kind": offer.kind,
        "topic": pick(offer.title, ["en"]) or "",
        "participant_id": str(application.educator_id),
        "participant_category": application.educator_kind,
        "start_date": application.starts_on.isoformat(),
        "end_date": application.ends_on.isoformat(),
        "duration_days": (application.ends_on - application.starts_on).days + 1,
        "sending_organisation_oid": _identifier(home, "erasmus_oid"),
        "sending_organisation_pic": _identifier(home, "pic"),
        "sending_organisation_id": f"urn:pdnet:centre:{application.home_centre_id}",
        "sending_country": application.home_country,
        "receiving_organisation_oid": _identifier(host, "erasmus_oid"),
        "receiving_organisation_pic": _identifier(host, "pic"),
        "receiving_organisation_id": f"urn:pdnet:centre:{application.host_centre_id}",
        "receiving_country": offer.host_country,
        "cpd_hours": str(application.cpd_hours),
        "recognised": application.status == "recognised",
    }


async def records(db: Database, scope: ExportScope) -> AsyncIterator[dict[str, Any]]:
    """Every finished mobility in scope, by end date, read in keyset batches."""
    offer = aliased(Offer)
    position: tuple[date, uuid.UUID] | None = None
    while True:
        stmt = (
            select(Application, offer)
            .join(offer, offer.id == Application.offer_id)
            .where(Application.status.in_(FINISHED), scope.visible)
        )
        if scope.ends_from is not None:
            stmt = stmt.where(Application.ends_on >= scope.ends_from)
        if scope.ends_to is not None:
            stmt = stmt.where(Application.ends_on <= scope.ends_to)
        if scope.centre_id is not None:
            stmt = stmt.where(
                (Application.home_centre_id == scope.centre_id)
                | (Application.host_centre_id == scope.centre_id)
            )
        if position is not None:
            stmt = stmt.where(tuple_(Application.ends_on, Application.id) > position)
        stmt = stmt.order_by(Application.ends_on, Application.id).limit(BATCH)
        async with reader_session(db) as session:
            rows = (await session.execute(stmt)).all()
        for application, host_offer in rows:
            yield record(application, host_offer)
        if len(rows) < BATCH:
            return
        last = rows[-1][0]
        position = (last.ends_on, last.id)


async def as_json(rows: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    async for row in rows:
        yield (b"" if first else b",") + json.dumps(row, ensure_ascii=False).encode()
        first = False
    yield b"]"


async def as_csv(rows: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    async for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
