"""Keyset pagination: opaque cursors holding the sort key of the last row a client saw.

Offsets get slower the deeper a client pages; a keyset cursor costs the same on page 1 and
page 1 000. The same cursor format backs REST `next_cursor` and GraphQL Relay connections.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from fastapi import Query
from pydantic import BaseModel

from shared.problems import Problem, problem_type

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class InvalidCursor(Problem):
    type = problem_type("invalid-cursor")
    title = "Invalid cursor"
    status = 400


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (1–{MAX_LIMIT}).")]
CursorQuery = Annotated[
    str | None,
    Query(max_length=512, description="Opaque cursor from a previous page's `next_cursor`."),
]


def encode_cursor(kind: str, values: Sequence[Any]) -> str:
    """`kind` names the ordering, so a cursor from one ordering is refused by another."""
    raw = json.dumps([kind, *values], separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidCursor("The cursor is not one this API issued.") from exc
    if not isinstance(data, list) or len(data) != arity + 1 or data[0] != kind:
        raise InvalidCursor("The cursor belongs to a different query or ordering.")
    return data[1:]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    """Pass as `after` to get the next page; null on the last page."""
    total: int | None = None
    """Only when asked for with `count=true`: counting costs a full scan of the matches."""


# Every subgraph defines the same PageInfo, so federation must be told they may share it.
@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = None

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection_from(
    rows: Sequence[T], cursors: Sequence[str], *, has_next: bool, total: int | None = None
) -> Connection[T]:
    edges = [Edge(cursor=c, node=r) for r, c in zip(rows, cursors, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, end_cursor=cursors[-1] if cursors else None),
        total_count=total,
    )
