"""HTTP caching for the open formats: a body's hash is its ETag; a matching If-None-Match is 304.

Calendar clients poll feeds every few minutes to hours; the hash of the exact bytes is the one
validator that changes whenever anything a subscriber sees changes (an event edited, cancelled,
ended and dropped, a different language) and never otherwise.
"""

from __future__ import annotations

import hashlib

from fastapi import Request, Response

CACHE_CONTROL = "public, max-age=300"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison: `W/` prefixes are ignored, `*` matches anything."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def cacheable(request: Request, body: bytes, media_type: str) -> Response:
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        # Titles and descriptions follow Accept-Language, so shared caches must key on it.
        "Vary": "Accept-Language",
    }
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type=media_type, headers=headers)
