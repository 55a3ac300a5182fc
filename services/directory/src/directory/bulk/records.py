"""One centre as a bulk record: the same fields in NDJSON (nested) and CSV (one row).

Nested objects with fixed fields become dotted CSV columns (`location.lat`); language maps and
lists of objects stay one JSON cell, so any language can travel without new columns.
"""

from __future__ import annotations

from typing import Any

CENTRE_COLUMNS = (
    "id",
    "data_source",
    "origin_id",
    "name",
    "description",
    "country",
    "region",
    "address.street",
    "address.postcode",
    "address.locality",
    "location.lat",
    "location.lon",
    "website",
    "public_contact.email",
    "public_contact.phone",
    "subjects",
    "audiences",
    "languages",
    "identifiers",
    "status",
    "networks",
    "labels",
    "created_at",
    "updated_at",
    "version",
)

EXPORT_ONLY = frozenset({"id", "networks", "labels", "created_at", "updated_at", "version"})
"""Columns an export carries that an import ignores, so an export can be imported elsewhere."""


def centre_record(row: Any) -> dict[str, Any]:
    location = None if row.lat is None else {"lat": row.lat, "lon": row.lon}
    contact = None
    if row.public_email or row.public_phone:
        contact = {"email": row.public_email, "phone": row.public_phone}
    return {
        "id": str(row.id),
        "data_source": row.data_source,
        "origin_id": row.origin_id,
        "name": row.name,
        "description": row.description,
        "country": row.country,
        "region": row.region,
        "address": row.address,
        "location": location,
        "website": row.website,
        "public_contact": contact,
        "subjects": row.subjects,
        "audiences": row.audiences,
        "languages": row.languages,
        "identifiers": row.identifiers,
        "status": row.status,
        "networks": sorted({m["network_id"] for m in row.memberships}),
        "labels": sorted({label["scheme"] for label in row.labels}),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "version": row.version,
    }
