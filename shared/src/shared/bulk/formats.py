"""The two bulk formats: CSV (RFC 4180, UTF-8, a header row) and NDJSON (one JSON object per line).

In CSV a list of plain values is one cell joined with `;` (`physics;chemistry`); anything
nested (language maps, addresses, lists of objects) is one cell of JSON. Imports read the same
shapes back, and also accept dotted headers (`name.en`, `location.lat`) for spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query

LIST_SEPARATOR = ";"


class BulkFormat(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        return "csv" if self is BulkFormat.CSV else "ndjson"


MEDIA_TYPES = {BulkFormat.CSV: "text/csv", BulkFormat.NDJSON: "application/x-ndjson"}

FormatQuery = Annotated[
    BulkFormat,
    Query(alias="format", description="`ndjson` (one JSON object per line) or `csv`."),
]

UploadFormatQuery = Annotated[
    BulkFormat | None, Query(alias="format", description="Default: from Content-Type.")
]
"""An import's `?format=`, when the upload's Content-Type does not say it."""


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def compact_json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=json_default)
    return text.encode()


def ndjson_lines(records: Iterable[Mapping[str, Any]]) -> bytes:
    return b"".join(compact_json(record) + b"\n" for record in records)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple) and all(
        isinstance(v, str | int | uuid.UUID) and LIST_SEPARATOR not in str(v) for v in value
    ):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=json_default)


def csv_rows(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode()


def _lookup(record: Mapping[str, Any], column: str) -> Any:
    """A dotted column (`location.lat`) reads inside a nested object of the record."""
    if column in record:
        return record[column]
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def csv_records(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> bytes:
    return csv_rows([_lookup(record, column) for column in columns] for record in records)


def encode_records(
    fmt: BulkFormat, columns: Sequence[str], records: Iterable[Mapping[str, Any]]
) -> bytes:
    if fmt is BulkFormat.CSV:
        return csv_records(columns, records)
    return ndjson_lines(records)
