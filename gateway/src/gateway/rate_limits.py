"""Per-client rate limits: a token bucket per verified token subject, else per client address.

A subject only counts when the token's signature checks out with the same keys the services
use; a made-up token cannot buy a fresh bucket. Buckets live in each replica's memory, so the
limit a client sees is per replica (a shared store would be the next step for many replicas).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.rest_routes import SERVICE_PREFIX
from shared.auth import TokenVerifier
from shared.problems import PROBLEM_JSON, Problem, Unauthorized, problem_type


class RateLimited(Problem):
    type = problem_type("rate-limited")
    title = "Too many requests"
    status = 429


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate if self.rate > 0 else math.inf


class ClientKeys:
    """Who is calling, for rate limits: `sub:<subject>` for a valid token, else `ip:<address>`."""

    def __init__(self, verifier: TokenVerifier | None, *, cache_size: int = 10_000) -> None:
        self.verifier = verifier
        self.cache_size = cache_size
        self._subjects: OrderedDict[str, tuple[str, float]] = OrderedDict()

    async def _subject(self, token: str) -> str | None:
        cached = self._subjects.get(token)
        now = time.time()
        if cached is not None and cached[1] > now:
            return cached[0]
        assert self.verifier is not None
        try:
            # In a thread: with a JWKS URL the first token of a new key fetches that key.
            principal = await asyncio.to_thread(self.verifier.verify, token)
        except Unauthorized:
            return None
        # Verified once, trusted for a minute: the signature cannot change, expiry can.
        self._subjects[token] = (principal.subject, now + 60.0)
        while len(self._subjects) > self.cache_size:
            self._subjects.popitem(last=False)
        return principal.subject

    async def key(self, authorization: str | None, address: str) -> str:
        if self.verifier is not None and authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                subject = await self._subject(token.strip())
                if subject is not None:
                    return f"sub:{subject}"
        return f"ip:{address}"


class RateLimitMiddleware:
    """429 with `Retry-After` once a client's bucket is empty; API paths only, not preflights."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        buckets: TokenBuckets,
        keys: ClientKeys,
        trust_forwarded_for: bool = False,
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.keys = keys
        self.trust_forwarded_for = trust_forwarded_for

    def _address(self, headers: Headers, scope: Scope) -> str:
        if self.trust_forwarded_for:
            forwarded = headers.get("x-forwarded-for")
            if forwarded:
                return forwarded.split(",")[0].strip()
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            scope["type"] != "http"
            or scope["method"] == "OPTIONS"
            or not (path == "/graphql" or path.startswith(("/v1/", SERVICE_PREFIX)))
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = await self.keys.key(headers.get("authorization"), self._address(headers, scope))
        wait_s = self.buckets.take(key)
        if wait_s <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait_s))
        problem = RateLimited(
            f"This client has sent more than {self.buckets.burst} requests in a burst or "
            f"{round(self.buckets.rate * 60)} a minute; retry after {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
        response = JSONResponse(
            problem.to_dict(path),
            status_code=problem.status,
            headers=problem.headers,
            media_type=PROBLEM_JSON,
        )
        await response(scope, receive, send)
