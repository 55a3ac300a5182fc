"""Streamed exports: a filtered list read in keyset chunks, each in its own short session.

Only one chunk is ever held in memory, and no transaction stays open while a slow client
reads, so an export of a million rows costs the same memory as one of a thousand. The first
chunk is read before the response starts, so a failing query is still a problem+json answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bulk.formats import BulkFormat, compact_json, csv_rows, encode_records
from shared.db import Database, reader_session

CHUNK_ROWS = 500

K = TypeVar("K")


@dataclass(frozen=True)
class Chunk(Generic[K]):
    records: Sequence[Mapping[str, Any]]
    after: K | None
    """Where the next chunk starts; None when this was the last one."""


FetchChunk = Callable[[AsyncSession, K | None, int], Awaitable[Chunk[K]]]
"""Reads up to `limit` records after a position, e.g. a list endpoint's keyset cursor."""


@dataclass(frozen=True)
class Export(Generic[K]):
    name: str
    """What is exported; the file is offered as `{name}.csv` or `{name}.ndjson`."""
    columns: Sequence[str]
    """Record keys, in the CSV header's order."""
    fetch: FetchChunk[K]


async def export_chunks(
    db: Database, export: Export[K], fmt: BulkFormat, *, chunk_rows: int = CHUNK_ROWS
) -> AsyncIterator[bytes]:
    """The encoded file, one chunk of rows at a time."""
    if fmt is BulkFormat.CSV:
        yield csv_rows([export.columns])
    after: K | None = None
    while True:
        async with reader_session(db) as session:
            chunk = await export.fetch(session, after, chunk_rows)
        if chunk.records:
            yield encode_records(fmt, export.columns, chunk.records)
        if chunk.after is None:
            return
        after = chunk.after


async def export_response(
    db: Database, export: Export[K], fmt: BulkFormat, *, chunk_rows: int = CHUNK_ROWS
) -> StreamingResponse:
    chunks = export_chunks(db, export, fmt, chunk_rows=chunk_rows)
    first = [await anext(chunks, b"")]
    if fmt is BulkFormat.CSV:
        first.append(await anext(chunks, b""))

    async def body() -> AsyncIterator[bytes]:
        for part in first:
            yield part
        async for part in chunks:
            yield part

    media_type = fmt.media_type + ("; charset=utf-8" if fmt is BulkFormat.CSV else "")
    return StreamingResponse(
        body(),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.name}.{fmt.extension}"',
            "Cache-Control": "no-store",
        },
    )


async def json_array_response(
    db: Database,
    export: Export[K],
    *,
    head: bytes,
    tail: bytes,
    media_type: str,
    chunk_rows: int = CHUNK_ROWS,
) -> StreamingResponse:
    """One JSON document whose array of records is streamed, e.g. a GeoJSON FeatureCollection
    (`head` = `{"type":"FeatureCollection","features":[`, `tail` = `]}`)."""

    async def records() -> AsyncIterator[bytes]:
        separator = b""
        after: K | None = None
        while True:
            async with reader_session(db) as session:
                chunk = await export.fetch(session, after, chunk_rows)
            if chunk.records:
                yield separator + b",".join(compact_json(r) for r in chunk.records)
                separator = b","
            if chunk.after is None:
                return
            after = chunk.after

    parts = records()
    first = await anext(parts, b"")

    async def body() -> AsyncIterator[bytes]:
        yield head + first
        async for part in parts:
            yield part
        yield tail

    return StreamingResponse(body(), media_type=media_type)


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, streamed.",
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "One JSON object per line."}
            },
            "text/csv": {"schema": {"type": "string", "description": "A header row, then rows."}},
        },
    }
}
"""OpenAPI for an export route (`responses=` with `response_class=StreamingResponse`)."""
