"""Importing a network's kits and materials: upsert by (source, origin id), all or nothing.

Owning centres are asked of the directory once per distinct centre. A kit already imported
may change what `PATCH /v1/kits/{id}` may change except its pool: growing or shrinking it must
respect every booked day, so that stays with `PATCH`, and a row changing `quantity`, the owner
or the kind is rejected.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import Field, model_validator
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from resources import domain_events
from resources.catalogue.schemas import KitCreate, KitRead
from resources.models import Kit, KitComponent, KitItem
from shared.auth import Principal
from shared.bulk.centre_checks import facts_of_centres, may_import_for
from shared.bulk.imports import (
    ImportReport,
    OriginId,
    SourceName,
    lock_imported,
    lock_source,
    reject_duplicates,
    reject_other_sources,
)
from shared.bulk.rejections import Rejections
from shared.centre_directory import CentreFacts
from shared.clock import new_id, utcnow

UPDATABLE = (
    "code",
    "name",
    "description",
    "safety_notes",
    "subjects",
    "audiences",
    "languages",
    "min_age",
    "max_age",
    "turnaround_days",
    "max_renewals",
    "offer_hold_hours",
    "requires_course_key",
    "link",
    "licence",
)
EXPORT_ONLY = frozenset(KitRead.model_fields) - frozenset(KitCreate.model_fields)


class KitImportRow(KitCreate):
    origin_id: OriginId
    data_source: SourceName | None = Field(
        None, description="If given, the import's own source (as in an export)."
    )

    @model_validator(mode="before")
    @classmethod
    def _ignore_export_columns(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if k not in EXPORT_ONLY}
        if isinstance(data.get("components"), list):
            read_only = {"id", "name_text"}
            data["components"] = [
                {k: v for k, v in c.items() if k not in read_only} if isinstance(c, dict) else c
                for c in data["components"]
            ]
        return data


def _check_rows(
    rows: Sequence[tuple[int, KitImportRow]],
    *,
    principal: Principal,
    existing: dict[str, Kit],
    owners: dict[uuid.UUID, CentreFacts | None],
    rejections: Rejections,
) -> None:
    for line, row in rows:
        owner = owners[row.owner_centre_id]
        if owner is None:
            rejections.add(line, f"owner_centre_id: no centre has id {row.owner_centre_id}")
            continue
        if not may_import_for(principal, owner):
            rejections.add(line, f"owner_centre_id: you may not import kits of {owner.id}")
            continue
        kit = existing.get(row.origin_id)
        if kit is None:
            continue
        if kit.owner_centre_id != row.owner_centre_id:
            rejections.add(line, f"owner_centre_id: kit {kit.id} belongs to another centre")
        elif kit.kind != row.kind:
            rejections.add(line, f"kind: kit {kit.id} is a {kit.kind}")
        elif kit.quantity != row.quantity:
            rejections.add(
                line,
                f"quantity: kit {kit.id} has {kit.quantity} items; change its pool with "
                f"PATCH /v1/kits/{kit.id}, which checks the booked days",
            )


def _new_kit(row: KitImportRow, owner: CentreFacts, source: str) -> Kit:
    return Kit(
        id=new_id(),
        **row.model_dump(exclude={"components", "serials", "origin_id", "data_source"}),
        country=owner.country,
        region=owner.region,
        lat=owner.lat,
        lon=owner.lon,
        status="active",
        data_source=source,
        origin_id=row.origin_id,
    )


def _serials(row: KitImportRow) -> list[str]:
    if row.serials:
        return list(row.serials)
    return [f"{row.code or 'ITEM'}-{n:03d}" for n in range(1, row.quantity + 1)]


async def import_kits(
    session: AsyncSession,
    *,
    principal: Principal,
    directory: httpx.AsyncClient,
    source: str,
    rows: Sequence[tuple[int, KitImportRow]],
    rejections: Rejections,
    received: int,
) -> ImportReport:
    reject_duplicates(rows, lambda r: r.origin_id, rejections, what="origin_id")
    reject_other_sources(rows, source, rejections)
    owners = await facts_of_centres(directory, {row.owner_centre_id for _, row in rows})
    await lock_source(session, "kits", source)
    # Exclusive, as for any change to a kit: bookings hold the kit row shared.
    existing = await lock_imported(session, Kit, source, [r.origin_id for _, r in rows])
    _check_rows(rows, principal=principal, existing=existing, owners=owners, rejections=rejections)
    rejections.raise_if_any(received)

    now = utcnow()
    created: list[tuple[Kit, KitImportRow]] = []
    updated: list[tuple[Kit, KitImportRow]] = []
    for _, row in rows:
        kit = existing.get(row.origin_id)
        if kit is None:
            owner = owners[row.owner_centre_id]
            assert owner is not None  # checked above
            created.append((_new_kit(row, owner, source), row))
            continue
        for name in UPDATABLE:
            setattr(kit, name, getattr(row, name))
        kit.version += 1
        kit.updated_at = now
        updated.append((kit, row))
    session.add_all(kit for kit, _ in created)
    await session.flush()
    if updated:
        await session.execute(
            delete(KitComponent).where(KitComponent.kit_id.in_([kit.id for kit, _ in updated]))
        )
    session.add_all(
        KitComponent(kit_id=kit.id, position=index, **component.model_dump())
        for kit, row in (*created, *updated)
        for index, component in enumerate(row.components)
    )
    session.add_all(
        KitItem(kit_id=kit.id, serial=serial, condition="good")
        for kit, row in created
        for serial in _serials(row)
    )
    await session.flush()
    for kit, _ in created:
        await domain_events.kit_changed(session, "kit.created", kit, source=source)
    for kit, _ in updated:
        await domain_events.kit_changed(session, "kit.updated", kit, source=source)
    return ImportReport(
        kind="kits", source=source, received=received, created=len(created), updated=len(updated)
    )
