"""An Open Referral HSDS 3-shaped view of the directory.

Each centre is an HSDS organization that delivers one service (professional development for
STEM teachers) at one physical location; its subjects and audiences are terms of two
taxonomies. HSDS identifiers are UUIDs: the organization's is the centre's, the service's and
location's are derived from it, so they are stable across reads. Lists come in HSDS's `Page`
envelope, numbered from 1.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import Any, get_args

from pydantic import BaseModel, Field

from shared.language_maps import pick
from shared.taxonomy import Audience, Subject

NAMESPACE = uuid.UUID("6f1c8f0e-3a52-5d4b-9a57-2f1d0c9e4b11")
HSDS_STATUS = {
    "active": "active",
    "inactive": "inactive",
    "temporarily_closed": "temporarily closed",
}
TAXONOMIES = {
    "stem_subjects": ("STEM subjects", "The subjects a centre's courses cover.", get_args(Subject)),
    "teacher_audiences": (
        "Teacher audiences",
        "The teachers a centre's courses are for.",
        get_args(Audience),
    ),
}


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


class Page(BaseModel):
    """HSDS 3's paging envelope."""

    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(description="Items on this page.")
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


def page_of(contents: list[dict[str, Any]], *, total: int, page: int, per_page: int) -> Page:
    total_pages = max(math.ceil(total / per_page), 1)
    return Page(
        total_items=total,
        total_pages=total_pages,
        page_number=page,
        size=len(contents),
        first_page=page == 1,
        last_page=page >= total_pages,
        empty=not contents,
        contents=contents,
    )


def taxonomy(key: str) -> dict[str, Any]:
    name, description, _ = TAXONOMIES[key]
    return {
        "id": derived_id("taxonomy", key),
        "name": name,
        "description": description,
        "uri": f"urn:pdnet:taxonomy:{key}",
        "version": "1",
    }


def taxonomy_term(key: str, code: str) -> dict[str, Any]:
    return {
        "id": derived_id("term", key, code),
        "code": code,
        "name": code.replace("_", " "),
        "description": f"{TAXONOMIES[key][0]}: {code.replace('_', ' ')}",
        "parent_id": None,
        "taxonomy": TAXONOMIES[key][0],
        "taxonomy_id": derived_id("taxonomy", key),
        "language": "en",
        "term_uri": f"urn:pdnet:taxonomy:{key}:{code}",
    }


def all_terms() -> list[dict[str, Any]]:
    return [taxonomy_term(key, code) for key, (_, _, codes) in TAXONOMIES.items() for code in codes]


def _text(texts: dict[str, str] | None, languages: Sequence[str]) -> str | None:
    return pick(texts, list(languages))


def location(row: Any, languages: Sequence[str]) -> dict[str, Any]:
    location_id = derived_id("location", row.id)
    address = row.address or {}
    addresses = []
    if address.get("street") or address.get("locality"):
        addresses.append(
            {
                "id": derived_id("address", row.id),
                "location_id": location_id,
                "address_1": address.get("street") or "",
                "city": address.get("locality") or "",
                "region": row.region,
                "state_province": row.region or "",
                "postal_code": address.get("postcode") or "",
                "country": row.country,
                "address_type": "physical",
            }
        )
    return {
        "id": location_id,
        "location_type": "physical",
        "organization_id": str(row.id),
        "name": _text(row.name, languages),
        "latitude": row.lat,
        "longitude": row.lon,
        "external_identifier": str(row.id),
        "external_identifier_type": "pdnet centre",
        "languages": [_language(code, location_id=location_id) for code in row.languages],
        "addresses": addresses,
    }


def _language(code: str, **link: str) -> dict[str, Any]:
    return {"id": derived_id("language", *link.values(), code), "code": code, **link}


def _attributes(row: Any, service_id: str) -> list[dict[str, Any]]:
    attributes = []
    for key, codes in (("stem_subjects", row.subjects), ("teacher_audiences", row.audiences)):
        for code in codes:
            term = taxonomy_term(key, code)
            attributes.append(
                {
                    "id": derived_id("attribute", service_id, term["id"]),
                    "link_id": service_id,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                }
            )
    return attributes


def service(row: Any, languages: Sequence[str], *, nested: bool = True) -> dict[str, Any]:
    service_id = derived_id("service", row.id)
    name = _text(row.name, languages) or ""
    document: dict[str, Any] = {
        "id": service_id,
        "organization_id": str(row.id),
        "name": f"STEM teacher professional development at {name}",
        "description": _text(row.description, languages),
        "url": row.website,
        "email": row.public_email,
        "status": HSDS_STATUS.get(row.status, "inactive"),
        "languages": [_language(code, service_id=service_id) for code in row.languages],
        "attributes": _attributes(row, service_id),
        "last_modified": row.updated_at.isoformat(),
    }
    if nested:
        document["service_at_locations"] = [
            {
                "id": derived_id("service_at_location", row.id),
                "service_id": service_id,
                "location_id": derived_id("location", row.id),
                "location": location(row, languages),
            }
        ]
    return document


def organization(row: Any, languages: Sequence[str]) -> dict[str, Any]:
    names = dict(row.name)
    name = _text(names, languages) or ""
    phones = []
    if row.public_phone:
        phones.append(
            {"id": derived_id("phone", row.id), "organization_id": str(row.id),
             "number": row.public_phone}
        )  # fmt: skip
    return {
        "id": str(row.id),
        "name": name,
        "alternate_name": next((t for t in names.values() if t != name), None),
        "description": _text(row.description, languages) or name,
        "email": row.public_email,
        "website": row.website,
        "uri": f"urn:pdnet:centre:{row.id}",
        "phones": phones,
        "organization_identifiers": [
            {
                "id": derived_id("identifier", row.id, i["scheme"], i["value"]),
                "organization_id": str(row.id),
                "identifier_scheme": i["scheme"],
                "identifier_type": i["scheme"],
                "identifier": i["value"],
            }
            for i in row.identifiers
        ],
        "services": [service(row, languages, nested=False)],
        "locations": [location(row, languages)],
    }


def term_by_id(term_id: str) -> tuple[str, str] | None:
    """(taxonomy key, code) of a term id from `all_terms`."""
    for key, (_, _, codes) in TAXONOMIES.items():
        for code in codes:
            if derived_id("term", key, code) == term_id:
                return key, code
    return None
