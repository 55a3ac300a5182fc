"""Importing a national network's centres: upsert by (source, origin id), all or nothing.

A network admin imports into a network they administer: new centres join that network, and a
centre already known under the same (source, origin id) may be updated only if it belongs to
that network or a network inside it. Every check runs over the whole file in a few queries
before anything is written, so a rejected file leaves the directory exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import model_validator
from sqlalchemy import String, any_, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from directory.bulk.records import EXPORT_ONLY
from directory.centres.schemas import CentreFields
from directory.models import Centre, CentreIdentifier, Membership
from shared.auth import Principal
from shared.bulk.imports import (
    ImportReport,
    OriginId,
    SourceName,
    lock_source,
    reject_duplicates,
    reject_other_sources,
    upsert_chunks,
)
from shared.bulk.rejections import Rejections
from shared.clock import new_id, utcnow
from shared.language_maps import ShortText
from shared.outbox import record_each
from shared.taxonomy import CountryCode

OUTBOX_CHUNK_ROWS = 1000
UPDATED_COLUMNS = (
    "name",
    "description",
    "country",
    "region",
    "address",
    "lat",
    "lon",
    "website",
    "public_email",
    "public_phone",
    "subjects",
    "audiences",
    "languages",
    "status",
)


class CentreImportRow(CentreFields):
    """One centre as a national network describes it; the row is its whole record."""

    name: ShortText
    country: CountryCode
    origin_id: OriginId
    data_source: SourceName | None = None

    @model_validator(mode="before")
    @classmethod
    def _ignore_export_columns(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in EXPORT_ONLY}
        return data


_NETWORK_TREE_MEMBERS = text(
    """
    WITH RECURSIVE tree(id) AS (
        SELECT CAST(:network_id AS uuid)
        UNION
        SELECT m.member_network_id FROM network_memberships m JOIN tree ON m.network_id = tree.id
         WHERE m.member_network_id IS NOT NULL AND (m.ends_on IS NULL OR m.ends_on >= current_date)
    )
    SELECT DISTINCT centre_id FROM network_memberships
     WHERE centre_id = ANY(:centre_ids) AND network_id IN (SELECT id FROM tree)
       AND (ends_on IS NULL OR ends_on >= current_date)
    """
).bindparams(bindparam("centre_ids", type_=ARRAY(Centre.id.type)))

_IDENTIFIER_OWNERS = text(
    """
    SELECT ci.scheme, ci.value, ci.centre_id
      FROM centre_identifiers ci
      JOIN unnest(CAST(:schemes AS text[]), CAST(:ids AS text[])) AS wanted(scheme, value)
        ON ci.scheme = wanted.scheme AND ci.value = wanted.value
    """
)


async def _existing(
    session: AsyncSession, source: str, origin_ids: Sequence[str]
) -> dict[str, uuid.UUID]:
    statement = select(Centre.origin_id, Centre.id).where(
        Centre.data_source == source,
        Centre.origin_id == any_(bindparam("origin_ids", type_=ARRAY(String))),
    )
    rows = await session.execute(statement, {"origin_ids": list(origin_ids)})
    return {row.origin_id: row.id for row in rows}


async def _in_network_tree(
    session: AsyncSession, network_id: uuid.UUID, centre_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    if not centre_ids:
        return set()
    rows = await session.execute(
        _NETWORK_TREE_MEMBERS, {"network_id": network_id, "centre_ids": list(centre_ids)}
    )
    return {row[0] for row in rows}


async def _check_identifiers(
    session: AsyncSession,
    rows: Sequence[tuple[int, CentreImportRow]],
    existing: dict[str, uuid.UUID],
    rejections: Rejections,
) -> None:
    """An identifier names one centre: not two rows of the file, not another centre."""
    claimed: dict[tuple[str, str], tuple[int, str]] = {}
    for line, row in rows:
        for identifier in row.identifiers:
            pair = (identifier.scheme, identifier.value)
            if pair in claimed:
                where = "twice" if claimed[pair][0] == line else f"also on line {claimed[pair][0]}"
                rejections.add(line, f"identifiers: {pair[0]}:{pair[1]} is listed {where}")
            claimed.setdefault(pair, (line, row.origin_id))
    if not claimed:
        return
    pairs = list(claimed)
    owners = await session.execute(
        _IDENTIFIER_OWNERS, {"schemes": [p[0] for p in pairs], "ids": [p[1] for p in pairs]}
    )
    for scheme, value, owner in owners:
        line, origin_id = claimed[(scheme, value)]
        if existing.get(origin_id) != owner:
            rejections.add(line, f"identifiers: {scheme}:{value} already belongs to centre {owner}")


def _centre_values(row: CentreImportRow, source: str) -> dict[str, Any]:
    contact = row.public_contact
    return {
        "id": new_id(),
        "data_source": source,
        "origin_id": row.origin_id,
        "name": row.name,
        "description": row.description,
        "country": row.country,
        "region": row.region,
        "address": row.address.model_dump(exclude_none=True) if row.address else None,
        "lat": row.location.lat if row.location else None,
        "lon": row.location.lon if row.location else None,
        "website": row.website,
        "public_email": contact.email if contact else None,
        "public_phone": contact.phone if contact else None,
        "subjects": list(row.subjects),
        "audiences": list(row.audiences),
        "languages": list(row.languages),
        "status": row.status,
        "version": 1,
    }


async def import_centres(
    session: AsyncSession,
    *,
    principal: Principal,
    network_id: uuid.UUID,
    source: str,
    rows: Sequence[tuple[int, CentreImportRow]],
    rejections: Rejections,
    received: int,
) -> ImportReport:
    """Checks the whole file, raises `ImportRejected` listing every bad row, else writes it."""
    reject_duplicates(rows, lambda r: r.origin_id, rejections, what="origin_id")
    reject_other_sources(rows, source, rejections)
    await lock_source(session, "centres", source)
    existing = await _existing(session, source, [row.origin_id for _, row in rows])
    in_tree = await _in_network_tree(session, network_id, list(existing.values()))
    if not principal.is_platform_admin:
        for line, row in rows:
            centre_id = existing.get(row.origin_id)
            if centre_id is not None and centre_id not in in_tree:
                rejections.add(
                    line,
                    f"origin_id: {source}:{row.origin_id} is centre {centre_id}, which is not "
                    f"in network {network_id} or a network inside it",
                )
    await _check_identifiers(session, rows, existing, rejections)
    rejections.raise_if_any(received)

    now = utcnow()
    written = await upsert_chunks(
        session,
        Centre.metadata.tables[Centre.__tablename__],
        [_centre_values(row, source) for _, row in rows],
        conflict=("data_source", "origin_id"),
        update=UPDATED_COLUMNS,
        returning=("id", "origin_id", "version", "country"),
        extra_set={"version": Centre.version + 1, "updated_at": func.now()},
    )
    centre_ids = {r.origin_id: r.id for r in written}
    await _replace_identifiers(session, rows, centre_ids)
    joining = [r.id for r in written if r.inserted or r.id not in in_tree]
    if joining:
        await session.execute(
            insert(Membership),
            [
                {
                    "id": new_id(),
                    "network_id": network_id,
                    "centre_id": centre_id,
                    "role": "member",
                    "starts_on": now.date(),
                }
                for centre_id in joining
            ],
        )
    await _record_changes(session, written, network_id=network_id, source=source)
    created = sum(1 for r in written if r.inserted)
    return ImportReport(
        kind="centres",
        source=source,
        received=received,
        created=created,
        updated=len(written) - created,
    )


async def _record_changes(
    session: AsyncSession, written: Sequence[Any], *, network_id: uuid.UUID, source: str
) -> None:
    """The same domain events single writes record, in the same transaction."""
    for start in range(0, len(written), OUTBOX_CHUNK_ROWS):
        chunk = written[start : start + OUTBOX_CHUNK_ROWS]
        created = [
            (r.id, {"country": r.country, "networks": [network_id], "source": source})
            for r in chunk
            if r.inserted
        ]
        updated = [
            (r.id, {"version": r.version, "changed": list(UPDATED_COLUMNS), "source": source})
            for r in chunk
            if not r.inserted
        ]
        await record_each(session, type="centre.created", subjects=created)
        await record_each(session, type="centre.updated", subjects=updated)


async def _replace_identifiers(
    session: AsyncSession,
    rows: Sequence[tuple[int, CentreImportRow]],
    centre_ids: dict[str, uuid.UUID],
) -> None:
    """The file's identifiers replace the centres' own, as the rest of each row does."""
    await session.execute(
        delete(CentreIdentifier).where(
            CentreIdentifier.centre_id == any_(bindparam("centre_ids", type_=ARRAY(Centre.id.type)))
        ),
        {"centre_ids": list(centre_ids.values())},
    )
    values = [
        {"centre_id": centre_ids[row.origin_id], "scheme": i.scheme, "value": i.value}
        for _, row in rows
        for i in row.identifiers
    ]
    if values:
        await session.execute(insert(CentreIdentifier), values)
