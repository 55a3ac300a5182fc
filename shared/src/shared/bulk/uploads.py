"""Reading an uploaded file: its format, its size limit, its rows with their line numbers.

CSV rows become nested objects (`name.en` → `{"name": {"en": ...}}`, empty cells left out);
NDJSON lines are parsed as they are. A line that is not a row at all is rejected here, with
its line number, before any row is validated.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from shared.bulk.formats import MEDIA_TYPES, BulkFormat
from shared.bulk.rejections import Rejections
from shared.problems import Problem, problem_type

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000


class UploadTooLarge(Problem):
    type = problem_type("upload-too-large")
    title = "Upload too large"
    status = 413


class UnsupportedUpload(Problem):
    type = problem_type("unsupported-upload")
    title = "Unsupported upload format"
    status = 415


IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file: CSV with a header row, or NDJSON (one JSON object per line).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}
"""OpenAPI for an import route's body (`openapi_extra=`); the route reads the raw request."""


@dataclass(frozen=True)
class SourceRecord:
    line: int
    data: dict[str, Any]
    from_csv: bool = False


def upload_format(request: Request, requested: BulkFormat | None) -> BulkFormat:
    """`?format=` if given, else the Content-Type of the upload."""
    if requested is not None:
        return requested
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    for fmt, media_type in MEDIA_TYPES.items():
        if content_type == media_type:
            return fmt
    if content_type in {"application/jsonl", "application/ndjson", "application/json-lines"}:
        return BulkFormat.NDJSON
    raise UnsupportedUpload(
        "Send the file as text/csv or application/x-ndjson, or name it with ?format=csv|ndjson."
    )


async def read_upload(request: Request, *, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise UploadTooLarge(f"The file may be at most {max_bytes} bytes; split it.")
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > max_bytes:
            raise UploadTooLarge(f"The file may be at most {max_bytes} bytes; split it.")
        parts.append(part)
    return b"".join(parts)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        rejections = Rejections()
        rejections.add(line, "the file is not UTF-8 text")
        rejections.raise_if_any(received=0)
        raise AssertionError("unreachable") from exc


def read_records(body: bytes, fmt: BulkFormat) -> tuple[list[SourceRecord], Rejections]:
    """The file's rows with their line numbers, and the lines that are not rows at all."""
    text = _decode(body)
    if fmt is BulkFormat.CSV:
        records, rejections = _csv_records(text)
    else:
        records, rejections = _ndjson_records(text)
    if len(records) + len(rejections.rows) > MAX_ROWS:
        raise UploadTooLarge(f"A file may hold at most {MAX_ROWS} rows; split it.")
    if not records and not rejections.rows:
        rejections.add(1, "the file holds no rows")
    return records, rejections


def _ndjson_records(text: str) -> tuple[list[SourceRecord], Rejections]:
    records: list[SourceRecord] = []
    rejections = Rejections()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            rejections.add(number, f"not a JSON object: {exc.args[0] if exc.args else exc}")
            continue
        if not isinstance(data, dict):
            rejections.add(number, "not a JSON object")
            continue
        records.append(SourceRecord(number, data))
    return records, rejections


def _csv_records(text: str) -> tuple[list[SourceRecord], Rejections]:
    records: list[SourceRecord] = []
    rejections = Rejections()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        rejections.add(1, f"the header row is not valid CSV: {exc}")
        return records, rejections
    if not header or not any(name.strip() for name in header):
        rejections.add(1, "the first line must name the columns")
        return records, rejections
    names = [name.strip() for name in header]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates or "" in names:
        reason = f"column {duplicates[0]!r} appears twice" if duplicates else "a column is unnamed"
        rejections.add(1, reason)
        return records, rejections
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejections.add(start, f"not valid CSV: {exc}")
            break  # the reader cannot resynchronise after a broken quote
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names):
            rejections.add(start, f"{len(cells)} cells but only {len(names)} columns")
            continue
        try:
            data = _nest({n: c for n, c in zip(names, cells, strict=False) if c != ""})
        except ValueError as exc:
            rejections.add(start, str(exc))
            continue
        records.append(SourceRecord(start, data, from_csv=True))
    return records, rejections


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    """`{"name.en": "x"}` → `{"name": {"en": "x"}}`."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ValueError(f"column {key!r} conflicts with column {part!r}")
        if parts[-1] in target:
            raise ValueError(f"column {key!r} conflicts with another column")
        target[parts[-1]] = value
    return nested
