"""Automatic persisted queries (Apollo's APQ protocol): a client sends a query's SHA-256 alone,
and the query itself only when the gateway answers `PERSISTED_QUERY_NOT_FOUND`.

The store is a bounded LRU in each replica; a replica that has forgotten a query asks for it
again, which the protocol expects.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
INVALID = "PERSISTED_QUERY_INVALID"


class PersistedQueryError(Exception):
    def __init__(self, code: str, message: str, *, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def to_error(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"code": self.code}}


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class PersistedQueries:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._queries: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._queries)

    def resolve(self, query: str | None, extensions: Any) -> tuple[str | None, str | None]:
        """The query to run and the hash to remember it under once it has run.

        Raises PersistedQueryError for a hash it does not know, a hash that does not match the
        query, or a malformed `persistedQuery` extension.
        """
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            return query, None
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                INVALID, "persistedQuery needs version 1 and a sha256Hash.", status=400
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            raise PersistedQueryError(
                INVALID, "persistedQuery.sha256Hash must be 64 hexadecimal digits.", status=400
            )
        digest = digest.lower()
        if query is None:
            known = self._queries.get(digest)
            if known is None:
                # Apollo clients look for this message and code, then send the query itself.
                raise PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound", status=200)
            self._queries.move_to_end(digest)
            return known, None
        if sha256_hex(query) != digest:
            raise PersistedQueryError(
                HASH_MISMATCH, "provided sha does not match query", status=400
            )
        return query, digest

    def remember(self, digest: str, query: str) -> None:
        self._queries[digest] = query
        self._queries.move_to_end(digest)
        while len(self._queries) > self.capacity:
            self._queries.popitem(last=False)
