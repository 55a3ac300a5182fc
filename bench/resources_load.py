"""Client-side reservation load for the resources benchmark: the race for one kit's items, and
closed-loop reservation throughput over many fresh kits.

Every answer is classified (confirmed, refused, or anything else); anything else is an error the
bench reports, never a request that silently counts as done.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from load_measurements import Latencies, Throughput, UnexpectedResponse

_EXPECTED = ("confirmed", "refused")


@dataclass
class Answers:
    """What the server said, request by request."""

    outcomes: Counter[str] = field(default_factory=Counter)
    """confirmed (201) / refused (409 reservation-conflict) / `<status> <text>` otherwise."""
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def unexpected(self) -> int:
        return sum(n for name, n in self.outcomes.items() if name not in _EXPECTED)

    def summary(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in sorted(self.outcomes.items()))

    def latencies(self) -> Latencies:
        return Latencies(self.latencies_ms)


def classify(response: httpx.Response) -> str:
    if response.status_code == 201:
        return "confirmed" if response.json().get("status") == "confirmed" else "201 not confirmed"
    if response.status_code == 409:
        kind = str(response.json().get("type", ""))
        # The service's types are URNs ending in the slug; the baseline sends the bare slug.
        if kind.rsplit(":", 1)[-1] == "reservation-conflict":
            return "refused"
    return f"{response.status_code} {response.text[:80]}"


def reservation_body(quantity: int, starts_on: date, ends_on: date) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }


async def post_reservation(
    client: httpx.AsyncClient, path: str, token: str, body: dict[str, Any], answers: Answers
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        # A timeout or a dropped connection is an answer the client never got: count it.
        answers.outcomes[f"no answer ({type(exc).__name__})"] += 1
        return
    answers.latencies_ms.append((time.perf_counter() - started) * 1000)
    answers.outcomes[classify(response)] += 1


async def race(
    client: httpx.AsyncClient,
    path: str,
    attempts: Sequence[tuple[str, dict[str, Any]]],
    *,
    in_flight: int,
) -> tuple[Answers, float]:
    """Every (token, body) POSTed at once, at most `in_flight` open; (answers, wall seconds)."""
    answers = Answers()
    gate = asyncio.Semaphore(in_flight)

    async def one(token: str, body: dict[str, Any]) -> None:
        async with gate:
            await post_reservation(client, path, token, body, answers)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for token, body in attempts:
            group.create_task(one(token, body))
    return answers, time.perf_counter() - started


@dataclass
class FreshKits:
    """Hands out kits round-robin over `width` at a time, `per_kit` requests each, so that
    concurrent requests rarely wait for the same kit's ledger rows and every request finds the
    kit as full as in any other run, whatever the rate."""

    kit_ids: list[uuid.UUID]
    width: int
    per_kit: int
    issued: int = 0

    def next_kit(self) -> uuid.UUID:
        i = self.issued
        self.issued += 1
        generation, column = divmod(i, self.width * self.per_kit)
        index = generation * self.width + column % self.width
        if index >= len(self.kit_ids):
            raise UnexpectedResponse(f"ran out of fresh kits after {i} reservations")
        return self.kit_ids[index]


async def reservation_throughput(
    client: httpx.AsyncClient,
    path_template: str,
    kits: FreshKits,
    tokens: Sequence[str],
    body: dict[str, Any],
    *,
    concurrency: int,
    duration_s: float,
) -> tuple[Throughput, Answers]:
    """A closed loop: `concurrency` coroutines each POST the next reservation when one ends."""
    deadline = time.perf_counter() + duration_s
    answers = Answers()

    async def worker(index: int) -> None:
        while time.perf_counter() < deadline:
            path = path_template.format(kits.next_kit())
            await post_reservation(client, path, tokens[index % len(tokens)], body, answers)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(worker(index))
    seconds = time.perf_counter() - started
    if answers.unexpected:
        raise UnexpectedResponse(f"reservation throughput: {answers.summary()}")
    return Throughput(requests=sum(answers.outcomes.values()), seconds=seconds), answers
