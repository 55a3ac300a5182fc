"""The lean HTTP/1.1 client the engine calls `http://` subgraphs with: kept-alive connections,
bodies by length or in chunks, servers that close connections, and failures that become the same
fetch errors httpx's failures become. A small asyncio HTTP server on loopback plays the
subgraph, answering exactly as each test needs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvloop

from gateway.execution import HttpSubgraphTransport, SubgraphFetchError, SubgraphRequest
from gateway.execution.http1 import Http1Client

Answer = Callable[[bytes, int], Awaitable[bytes | None]]
"""Given a request's body and how many requests this connection served before, the raw bytes
to write back (None: write nothing and close)."""


def by_length(body: dict[str, object], *, close: bool = False) -> bytes:
    content = json.dumps(body).encode()
    connection = b"Connection: close\r\n" if close else b""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + connection
        + b"Content-Length: %d\r\n\r\n" % len(content)
        + content
    )


def chunked(body: dict[str, object]) -> bytes:
    content = json.dumps(body).encode()
    half = len(content) // 2
    parts = [content[:half], content[half:]]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts)
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )


class Server:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")[1:]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines if line)
                }
                body = await reader.readexactly(int(headers["content-length"]))
                self.requests.append((headers, body))
                reply = await self.answer(body, served)
                served += 1
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if b"Connection: close" in reply:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


@asynccontextmanager
async def serving(answer: Answer) -> AsyncIterator[Server]:
    server = Server(answer)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()


@asynccontextmanager
async def transport_to(
    server: Server, *, timeout_s: float = 5.0
) -> AsyncIterator[HttpSubgraphTransport]:
    transport = HttpSubgraphTransport({"s": server.url}, timeout=timeout_s, direct=["s"])
    try:
        yield transport
    finally:
        await transport.aclose()


REQUEST = SubgraphRequest("query Q($id: ID!) { item(id: $id) { name } }", {"id": "é1"}, "Q")


async def echo(body: bytes, served: int) -> bytes:
    return by_length({"data": {"echo": json.loads(body), "served": served}})


async def test_requests_share_one_kept_alive_connection_and_arrive_whole() -> None:
    async with serving(echo) as server, transport_to(server) as transport:
        first = await transport.fetch("s", REQUEST, headers={"Authorization": "Bearer t"})
        second = await transport.fetch("s", REQUEST, headers={})
    assert first["data"]["echo"] == REQUEST.body()
    assert (first["data"]["served"], second["data"]["served"]) == (0, 1)
    assert server.connections == 1
    headers, _ = server.requests[0]
    assert headers["authorization"] == "Bearer t"
    assert headers["content-type"] == "application/json"
    assert headers["host"] == f"127.0.0.1:{server.port}"
    assert "authorization" not in server.requests[1][0]


async def test_concurrent_requests_each_get_their_own_answer() -> None:
    async def slow_echo(body: bytes, served: int) -> bytes:
        await asyncio.sleep(0.01 * (json.loads(body)["variables"]["n"] % 3))
        return by_length({"data": {"n": json.loads(body)["variables"]["n"]}})

    async with serving(slow_echo) as server, transport_to(server) as transport:
        answers = await asyncio.gather(
            *(
                transport.fetch("s", SubgraphRequest("{ n }", {"n": n}), headers={})
                for n in range(12)
            )
        )
        opened = server.connections
        later = [
            await transport.fetch("s", SubgraphRequest("{ n }", {"n": n}), headers={})
            for n in range(3)
        ]
    assert [a["data"]["n"] for a in answers] == list(range(12))
    assert [a["data"]["n"] for a in later] == list(range(3))
    # The connections the burst opened stay open and serve what comes after.
    assert server.connections == opened


async def test_a_chunked_answer_is_read_whole() -> None:
    async def answer(body: bytes, served: int) -> bytes:
        return chunked({"data": {"centres": [{"name": "LUMA"}] * 50}})

    async with serving(answer) as server, transport_to(server) as transport:
        for _ in range(2):
            body = await transport.fetch("s", REQUEST, headers={})
            assert body == {"data": {"centres": [{"name": "LUMA"}] * 50}}
    assert server.connections == 1


async def test_a_server_closing_after_its_answer_gets_a_new_connection() -> None:
    async def answer(body: bytes, served: int) -> bytes:
        return by_length({"data": {"ok": True}}, close=True)

    async with serving(answer) as server, transport_to(server) as transport:
        for _ in range(3):
            assert await transport.fetch("s", REQUEST, headers={}) == {"data": {"ok": True}}
    assert server.connections == 3


async def test_an_idle_connection_the_server_dropped_is_replaced_without_an_error() -> None:
    """The server closes a kept-alive connection while it idles (as uvicorn does after its
    keep-alive timeout): the next request goes on a new connection and succeeds."""

    async def answer(body: bytes, served: int) -> bytes | None:
        # The second request on a connection finds it closed without an answer.
        return None if served >= 1 else by_length({"data": {"ok": True}})

    async with serving(answer) as server, transport_to(server) as transport:
        for _ in range(3):
            assert await transport.fetch("s", REQUEST, headers={}) == {"data": {"ok": True}}
    assert server.connections >= 2


async def test_a_mutation_opens_its_own_connection_so_it_is_never_sent_twice() -> None:
    """Had the server run a mutation and then dropped the connection unanswered, sending it
    again on another connection would run it twice; mutations never take an idle one."""
    mutation = SubgraphRequest("mutation M { bump { count } }", replayable=False)

    async with serving(echo) as server, transport_to(server) as transport:
        await transport.fetch("s", REQUEST, headers={})
        answered = await transport.fetch("s", mutation, headers={})
        await transport.fetch("s", REQUEST, headers={})
    assert answered["data"]["served"] == 0, "the mutation went on a connection of its own"
    assert [body for _, body in server.requests].count(json.dumps(mutation.body()).encode()) <= 1
    assert server.connections == 2


async def test_no_answer_in_time_is_a_timeout_fetch_error() -> None:
    async def never(body: bytes, served: int) -> bytes:
        await asyncio.sleep(30)
        return b""

    async with serving(never) as server, transport_to(server, timeout_s=0.2) as transport:
        with pytest.raises(SubgraphFetchError) as raised:
            await transport.fetch("s", REQUEST, headers={})
    assert raised.value.reason == "no answer within 0.2s"


async def test_a_closed_port_is_a_fetch_error() -> None:
    transport = HttpSubgraphTransport(
        {"s": "http://127.0.0.1:9/graphql"}, timeout=2.0, direct=["s"]
    )
    try:
        with pytest.raises(SubgraphFetchError) as raised:
            await transport.fetch("s", REQUEST, headers={})
    finally:
        await transport.aclose()
    assert raised.value.reason.startswith("request failed")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", "HTTP 502"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "the response is not JSON"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]",
            "the response is not a GraphQL response",
        ),
        (b"NOT HTTP AT ALL\r\n\r\n", None),
    ],
)
async def test_answers_that_are_not_graphql_responses_are_fetch_errors(
    reply: bytes, reason: str | None
) -> None:
    async def answer(body: bytes, served: int) -> bytes:
        return reply

    async with serving(answer) as server, transport_to(server) as transport:
        with pytest.raises(SubgraphFetchError) as raised:
            await transport.fetch("s", REQUEST, headers={})
    if reason is None:
        assert raised.value.reason.startswith("request failed")
    else:
        assert raised.value.reason == reason


def test_it_runs_on_uvloop_as_uvicorn_serves_the_gateway() -> None:
    async def keep_alive_and_chunks() -> tuple[list[dict[str, Any]], int]:
        async def answer(body: bytes, served: int) -> bytes:
            return chunked({"data": {"served": served}}) if served % 2 else await echo(body, 0)

        async with serving(answer) as server, transport_to(server) as transport:
            answers = [await transport.fetch("s", REQUEST, headers={}) for _ in range(3)]
        return answers, server.connections

    answers, connections = uvloop.run(keep_alive_and_chunks())
    assert [a["data"].get("served") for a in answers] == [0, 1, 0]
    assert connections == 1


def test_only_plain_http_urls_are_served() -> None:
    assert Http1Client.supports("http://127.0.0.1:8001/graphql")
    assert not Http1Client.supports("https://api.luma.fi/graphql")
    transport = HttpSubgraphTransport(
        {"a": "http://127.0.0.1:8001/graphql", "b": "https://api.luma.fi/graphql"},
        direct=["a", "b"],
    )
    assert transport.direct == frozenset({"a"})
