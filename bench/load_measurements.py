"""Client-side measurements for the benchmark: sequential latencies and closed-loop throughput.

Every loop is bounded (by a count or a deadline) and every response must be a 200, so a broken
server shows up as an error instead of as an impressively fast number.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx


class UnexpectedResponse(RuntimeError):
    pass


@dataclass(frozen=True)
class Latencies:
    samples_ms: list[float]

    def percentile(self, q: int) -> float:
        # statistics.quantiles(n=100) returns the 1st..99th percentiles.
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[q - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)


@dataclass(frozen=True)
class Throughput:
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def new_client(base_url: str, *, connections: int) -> httpx.AsyncClient:
    # Keep-alive connections sized to the concurrency, so no request pays for a TCP handshake.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0)


async def get_ok(client: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await client.get(path)
    if response.status_code != 200:
        raise UnexpectedResponse(f"GET {path}: {response.status_code} {response.text[:300]}")
    return response


async def time_requests(
    client: httpx.AsyncClient, paths: Sequence[str], *, warmup: int, count: int
) -> Latencies:
    """One request at a time, cycling through `paths`; the warm-up fills caches and pools."""
    for i in range(warmup):
        await get_ok(client, paths[i % len(paths)])
    samples: list[float] = []
    for i in range(count):
        started = time.perf_counter()
        await get_ok(client, paths[i % len(paths)])
        samples.append((time.perf_counter() - started) * 1000)
    return Latencies(samples)


async def time_alternately(
    client: httpx.AsyncClient, first: str, second: str, *, warmup: int, count: int
) -> tuple[Latencies, Latencies]:
    """`first` and `second` in turn, so drift in machine load hits both equally."""
    for _ in range(warmup):
        await get_ok(client, first)
        await get_ok(client, second)
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        for path, bucket in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            await get_ok(client, path)
            bucket.append((time.perf_counter() - started) * 1000)
    return Latencies(samples[0]), Latencies(samples[1])


async def cursor_of_page(client: httpx.AsyncClient, path: str, page: int) -> str:
    """The `after` cursor that fetches page number `page` (1-based) of `path`."""
    cursor: str | None = None
    for number in range(1, page):
        separator = "&" if "?" in path else "?"
        url = path if cursor is None else f"{path}{separator}after={cursor}"
        body: dict[str, Any] = (await get_ok(client, url)).json()
        cursor = body["next_cursor"]
        if cursor is None:
            raise UnexpectedResponse(f"{path} has only {number} pages, not {page}")
        if number % 250 == 0:
            print(f"  ... walked {number} pages")
    if cursor is None:
        raise UnexpectedResponse("page 1 has no cursor; ask for page 1 without one")
    return cursor


async def throughput(
    client: httpx.AsyncClient,
    path_for: Callable[[random.Random], str],
    *,
    concurrency: int,
    duration_s: float,
    seed: int = 1,
) -> Throughput:
    """A closed loop: `concurrency` coroutines each send the next request when one completes."""
    deadline = time.perf_counter() + duration_s
    counts = [0] * concurrency

    async def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.perf_counter() < deadline:
            await get_ok(client, path_for(rng))
            counts[index] += 1

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(worker(index))
    return Throughput(requests=sum(counts), seconds=time.perf_counter() - started)
