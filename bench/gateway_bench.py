"""Gateway benchmark, run by hand: our federation gateway against Apollo Gateway and Hive Gateway
on the same live subgraphs and the same supergraph, measured in one run, plus the subgraph calls
themselves, to see what the gateway adds.

    .venv/bin/python bench/gateway_bench.py [--duration 10] [--concurrency 16] [--requests 300]

See bench/README.md for what is measured and why; the latest numbers are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_driver import (
    BENCH_DIR,
    Row,
    cpu_jiffies,
    is_ours,
    load_average,
    machine_usage,
    print_table,
)
from gateway_load import (
    Gateway,
    SubgraphPlan,
    by_id_request,
    check_same_answers,
    closed_loop,
    portal_request,
    time_interleaved,
)
from gateway_stack import (
    Stack,
    compose,
    prepare_database,
    start_apollo,
    start_hive,
    start_ours,
    start_service,
)
from load_measurements import Latencies, new_client
from machine_load import MachineLoad
from server_processes import ServerProcess, stop, wait_ready

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres
from shared.stack import find_repo_root, load_stack

OVERHEAD_TARGET_MS = 5.0


@dataclass(frozen=True)
class Ids:
    events: list[str]
    points: list[tuple[float, float]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="timed sequential requests")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput run")
    parser.add_argument("--concurrency", type=int, default=16, help="throughput coroutines")
    parser.add_argument("--ours-app", default="gateway.main:create_app", help="module:factory")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    root = find_repo_root(BENCH_DIR)
    print(f"{load_average()} load average before start")
    postgres = EmbeddedPostgres(root / ".pdnet" / "bench-postgres")
    servers: list[ServerProcess] = []
    try:
        postgres.start()
        asyncio.run(run(args, root, postgres, servers))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            stop(server)
        postgres.stop()
    return 0


async def run(
    args: argparse.Namespace, root: Path, postgres: EmbeddedPostgres, servers: list[ServerProcess]
) -> None:
    started = time.perf_counter()
    specs = load_stack(root)
    with tempfile.TemporaryDirectory(prefix="pdnet-bench-") as tmp:
        workdir = Path(tmp)
        issuer = DevIssuer(workdir / "issuer")
        issuer.ensure_keys()
        print("databases (migrations and demo data):")
        urls = {spec.name: await prepare_database(postgres, spec) for spec in specs}
        services = {}
        for spec in specs:
            services[spec.name] = start_service(spec, urls[spec.name], issuer, specs, workdir)
            servers.append(services[spec.name])
        await asyncio.gather(*(wait_ready(s, "/readyz") for s in services.values()))
        stack = Stack(services, workdir / "supergraph.graphql")
        stack.supergraph_path.write_text(await compose(services, root / "tests" / "peers"))
        gateways = [
            start_ours(stack, issuer, workdir, args.ours_app),
            start_apollo(stack, root / "tests" / "peers", workdir),
            start_hive(stack, root / "bench" / "peers", workdir),
        ]
        servers.extend(gateways)
        await asyncio.gather(*(_wait_graphql(g) for g in gateways))
        print("ready: " + ", ".join(f"{s.name} {s.base_url}" for s in servers))
        print(f"setup took {time.perf_counter() - started:.0f} s; measuring")
        jiffies = cpu_jiffies()
        others = MachineLoad(
            is_ours=lambda pid, cmdline: is_ours(pid, cmdline, servers, "bench_gateway_")
        )
        others.start()
        try:
            rows = await measure(args, stack, gateways)
        finally:
            await others.stop()
            for server in servers:
                tail = server.log_tail(10)
                if tail.strip():
                    print(f"--- {server.name} log (last lines) ---\n{tail}")
    print_table(rows)
    print(f"total {time.perf_counter() - started:.0f} s, load average {load_average()} at the end")
    print(f"while measuring: {machine_usage(jiffies, cpu_jiffies())}; {others.summary()}")


async def _wait_graphql(server: ServerProcess) -> None:
    # Every gateway answers a GET of its GraphQL path once it serves (GraphiQL or a 400).
    deadline = time.monotonic() + 90
    async with new_client(server.base_url, connections=1) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
            try:
                response = await client.post("/graphql", json={"query": "{ __typename }"})
                if response.status_code == 200:
                    return
            except Exception:
                pass  # not listening yet
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{server.name} not ready after 90 s:\n{server.log_tail()}")


async def seeded_ids(stack: Stack) -> Ids:
    async with new_client("http://127.0.0.1", connections=2) as client:
        events = await client.post(
            stack.subgraph_url("events"), json={"query": "{ events(first: 200) { nodes { id } } }"}
        )
        centres = await client.post(
            stack.subgraph_url("directory"),
            json={"query": "{ centres(first: 200) { nodes { location { lat lon } } } }"},
        )
    return Ids(
        events=sorted(n["id"] for n in events.json()["data"]["events"]["nodes"]),
        points=sorted(
            (n["location"]["lat"], n["location"]["lon"])
            for n in centres.json()["data"]["centres"]["nodes"]
            if n["location"]
        ),
    )


async def measure(
    args: argparse.Namespace, stack: Stack, servers: list[ServerProcess]
) -> list[Row]:
    ids = await seeded_ids(stack)
    rng = random.Random(7)
    portal = [portal_request(*rng.choice(ids.points)) for _ in range(50)]
    by_id = [by_id_request(rng.choice(ids.events)) for _ in range(50)]
    async with new_client("http://127.0.0.1", connections=args.concurrency) as client:
        gateways = [Gateway(s.name, s, client) for s in servers]
        await check_same_answers(gateways, [*portal[:10], *by_id[:10]])
        plans = [SubgraphPlan.portal(stack), SubgraphPlan.by_id(stack)]
        rows: list[Row] = []
        named = zip(("portal page", "event by id"), (portal, by_id), plans, strict=True)
        for name, requests, plan in named:
            rows += await latency_rows(args, name, gateways, requests, plan)
        rows += await throughput_rows(args, gateways, portal, by_id)
    return rows


async def latency_rows(
    args: argparse.Namespace,
    name: str,
    gateways: list[Gateway],
    requests: list[dict[str, object]],
    plan: SubgraphPlan,
) -> list[Row]:
    """One request at a time, the gateways and the direct plan in turn."""
    timed = await time_interleaved(gateways, requests, plan, warmup=30, count=args.requests)
    direct: Latencies = timed["direct"]
    slowest = max(plan.call_names, key=lambda call: timed[call].p50)
    rows = [
        Row(
            name=f"{name}: subgraph calls made directly ({plan.describe()}): p50 / p95",
            measured=f"{direct.p50:.2f} / {direct.p95:.2f} ms; slowest call {slowest} "
            f"p50 {timed[slowest].p50:.2f} ms",
        )
    ]
    for gateway in gateways:
        latencies = timed[gateway.name]
        overhead = latencies.p50 - direct.p50
        is_target = gateway.name == "ours"
        rows.append(
            Row(
                name=f"{name}: {gateway.name}, one at a time: p50 / p95; p50 overhead",
                measured=f"{latencies.p50:.2f} / {latencies.p95:.2f} ms; +{overhead:.2f} ms",
                target=f"overhead < {OVERHEAD_TARGET_MS:.0f} ms" if is_target else "",
                passed=overhead < OVERHEAD_TARGET_MS if is_target else None,
            )
        )
    return rows


async def throughput_rows(
    args: argparse.Namespace,
    gateways: list[Gateway],
    portal: list[dict[str, object]],
    by_id: list[dict[str, object]],
) -> list[Row]:
    """Half portal pages, half by-id; A-B-C then C-B-A so drift in load cancels out."""
    mix = [request for pair in zip(portal, by_id, strict=True) for request in pair]
    results: dict[str, list[tuple[int, float, float, list[float]]]] = {g.name: [] for g in gateways}
    for round_number, order in ((1, gateways), (2, gateways[::-1])):
        for gateway in order:
            await closed_loop(gateway, mix, concurrency=args.concurrency, duration_s=1.0)
            cpu_before = gateway.server.cpu_seconds()
            count, seconds, samples = await closed_loop(
                gateway, mix, concurrency=args.concurrency, duration_s=args.duration
            )
            cpu = gateway.server.cpu_seconds() - cpu_before
            results[gateway.name].append((count, seconds, cpu, samples))
            timed = Latencies(samples)
            print(
                f"  round {round_number} {gateway.name}: {count / seconds:.0f} req/s, "
                f"p50 {timed.p50:.1f} ms, p95 {timed.p95:.1f} ms, "
                f"server CPU {cpu / count * 1000:.2f} ms per request"
            )
    rates = {
        name: sum(r[0] for r in runs) / sum(r[1] for r in runs) for name, runs in results.items()
    }
    rows = []
    for name, runs in results.items():
        latencies = Latencies([s for run in runs for s in run[3]])
        cpu_ms = sum(r[2] for r in runs) / sum(r[0] for r in runs) * 1000
        is_ours = name == "ours"
        rows.append(
            Row(
                name=f"mix, {args.concurrency} concurrent: {name}: req/s; p50 / p95; CPU/req",
                measured=f"{rates[name]:.0f} req/s; {latencies.p50:.1f} / {latencies.p95:.1f} ms;"
                f" {cpu_ms:.2f} ms",
                target="≥ apollo req/s" if is_ours else "",
                passed=rates[name] >= rates["apollo"] if is_ours else None,
            )
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
