"""A lean HTTP/1.1 client for the one call the engine makes most: a JSON POST to a subgraph
over plain `http://`, answered with a status and a body.

Each call through httpx costs the gateway more CPU than shaping the answer does (request and
URL models, header normalisation, anyio locks, h11's state machine). This client writes the
request bytes itself, parses the answer with httptools (the parser uvicorn serves with) and keeps
connections alive per origin. Anything it does not cover (https, proxies, traced calls) stays
with httpx.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from typing import cast
from urllib.parse import urlsplit

import httptools

MAX_IDLE_PER_ORIGIN = 50


class Http1Error(Exception):
    """The connection failed or the answer was not HTTP."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.chunks: list[bytes] = []
        self.received = False
        self.closed = False
        self.keep_alive = True

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not `asyncio.Transport` subclasses but offer the same calls.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(Http1Error(f"the answer is not HTTP/1.1: {exc}"))
            self.close()

    def eof_received(self) -> bool | None:
        self.closed = True
        self._fail(Http1Error("the connection was closed before the answer ended"))
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(Http1Error(f"the connection was lost: {exc!r}" if exc else "closed early"))

    # httptools callbacks

    def on_message_begin(self) -> None:
        self.chunks = []

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((self.parser.get_status_code(), b"".join(self.chunks)))
        self.chunks = []

    # Use

    def _fail(self, error: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def reusable(self) -> bool:
        return (
            not self.closed
            and self.keep_alive
            and self.transport is not None
            and not self.transport.is_closing()
        )

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.received = False
        self.transport.write(request)
        try:
            return await self.waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class _Origin:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.idle: deque[_Connection] = deque()

    async def connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, self.host, self.port)
        return connection

    def release(self, connection: _Connection) -> None:
        if connection.reusable() and len(self.idle) < MAX_IDLE_PER_ORIGIN:
            self.idle.append(connection)
        else:
            connection.close()


class Http1Client:
    """JSON POSTs to `http://` URLs; `post` raises `Http1Error` when no answer comes."""

    def __init__(self) -> None:
        self._origins: dict[tuple[str, int], _Origin] = {}
        self._targets: dict[str, tuple[_Origin, bytes]] = {}

    @staticmethod
    def supports(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme == "http" and bool(parts.hostname)

    def _target(self, url: str) -> tuple[_Origin, bytes]:
        target = self._targets.get(url)
        if target is None:
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = parts.port or 80
            origin = self._origins.get((host, port))
            if origin is None:
                origin = self._origins[(host, port)] = _Origin(host, port)
            path = parts.path or "/"
            if parts.query:
                path = f"{path}?{parts.query}"
            authority = parts.netloc.rpartition("@")[2]
            head = f"POST {path} HTTP/1.1\r\nHost: {authority}\r\n".encode("latin-1")
            target = self._targets[url] = (origin, head)
        return target

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, replayable: bool = True
    ) -> tuple[int, bytes]:
        """Callers bound the time with `asyncio.timeout`.

        A kept-alive connection the server dropped while idle fails with nothing answered, and
        the request goes again on another one. That is safe only for a request that may run
        twice: one that is not `replayable` (a mutation) always opens its own connection."""
        origin, head = self._target(url)
        lines = [head]
        for name, value in headers.items():
            lines.append(f"{name}: {value}\r\n".encode("latin-1"))
        lines.append(b"Content-Length: %d\r\n\r\n" % len(body))
        lines.append(body)
        request = b"".join(lines)
        while replayable and origin.idle:
            connection = origin.idle.pop()
            if not connection.reusable():
                connection.close()
                continue
            try:
                answer = await connection.exchange(request)
            except Http1Error:
                connection.close()
                if connection.received:
                    raise
                # The server closed this idle connection as it was reused: nothing was
                # answered, so the request goes again on another connection.
                continue
            except BaseException:
                connection.close()
                raise
            origin.release(connection)
            return answer
        try:
            connection = await origin.connect()
        except OSError as exc:
            raise Http1Error(f"cannot connect: {exc!r}") from exc
        try:
            answer = await connection.exchange(request)
        except BaseException:
            connection.close()
            raise
        origin.release(connection)
        return answer

    def close(self) -> None:
        for origin in self._origins.values():
            while origin.idle:
                origin.idle.pop().close()
