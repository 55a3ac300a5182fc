"""Directory service benchmark, run by hand: search latency, deep paging and centre-by-id
throughput against a minimal Starlette + asyncpg baseline measured in the same run.

    .venv/bin/python bench/directory_bench.py [--centres 100000] [--duration 10]

See bench/README.md for what is measured and why; the latest numbers are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from bench_database import (
    DATABASE,
    capture_centre_by_id,
    prepare_database,
    sample_centre_ids,
)
from bench_driver import (
    Row,
    cpu_jiffies,
    cpu_ms_per_request,
    is_ours,
    load_average,
    machine_usage,
    print_table,
    rate,
    run_bench,
)
from load_measurements import (
    Latencies,
    Throughput,
    cursor_of_page,
    get_ok,
    new_client,
    throughput,
    time_alternately,
    time_requests,
)
from machine_load import MachineLoad
from server_processes import ServerProcess, start_uvicorn, wait_ready

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres

BENCH_DIR = Path(__file__).resolve().parent
SEARCHES = {
    "search country=FR&subject=physics": "/v1/centres?country=FR&subject=physics&limit=50",
    "search q=enseignants": "/v1/centres?q=enseignants&limit=50",
}
# Capitals inside the synthetic data's country boxes, so each circle holds a realistic crowd.
NEAR_POINTS = ["48.85,2.35", "60.17,24.94", "52.52,13.40", "41.90,12.50", "59.33,18.07"]
LATENCY_TARGET_MS = 30.0
PAGE_RATIO_TARGET = 1.5
THROUGHPUT_RATIO_TARGET = 0.5


@dataclass(frozen=True)
class Contender:
    """One side of the by-id comparison: its server, a client, and how it spells the URL."""

    name: str
    server: ServerProcess
    client: httpx.AsyncClient
    prefix: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--centres", type=int, default=100_000, help="synthetic centres")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per latency")
    parser.add_argument("--page", type=int, default=1000, help="the deep page compared to page 1")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput run")
    parser.add_argument("--concurrency", type=int, default=16, help="throughput coroutines")
    # Trying a fix before it lands: point at a factory that wraps or patches the service.
    parser.add_argument("--service-app", help="module:factory instead of services.toml's app")
    parser.add_argument("--service-app-dir", type=Path, help="directory to import it from")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    return run_bench(
        "directory",
        args.service_app,
        lambda postgres, service_dir, app, servers: run(args, postgres, service_dir, app, servers),
    )


async def run(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    service_dir: Path,
    service_app: str,
    servers: list[ServerProcess],
) -> None:
    started = time.perf_counter()
    await prepare_database(postgres, service_dir, centres=args.centres)
    ids = await sample_centre_ids(postgres, 5000)
    with tempfile.TemporaryDirectory(prefix="pdnet-bench-") as tmp:
        workdir = Path(tmp)
        sql_file = workdir / "centre_by_id.json"
        (await capture_centre_by_id(postgres, ids[0])).write(sql_file)
        issuer = DevIssuer(workdir / "issuer")
        issuer.ensure_keys()
        service_env = {
            "DIRECTORY_DATABASE_URL": postgres.url(DATABASE),
            "DIRECTORY_JWKS_FILE": str(issuer.jwks_path),
            "DIRECTORY_ENVIRONMENT": "production",
            "DIRECTORY_LOG_FORMAT": "json",
            "DIRECTORY_LOG_LEVEL": "WARNING",
        }
        baseline_env = {
            "BENCH_DATABASE_DSN": postgres.url(DATABASE, driver="postgresql"),
            "BENCH_CENTRE_SQL_FILE": str(sql_file),
        }
        service = start_uvicorn(
            "directory", service_app, env=service_env, log_dir=workdir,
            app_dir=args.service_app_dir,
        )  # fmt: skip
        servers.append(service)
        baseline = start_uvicorn(
            "baseline", "minimal_centre_app:create_app", env=baseline_env, log_dir=workdir,
            app_dir=BENCH_DIR,
        )  # fmt: skip
        servers.append(baseline)
        await asyncio.gather(wait_ready(service, "/readyz"), wait_ready(baseline, "/readyz"))
        print(f"servers ready: {service_app} at {service.base_url}, baseline {baseline.base_url}")
        print(f"setup took {time.perf_counter() - started:.0f} s; measuring")
        jiffies = cpu_jiffies()
        others = MachineLoad(is_ours=lambda pid, cmdline: is_ours(pid, cmdline, servers, DATABASE))
        others.start()
        rows = await measure(args, service, baseline, ids)
        await others.stop()
        for server in (service, baseline):
            tail = server.log_tail()
            if tail:
                print(f"--- {server.name} log (last lines) ---\n{tail}")
    print_table(rows)
    print(f"total {time.perf_counter() - started:.0f} s, load average {load_average()} at the end")
    print(f"while measuring: {machine_usage(jiffies, cpu_jiffies())}; {others.summary()}")


async def measure(
    args: argparse.Namespace, service: ServerProcess, baseline: ServerProcess, ids: list[uuid.UUID]
) -> list[Row]:
    rows: list[Row] = []
    n, warmup = args.requests, 30
    async with (
        new_client(service.base_url, connections=args.concurrency) as ours,
        new_client(baseline.base_url, connections=args.concurrency) as base,
    ):
        await check_same_centre(ours, base, ids[1])
        for name, path in SEARCHES.items():
            items = len((await get_ok(ours, path)).json()["items"])
            print(f"{name}: {items} items per page")
            rows.append(
                latency_row(name, await time_requests(ours, [path], warmup=warmup, count=n))
            )
        near = [f"/v1/centres?near={p}&radius_km=50&limit=50" for p in NEAR_POINTS]
        counts = [len((await get_ok(ours, path)).json()["items"]) for path in near]
        print(f"near: {counts} items per page at {NEAR_POINTS}")
        rows.append(
            latency_row(
                f"near, radius 50 km ({len(near)} points)",
                await time_requests(ours, near, warmup=warmup, count=n),
            )
        )
        rows.append(await deep_page_row(ours, args.page, warmup=warmup, count=200))
        contenders = [
            Contender("ours", service, ours, "/v1/centres/"),
            Contender("baseline", baseline, base, "/centres/"),
        ]
        rows += await by_id_rows(args, contenders, ids, warmup=warmup)
    return rows


async def check_same_centre(
    ours: httpx.AsyncClient, base: httpx.AsyncClient, centre_id: uuid.UUID
) -> None:
    """The baseline must return the same row, or its speed compares nothing."""
    mine = (await get_ok(ours, f"/v1/centres/{centre_id}")).json()
    theirs = (await get_ok(base, f"/centres/{centre_id}")).json()
    if mine["id"] != theirs["id"] or mine["country"] != theirs["country"]:
        raise RuntimeError(f"baseline disagrees about centre {centre_id}: {mine} vs {theirs}")


def latency_row(name: str, latencies: Latencies) -> Row:
    return Row(
        name=f"{name}: p50 / p95",
        measured=f"{latencies.p50:.1f} / {latencies.p95:.1f} ms",
        target=f"p95 < {LATENCY_TARGET_MS:.0f} ms",
        passed=latencies.p95 < LATENCY_TARGET_MS,
    )


async def deep_page_row(client: httpx.AsyncClient, page: int, *, warmup: int, count: int) -> Row:
    listing = "/v1/centres?limit=50"
    print(f"walking cursors to page {page} of {listing}")
    cursor = await cursor_of_page(client, listing, page)
    first, deep = await time_alternately(
        client, listing, f"{listing}&after={cursor}", warmup=warmup, count=count
    )
    ratio = deep.p50 / first.p50
    return Row(
        name=f"listing page {page} vs page 1: p50",
        measured=f"{deep.p50:.1f} vs {first.p50:.1f} ms = {ratio:.2f}x",
        target=f"<= {PAGE_RATIO_TARGET}x",
        passed=ratio <= PAGE_RATIO_TARGET,
    )


async def by_id_rows(
    args: argparse.Namespace, contenders: list[Contender], ids: list[uuid.UUID], *, warmup: int
) -> list[Row]:
    texts = [str(i) for i in ids]
    # One at a time first: the fixed cost of a request, without any queueing.
    sequential = [
        await time_requests(
            c.client, [c.prefix + t for t in texts[:300]], warmup=warmup, count=args.requests
        )
        for c in contenders
    ]
    runs = await throughput_rounds(args, contenders, texts)
    ours, base = (runs[c.name] for c in contenders)  # contenders[0] is the service
    rates = [rate(ours), rate(base)]
    cpu_ms = [cpu_ms_per_request(ours), cpu_ms_per_request(base)]
    return [
        Row(
            name="GET centre by id, one at a time: p50",
            measured=f"{sequential[0].p50:.2f} vs baseline {sequential[1].p50:.2f} ms",
        ),
        Row(
            name="GET centre by id: server CPU per request",
            measured=f"{cpu_ms[0]:.2f} vs baseline {cpu_ms[1]:.2f} ms "
            f"= {cpu_ms[0] / cpu_ms[1]:.1f}x",
        ),
        Row(
            name=f"GET centre by id, {args.concurrency} concurrent: req/s",
            measured=f"{rates[0]:.0f} vs baseline {rates[1]:.0f} = {rates[0] / rates[1]:.2f}x",
            target=f">= {THROUGHPUT_RATIO_TARGET}x baseline",
            passed=rates[0] / rates[1] >= THROUGHPUT_RATIO_TARGET,
        ),
    ]


async def throughput_rounds(
    args: argparse.Namespace, contenders: list[Contender], texts: list[str]
) -> dict[str, list[tuple[Throughput, float]]]:
    """Two timed runs per contender, each with the server CPU seconds it used."""
    runs: dict[str, list[tuple[Throughput, float]]] = {c.name: [] for c in contenders}
    for round_number in (1, 2):
        # A-B then B-A: drift in the machine's load during the run cancels out over the pair.
        for c in contenders if round_number == 1 else contenders[::-1]:

            def path_for(rng: random.Random, prefix: str = c.prefix) -> str:
                return prefix + rng.choice(texts)

            await throughput(c.client, path_for, concurrency=args.concurrency, duration_s=1.0)
            cpu_before, client_before = c.server.cpu_seconds(), time.process_time()
            result = await throughput(
                c.client, path_for, concurrency=args.concurrency, duration_s=args.duration,
                seed=round_number,
            )  # fmt: skip
            cpu = c.server.cpu_seconds() - cpu_before
            client_cpu = time.process_time() - client_before
            runs[c.name].append((result, cpu))
            # The client's own CPU shows when it, not the server, is what limits req/s.
            print(
                f"  round {round_number} {c.name}: {result.per_second:.0f} req/s, CPU per request "
                f"{cpu / result.requests * 1000:.2f} ms server, "
                f"{client_cpu / result.requests * 1000:.2f} ms client"
            )
    return runs


if __name__ == "__main__":
    sys.exit(main())
