"""API keys: machine credentials for integrations, accepted by every service beside tokens.

The directory owns the keys (it already owns networks, and keys are scoped to one): a platform
or network admin creates one there, sees it once, and the directory stores only its SHA-256
(keys are 256 random bits, so a fast hash is enough; nothing to brute-force). Services do not
share databases, so the others ask the directory about a key they are shown
(`POST /v1/api-keys/introspect`) and keep its answer for `api_key_cache_s` seconds: a revoked
key stops working in the directory at once and everywhere else within that time. Each answer
from the directory also updates the key's last-used time, so it is accurate to that window.

A key becomes a `Principal` with no roles, the key's network and its scopes: `read` (GET
anything the public may read, and the change feeds), `webhooks` (manage webhook
subscriptions), `import` (bulk imports). Role checks refuse it; scope checks admit it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import httpx

from shared.auth import API_KEY_PREFIX, Principal
from shared.problems import Forbidden, ServiceUnavailable


class Scope(StrEnum):
    READ = "read"
    IMPORT = "import"
    WEBHOOKS = "webhooks"


def new_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def principal_for_key(key_id: uuid.UUID, network_id: uuid.UUID, scopes: list[str]) -> Principal:
    return Principal(
        subject=f"api-key:{key_id}",
        network_ids=frozenset({network_id}),
        scopes=frozenset(scopes),
        api_key_id=key_id,
    )


def require_scope(principal: Principal, scope: Scope) -> None:
    if principal.api_key_id is not None and scope.value not in principal.scopes:
        raise Forbidden(f"This API key has no '{scope.value}' scope.")


class IntrospectedApiKeys:
    """Services other than the directory: ask the directory, remember the answer briefly."""

    def __init__(self, client: Callable[[], httpx.AsyncClient], *, ttl_s: float) -> None:
        self._client = client
        self._ttl_s = ttl_s
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    async def resolve(self, key: str) -> Principal | None:
        digest = key_hash(key)  # the cache never holds a usable key
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = await self._introspect(key)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (now + self._ttl_s, principal)
        return principal

    async def _introspect(self, key: str) -> Principal | None:
        try:
            response = await self._client().post("/v1/api-keys/introspect", json={"key": key})
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                "The directory, which checks API keys, cannot be reached; retry shortly."
            ) from exc
        if response.status_code != 200:
            raise ServiceUnavailable("The directory could not check the API key; retry shortly.")
        body: dict[str, Any] = response.json()
        if not body.get("active"):
            return None
        return principal_for_key(
            uuid.UUID(body["id"]), uuid.UUID(body["network_id"]), list(body["scopes"])
        )
