"""All-or-nothing imports: validate every row, then upsert them in chunks.

Every row is read (`uploads`) and validated before anything is written. If any row is
rejected, the answer is one 422 problem listing each rejected row with its line number and
reason, and the database is untouched. Otherwise rows are written with `INSERT … ON CONFLICT`
a chunk at a time inside the request's transaction, so the file lands whole or not at all.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from inspect import isclass
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from fastapi import Request
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy import String, Table, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api_keys import Scope, require_scope
from shared.auth import Principal, Role
from shared.bulk.formats import LIST_SEPARATOR, BulkFormat
from shared.bulk.rejections import FieldError, Rejections
from shared.bulk.uploads import SourceRecord, read_records, read_upload, upload_format
from shared.problems import Forbidden

WRITE_CHUNK_ROWS = 1000

SOURCE_PATTERN = r"^[a-z0-9_.-]{1,64}$"
SourceName = Annotated[str, StringConstraints(pattern=SOURCE_PATTERN)]
"""The system an import's rows come from, e.g. `luma.fi`."""
OriginId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
"""A row's id in its source system; with the source it names one record across imports."""

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class ImportReport(BaseModel):
    kind: str
    source: str
    received: int = Field(description="Rows in the file.")
    created: int
    updated: int


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
class ImportFile(Generic[M]):
    rows: list[tuple[int, M]]
    """The valid rows with their line numbers."""
    rejections: Rejections
    """The lines that are not valid rows."""
    received: int
    """Rows in the file, valid or not."""


async def read_import_file(
    request: Request, requested: BulkFormat | None, model: type[M]
) -> ImportFile[M]:
    """The uploaded file's rows, each validated as `model`."""
    fmt = upload_format(request, requested)
    records, rejections = read_records(await read_upload(request), fmt)
    received = len(records) + len(rejections.rows)
    return ImportFile(validate_records(records, model, rejections), rejections, received)


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


async def lock_source(session: AsyncSession, kind: str, source: str) -> None:
    """Imports of the same kind and source take turns, until the transaction ends.

    Each import decides which rows are new and whether the importer may change the others
    from what it reads first; a concurrent import of the same source could otherwise turn a
    "new" row into someone else's existing record between that read and the write."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"import:{kind}:{source}", 0)))
    )


async def lock_imported(
    session: AsyncSession, model: type[T], source: str, origin_ids: Sequence[str]
) -> dict[str, T]:
    """The rows of `model` already imported from `source` under these origin ids, by origin
    id, locked for update until the transaction ends."""
    mapped: Any = model  # any mapped class with `data_source` and `origin_id` columns
    statement = (
        select(mapped)
        .where(
            mapped.data_source == source,
            mapped.origin_id == any_(bindparam("origin_ids", type_=ARRAY(String))),
        )
        .with_for_update()
    )
    rows = await session.execute(statement, {"origin_ids": list(origin_ids)})
    return {row.origin_id: row for row in rows.scalars() if row.origin_id}


def reject_other_sources(
    rows: Sequence[tuple[int, Any]], source: str, rejections: Rejections
) -> None:
    """A row may repeat the import's source (an export carries it) but not name another."""
    for line, row in rows:
        named = getattr(row, "data_source", None)
        if named is not None and named != source:
            rejections.add(
                line, f"data_source: {named!r} differs from the import's source {source!r}"
            )


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
