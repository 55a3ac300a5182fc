"""`Idempotency-Key` for POSTs: a retried request gets the first request's answer.

The key is claimed by inserting a row in the same transaction as the change. A concurrent
retry blocks on the row's primary key until the first transaction ends: if it committed,
the stored answer is replayed; if it rolled back, the retry does the work itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.problems import Conflict, problem_type

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key when retrying; you get the first answer back.",
    ),
]


class KeyReused(Conflict):
    type = problem_type("idempotency-key-reused")
    title = "Idempotency key reused for a different request"


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(
    session: AsyncSession, model: Any, *, subject: str, key: str, print_: str
) -> StoredAnswer | None:
    """None: this request owns the key and must `record` its answer. Else the stored answer."""
    inserted = await session.execute(
        insert(model)
        .values(subject=subject, key=key, fingerprint=print_, status_code=0, body=None)
        .on_conflict_do_nothing()
        .returning(model.key)
    )
    if inserted.first() is not None:
        return None
    stored = (
        await session.execute(select(model).where(model.subject == subject, model.key == key))
    ).scalar_one()
    if stored.fingerprint != print_:
        raise KeyReused("This Idempotency-Key was used for a different request.")
    return StoredAnswer(stored.status_code, stored.body)


async def record(
    session: AsyncSession, model: Any, *, subject: str, key: str, status_code: int, body: Any
) -> None:
    stored = (
        await session.execute(select(model).where(model.subject == subject, model.key == key))
    ).scalar_one()
    stored.status_code, stored.body = status_code, body
    await session.flush()
