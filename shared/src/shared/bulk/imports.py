"""All-or-nothing imports: read an upload, find every bad row, then upsert the rest in chunks.

Every row is parsed and validated before anything is written. If any row is rejected, the
answer is one 422 problem listing each rejected row with its line number and reason, and the
database is untouched. Otherwise rows are written with `INSERT … ON CONFLICT` a chunk at a
time inside the request's transaction, so the file lands whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import types
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from inspect import isclass
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Table, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api_keys import Scope, require_scope
from shared.auth import Principal, Role
from shared.bulk.formats import LIST_SEPARATOR, MEDIA_TYPES, BulkFormat
from shared.problems import Forbidden, Problem, problem_type

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000
WRITE_CHUNK_ROWS = 1000

M = TypeVar("M", bound=BaseModel)


class FieldError(BaseModel):
    field: str
    message: str


class RejectedRow(BaseModel):
    line: int = Field(description="Line of the file the row starts on (the CSV header is 1).")
    reason: str
    errors: list[FieldError] = Field(default_factory=list)


class ImportRejected(Problem):
    type = problem_type("import-rejected")
    title = "Import rejected; nothing was changed"
    status = 422


class UploadTooLarge(Problem):
    type = problem_type("upload-too-large")
    title = "Upload too large"
    status = 413


class UnsupportedUpload(Problem):
    type = problem_type("unsupported-upload")
    title = "Unsupported upload format"
    status = 415


class ImportReport(BaseModel):
    kind: str
    source: str
    received: int = Field(description="Rows in the file.")
    created: int
    updated: int


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


def ensure_may_import(principal: Principal, *roles: Role) -> None:
    """Platform admins, the given roles, and API keys with the `import` scope. Which networks
    or centres they may import for is the service's check."""
    if principal.api_key_id is not None:
        require_scope(principal, Scope.IMPORT)
        return
    if principal.is_platform_admin or not principal.roles.isdisjoint(roles):
        return
    names = ", ".join(r.value for r in (Role.PLATFORM_ADMIN, *roles))
    raise Forbidden(f"Imports need one of the roles {names}, or an API key with 'import' scope.")


def acts_for_networks(principal: Principal) -> frozenset[Any]:
    """The networks an importer acts for: a network admin's, or an API key's one network."""
    if principal.api_key_id is not None or Role.NETWORK_ADMIN in principal.roles:
        return principal.network_ids
    return frozenset()


@dataclass(frozen=True)
class SourceRecord:
    line: int
    data: dict[str, Any]
    from_csv: bool = False


@dataclass
class Rejections:
    rows: dict[int, RejectedRow] = field(default_factory=dict)

    def add(self, line: int, reason: str, errors: Iterable[FieldError] = ()) -> None:
        # One entry per row: the first reason found is the one reported.
        if line not in self.rows:
            self.rows[line] = RejectedRow(line=line, reason=reason, errors=list(errors))

    def __contains__(self, line: int) -> bool:
        return line in self.rows

    def raise_if_any(self, received: int) -> None:
        if not self.rows:
            return
        rows = [self.rows[line] for line in sorted(self.rows)]
        first = rows[0]
        more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
        raise ImportRejected(
            f"line {first.line}: {first.reason}{more}",
            received=received,
            rejected=[row.model_dump() for row in rows],
        )


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


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin is Union or origin is types.UnionType:
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if options else annotation
            if len(options) <= 1:
                continue
            return annotation
        else:
            return annotation


def _cell_shape(annotation: Any) -> str:
    """How a CSV cell holds a field: `list` (`a;b`), `json`, or `scalar`."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        args = get_args(annotation)
        item = _unwrap(args[0]) if args else str
        if get_origin(item) is dict or (isclass(item) and issubclass(item, BaseModel)):
            return "json"
        return "list"
    if origin is dict or annotation is dict:
        return "json"
    if isclass(annotation) and issubclass(annotation, BaseModel):
        return "json"
    return "scalar"


def _shape_csv(record: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    shaped = dict(record)
    for name, info in model.model_fields.items():
        value = shaped.get(name)
        if not isinstance(value, str):
            continue
        shape = _cell_shape(info.annotation)
        stripped = value.strip()
        if shape == "list" and not stripped.startswith("["):
            shaped[name] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        elif shape in {"json", "list"}:
            try:
                shaped[name] = json.loads(stripped)
            except ValueError as exc:
                raise ValueError(f"{name}: the cell is not valid JSON") from exc
    return shaped


def _field_path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc) or "row"


def validate_records(
    records: Sequence[SourceRecord], model: type[M], rejections: Rejections
) -> list[tuple[int, M]]:
    """Each record as the model; invalid ones are added to `rejections` with every field error."""
    valid: list[tuple[int, M]] = []
    for record in records:
        try:
            data = _shape_csv(record.data, model) if record.from_csv else record.data
            valid.append((record.line, model.model_validate(data)))
        except ValueError as exc:
            if not isinstance(exc, ValidationError):
                rejections.add(record.line, str(exc))
                continue
            errors = [
                FieldError(field=_field_path(e["loc"]), message=_message(e))
                for e in exc.errors(include_url=False)
            ]
            first = errors[0] if errors else FieldError(field="row", message="invalid")
            reason = f"{first.field}: {first.message}"
            if len(errors) > 1:
                reason += f" (and {len(errors) - 1} more)"
            rejections.add(record.line, reason, errors)
    return valid


def _message(error: Any) -> str:
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def reject_duplicates(
    rows: Sequence[tuple[int, M]],
    key: Callable[[M], Hashable],
    rejections: Rejections,
    *,
    what: str,
) -> None:
    """A key may appear once per file: a second row with it would silently win otherwise."""
    first_line: dict[Hashable, int] = {}
    for line, row in rows:
        value = key(row)
        if value in first_line:
            rejections.add(line, f"{what} {value!r} is also on line {first_line[value]}")
        else:
            first_line[value] = line


async def upsert_chunks(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str],
    extra_set: dict[str, Any] | None = None,
    chunk_rows: int = WRITE_CHUNK_ROWS,
) -> list[Row[Any]]:
    """`INSERT … ON CONFLICT (conflict) DO UPDATE` a chunk at a time; returns each row's
    `returning` columns and `inserted` (true for new rows)."""
    statement = insert(table)
    values = {name: statement.excluded[name] for name in update}
    values.update(extra_set or {})
    # A tuple's xmax is 0 when this statement inserted it, set when it updated it.
    inserted: Any = literal_column("(xmax = 0)").label("inserted")
    statement = statement.on_conflict_do_update(index_elements=list(conflict), set_=values)
    upsert = statement.returning(*[table.c[name] for name in returning], inserted)
    written: list[Row[Any]] = []
    for start in range(0, len(rows), chunk_rows):
        # Executemany of one compiled statement: SQLAlchemy sends each chunk as a few
        # multi-row INSERTs and hands back every row's RETURNING values.
        result = await session.execute(upsert, list(rows[start : start + chunk_rows]))
        written.extend(result.all())
    return written
