"""Centres as a GeoJSON FeatureCollection (RFC 7946): positions are [longitude, latitude]."""

from __future__ import annotations

from typing import Any

from shared.language_maps import pick

GEOJSON_MEDIA_TYPE = "application/geo+json"


def centre_feature(row: Any, languages: list[str]) -> dict[str, Any]:
    geometry = None
    if row.lat is not None:
        geometry = {"type": "Point", "coordinates": [row.lon, row.lat]}
    return {
        "type": "Feature",
        "id": str(row.id),
        # A centre without a known place is still listed; RFC 7946 allows an unlocated feature.
        "geometry": geometry,
        "properties": {
            "name": pick(row.name, languages) or "",
            "country": row.country,
            "region": row.region,
            "status": row.status,
            "website": row.website,
            "subjects": row.subjects,
            "audiences": row.audiences,
            "languages": row.languages,
            "labels": sorted({label["scheme"] for label in row.labels}),
            "url": f"/v1/centres/{row.id}",
        },
    }
