"""A centre as schema.org JSON-LD: an `EducationalOrganization`.

Networks and the centre itself are named by URN (`urn:pdnet:centre:{id}`,
`urn:pdnet:network:{id}`), the same names the events service's JSON-LD uses for hosts.
"""

from __future__ import annotations

from typing import Any

from shared.language_maps import pick

JSONLD_MEDIA_TYPE = "application/ld+json"


def _postal_address(row: Any) -> dict[str, Any]:
    address = row.address or {}
    fields = {
        "@type": "PostalAddress",
        "streetAddress": address.get("street"),
        "postalCode": address.get("postcode"),
        "addressLocality": address.get("locality"),
        "addressRegion": row.region,
        "addressCountry": row.country,
    }
    return {k: v for k, v in fields.items() if v is not None}


def educational_organization(row: Any, languages: list[str]) -> dict[str, Any]:
    address = _postal_address(row)
    place: dict[str, Any] | None = None
    if row.lat is not None:
        place = {
            "@type": "Place",
            "address": address,
            "geo": {"@type": "GeoCoordinates", "latitude": row.lat, "longitude": row.lon},
        }
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EducationalOrganization",
        "@id": f"urn:pdnet:centre:{row.id}",
        "identifier": [
            {"@type": "PropertyValue", "propertyID": "pdnet", "value": str(row.id)},
            *(
                {"@type": "PropertyValue", "propertyID": i["scheme"], "value": i["value"]}
                for i in row.identifiers
            ),
        ],
        "name": pick(row.name, languages) or "",
        "alternateName": sorted(set(row.name.values()) - {pick(row.name, languages)}) or None,
        "description": pick(row.description, languages),
        "url": row.website,
        "email": row.public_email,
        "telephone": row.public_phone,
        "address": address,
        "location": place,
        "knowsAbout": list(row.subjects) or None,
        "knowsLanguage": list(row.languages) or None,
        "memberOf": [
            {"@type": "Organization", "@id": f"urn:pdnet:network:{m['network_id']}"}
            for m in row.memberships
        ]
        or None,
        "award": sorted({label["scheme"] for label in row.labels}) or None,
    }
    # Absent rather than null: JSON-LD processors read null as "no value", not "unknown".
    return {key: value for key, value in document.items() if value is not None}
