"""The gateway benchmark's query mix, the subgraph calls behind each query made directly, and the
client-side loops that time them. Every answer must be a 200 without errors, so a broken
gateway shows up as an error rather than as a fast number."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
from gateway_stack import Stack
from load_measurements import Latencies, UnexpectedResponse
from server_processes import ServerProcess

PORTAL_QUERY = """
query PortalPage($lat: Float!, $lon: Float!, $from: Date!, $to: Date!) {
  centres(filter: {near: {lat: $lat, lon: $lon, radiusKm: 200}}, first: 5) {
    nodes {
      id
      name
      distanceKm
      events(first: 3) { nodes { id title startsAt seatsAvailable } }
      kits(first: 3) { nodes { id name availability(from: $from, to: $to) { maxFree } } }
    }
  }
}
"""
BY_ID_QUERY = """
query EventById($id: ID!) {
  event(id: $id) { id title startsAt seatsAvailable hostCentre { name locality } }
}
"""
FREE_FROM, FREE_TO = "2027-03-01", "2027-03-07"

Payload = dict[str, Any]


def portal_request(lat: float, lon: float) -> Payload:
    variables = {"lat": lat, "lon": lon, "from": FREE_FROM, "to": FREE_TO}
    return {"query": PORTAL_QUERY, "variables": variables}


def by_id_request(event_id: str) -> Payload:
    return {"query": BY_ID_QUERY, "variables": {"id": event_id}}


@dataclass(frozen=True)
class Gateway:
    name: str
    server: ServerProcess
    client: httpx.AsyncClient

    async def ask(self, payload: Payload) -> dict[str, Any]:
        return await post_ok(self.client, f"{self.server.base_url}/graphql", payload)


async def post_ok(client: httpx.AsyncClient, url: str, payload: Payload) -> dict[str, Any]:
    response = await client.post(url, json=payload)
    if response.status_code != 200:
        raise UnexpectedResponse(f"POST {url}: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise UnexpectedResponse(f"POST {url}: errors {body['errors']}")
    return body


async def check_same_answers(gateways: list[Gateway], payloads: list[Payload]) -> None:
    """Before timing anything: every gateway gives Apollo's data for every request."""
    reference = next(g for g in gateways if g.name == "apollo")
    for payload in payloads:
        expected = (await reference.ask(payload))["data"]
        for gateway in gateways:
            got = (await gateway.ask(payload))["data"]
            if got != expected:
                raise UnexpectedResponse(
                    f"{gateway.name} answers {payload['variables']} differently from apollo:\n"
                    f"{got}\nvs\n{expected}"
                )
    print(f"all gateways gave the same data for {len(payloads)} requests")


@dataclass(frozen=True)
class SubgraphPlan:
    """The subgraph calls a query needs, made by the client itself: a first call, then the
    entity calls it feeds, in parallel. Its time is what a gateway with no cost would take."""

    first: tuple[str, str]
    """(subgraph URL, query) of the root call; it gets the request's variables."""
    then: list[tuple[str, str, str]]
    """(name, subgraph URL, `_entities` query) fed with the first call's centres or hosts."""
    first_name: str
    entities_at: tuple[str, ...]

    @property
    def call_names(self) -> list[str]:
        return [self.first_name, *(name for name, _, _ in self.then)]

    def describe(self) -> str:
        after = " ‖ ".join(name for name, _, _ in self.then)
        return f"{self.first_name} then {after}"

    @classmethod
    def portal(cls, stack: Stack) -> SubgraphPlan:
        root = """query($lat: Float!, $lon: Float!) {
          centres(filter: {near: {lat: $lat, lon: $lon, radiusKm: 200}}, first: 5) {
            nodes { __typename id name distanceKm } } }"""
        events = """query($representations: [_Any!]!) {
          _entities(representations: $representations) { ... on Centre {
            events(first: 3) { nodes { id title startsAt seatsAvailable } }
          } } }"""
        kits = """query($representations: [_Any!]!, $from: Date!, $to: Date!) {
          _entities(representations: $representations) { ... on Centre {
            kits(first: 3) { nodes { id name availability(from: $from, to: $to) { maxFree } } }
          } } }"""
        return cls(
            first=(stack.subgraph_url("directory"), root),
            first_name="directory centres",
            then=[
                ("events _entities", stack.subgraph_url("events"), events),
                ("resources _entities", stack.subgraph_url("resources"), kits),
            ],
            entities_at=("centres", "nodes"),
        )

    @classmethod
    def by_id(cls, stack: Stack) -> SubgraphPlan:
        root = """query($id: ID!) { event(id: $id) {
          id title startsAt seatsAvailable hostCentre { __typename id } } }"""
        hosts = """query($representations: [_Any!]!) {
          _entities(representations: $representations) { ... on Centre { name locality } } }"""
        return cls(
            first=(stack.subgraph_url("events"), root),
            first_name="events event",
            then=[("directory _entities", stack.subgraph_url("directory"), hosts)],
            entities_at=("event", "hostCentre"),
        )

    async def run(self, client: httpx.AsyncClient, payload: Payload) -> dict[str, float]:
        """Milliseconds per call and for the whole plan ("direct")."""
        started = time.perf_counter()
        url, query = self.first
        variables = payload["variables"]
        root_variables = {k: v for k, v in variables.items() if f"${k}" in query}
        body = await post_ok(client, url, {"query": query, "variables": root_variables})
        times = {self.first_name: (time.perf_counter() - started) * 1000}
        found: Any = body["data"]
        for step in self.entities_at:
            found = found[step]
        items = found if isinstance(found, list) else [found]
        representations = [{"__typename": "Centre", "id": item["id"]} for item in items]

        async def entity_call(name: str, url: str, query: str) -> None:
            call_started = time.perf_counter()
            extra = {k: v for k, v in variables.items() if f"${k}" in query}
            await post_ok(
                client, url,
                {"query": query, "variables": {"representations": representations, **extra}},
            )  # fmt: skip
            times[name] = (time.perf_counter() - call_started) * 1000

        await asyncio.gather(*(entity_call(*call) for call in self.then))
        times["direct"] = (time.perf_counter() - started) * 1000
        return times


async def time_interleaved(
    gateways: list[Gateway],
    payloads: list[Payload],
    plan: SubgraphPlan,
    *,
    warmup: int,
    count: int,
) -> dict[str, Latencies]:
    """Each gateway and the direct plan in turn, one request at a time, so drift in the
    machine's load hits all of them alike."""
    samples: dict[str, list[float]] = {}
    client = gateways[0].client
    for i in range(warmup + count):
        payload = payloads[i % len(payloads)]
        for gateway in gateways:
            started = time.perf_counter()
            await gateway.ask(payload)
            if i >= warmup:
                samples.setdefault(gateway.name, []).append((time.perf_counter() - started) * 1000)
        times = await plan.run(client, payload)
        if i >= warmup:
            for name, ms in times.items():
                samples.setdefault(name, []).append(ms)
    return {name: Latencies(values) for name, values in samples.items()}


async def closed_loop(
    gateway: Gateway, payloads: list[Payload], *, concurrency: int, duration_s: float
) -> tuple[int, float, list[float]]:
    """`concurrency` coroutines, each sending the next request when one completes:
    (requests, seconds, latency samples in ms)."""
    deadline = time.perf_counter() + duration_s
    samples: list[float] = []

    async def worker(index: int) -> None:
        position = index
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await gateway.ask(payloads[position % len(payloads)])
            samples.append((time.perf_counter() - started) * 1000)
            position += concurrency

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(worker(index))
    return len(samples), time.perf_counter() - started, samples
