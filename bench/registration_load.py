"""Client-side registration load for the events benchmark: the race for one event's seats, and
closed-loop registration throughput over many fresh events.

Every answer is classified (confirmed, waitlisted, full, or anything else); anything else is an
error the bench reports, never a request that silently counts as done.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from load_measurements import Latencies, Throughput, UnexpectedResponse


@dataclass
class Answers:
    """What the server said, request by request."""

    outcomes: Counter[str] = field(default_factory=Counter)
    """confirmed / waitlisted / full / `<status> <type>` for anything unexpected."""
    waitlist_ranks: list[int] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def unexpected(self) -> int:
        return sum(n for name, n in self.outcomes.items() if name not in _EXPECTED)

    def summary(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in sorted(self.outcomes.items()))


_EXPECTED = ("confirmed", "waitlisted", "full")


def classify(response: httpx.Response) -> tuple[str, int | None]:
    """(outcome, queue rank for the waitlisted)."""
    if response.status_code == 201:
        body = response.json()
        return str(body["status"]), body.get("waitlist_position")
    if response.status_code == 409:
        kind = str(response.json().get("type", ""))
        # The service's types are URNs ending in the slug (`urn:pdnet:problem:event-full`);
        # the baseline sends the bare slug.
        return ("full" if kind.rsplit(":", 1)[-1] == "event-full" else f"409 {kind}"), None
    return f"{response.status_code} {response.text[:80]}", None


async def post_registration(
    client: httpx.AsyncClient, path: str, token: str, answers: Answers
) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(path, json={}, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        # A timeout or a dropped connection is an answer the client never got: count it.
        answers.outcomes[f"no answer ({type(exc).__name__})"] += 1
        return
    answers.latencies_ms.append((time.perf_counter() - started) * 1000)
    outcome, rank = classify(response)
    answers.outcomes[outcome] += 1
    if rank is not None:
        answers.waitlist_ranks.append(rank)


async def race(
    client: httpx.AsyncClient, path: str, tokens: Sequence[str], *, in_flight: int
) -> tuple[Answers, float]:
    """One POST per token, all at once but at most `in_flight` open; (answers, wall seconds)."""
    answers = Answers()
    gate = asyncio.Semaphore(in_flight)

    async def one(token: str) -> None:
        async with gate:
            await post_registration(client, path, token, answers)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for token in tokens:
            group.create_task(one(token))
    return answers, time.perf_counter() - started


@dataclass
class FreshEvents:
    """Hands out (event, teacher) pairs so every teacher registers at most once per event.

    Requests go round-robin over `width` events at a time, so concurrent requests rarely wait
    for the same event's lock; each event takes `per_event` registrations before the next set of
    `width` events is used. With capacity C and waitlist W and `per_event` = C + W + F, the mix
    of confirmed / waitlisted / full stays the same whatever the request rate, which keeps two
    servers of very different speed comparable.
    """

    event_ids: list[uuid.UUID]
    tokens: list[str]
    width: int
    per_event: int
    issued: int = 0

    def next_request(self) -> tuple[uuid.UUID, str]:
        i = self.issued
        self.issued += 1
        generation, column = divmod(i, self.width * self.per_event)
        index = generation * self.width + column % self.width
        if index >= len(self.event_ids):
            raise UnexpectedResponse(
                f"ran out of fresh events after {i} registrations; create more per run"
            )
        return self.event_ids[index], self.tokens[column // self.width]


async def registration_throughput(
    client: httpx.AsyncClient,
    path_template: str,
    events: FreshEvents,
    *,
    concurrency: int,
    duration_s: float,
) -> tuple[Throughput, Answers]:
    """A closed loop: `concurrency` coroutines each POST the next registration when one ends."""
    deadline = time.perf_counter() + duration_s
    answers = Answers()

    async def worker() -> None:
        while time.perf_counter() < deadline:
            event_id, token = events.next_request()
            await post_registration(client, path_template.format(event_id), token, answers)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    seconds = time.perf_counter() - started
    if answers.unexpected:
        raise UnexpectedResponse(f"registration throughput: {answers.summary()}")
    return Throughput(requests=sum(answers.outcomes.values()), seconds=seconds), answers


def latencies(answers: Answers) -> Latencies:
    return Latencies(answers.latencies_ms)
