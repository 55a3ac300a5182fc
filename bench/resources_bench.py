"""Resources service benchmark, run by hand: "kits free this week within 50 km" over 10 000 kits
and 200 000 reservations, 500 teachers racing for one kit's 5 items, and reservation throughput
against a minimal Starlette + asyncpg baseline measured in the same run.

    .venv/bin/python bench/resources_bench.py [--kits 10000] [--reservations 200000]

See bench/README.md for what is measured and why; the latest numbers are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from bench_driver import (
    Row,
    Run,
    cpu_jiffies,
    is_ours,
    load_average,
    machine_usage,
    paired_throughput_rows,
    print_table,
    run_bench,
)
from load_measurements import Latencies, Throughput, get_ok, new_client, time_requests
from machine_load import MachineLoad
from resources_database import (
    DATABASE,
    bench_engine,
    create_bench_kits,
    delete_bench_kits,
    explain_kit_search,
    prepare_database,
    stored_reservations,
    week_from,
)
from resources_load import Answers, FreshKits, race, reservation_body, reservation_throughput
from server_processes import ServerProcess, start_uvicorn, wait_ready

from shared.clock import utcnow
from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres

BENCH_DIR = Path(__file__).resolve().parent
# (name, lat, lon): the searches cycle through these.
SEARCH_POINTS = [
    ("Paris", 48.857, 2.352),
    ("Berlin", 52.52, 13.405),
    ("Helsinki", 60.17, 24.938),
    ("Madrid", 40.417, -3.704),
    ("Lyon", 45.764, 4.836),
]
SEARCH_RADIUS_KM = 50.0
SEARCH_TARGET_MS = 50.0
RACE_QUANTITY = 5
# Throughput: each fresh kit of RUN_QUANTITY items takes RUN_PER_KIT one-item reservations of
# the same week, so every request is a 201 whatever the rate (the race covers refusals).
RUN_QUANTITY = RUN_PER_KIT = 5
RUN_MAX_RATE = 1500
"""Fresh kits are made for this many requests per second; a faster server raises an error."""


@dataclass(frozen=True)
class Contender:
    """One side of the reservation comparison: its server, a client, its URL for a kit."""

    name: str
    server: ServerProcess
    client: httpx.AsyncClient
    path_template: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kits", type=int, default=10_000, help="synthetic kits")
    parser.add_argument("--reservations", type=int, default=200_000, help="their reservations")
    parser.add_argument("--requests", type=int, default=300, help="timed search requests")
    parser.add_argument("--race", type=int, default=500, help="teachers racing for one kit")
    parser.add_argument("--in-flight", type=int, default=500, help="race requests open at once")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput run")
    parser.add_argument("--concurrency", type=int, default=16, help="throughput coroutines")
    # Trying a fix before it lands: point at a factory that wraps or patches the service.
    parser.add_argument("--service-app", help="module:factory instead of services.toml's app")
    parser.add_argument("--service-app-dir", type=Path, help="directory to import it from")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    return run_bench(
        "resources",
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
    await prepare_database(postgres, service_dir, kits=args.kits, reservations=args.reservations)
    with tempfile.TemporaryDirectory(prefix="pdnet-bench-") as tmp:
        workdir = Path(tmp)
        issuer = DevIssuer(workdir / "issuer")
        issuer.ensure_keys()
        service_env = {
            "RESOURCES_DATABASE_URL": postgres.url(DATABASE),
            "RESOURCES_JWKS_FILE": str(issuer.jwks_path),
            "RESOURCES_ENVIRONMENT": "production",
            "RESOURCES_LOG_FORMAT": "json",
            "RESOURCES_LOG_LEVEL": "WARNING",
            "RESOURCES_RUN_WORKER": "false",
            # Searches and a teacher's own reservations never call the peers; closed ports
            # prove it.
            "RESOURCES_DIRECTORY_URL": "http://127.0.0.1:9",
            "RESOURCES_EVENTS_URL": "http://127.0.0.1:9",
        }
        baseline_env = {
            "BENCH_DATABASE_DSN": postgres.url(DATABASE, driver="postgresql"),
            "BENCH_JWKS_FILE": str(issuer.jwks_path),
        }
        service = start_uvicorn(
            "resources", service_app, env=service_env, log_dir=workdir,
            app_dir=args.service_app_dir,
        )  # fmt: skip
        servers.append(service)
        baseline = start_uvicorn(
            "baseline", "resources_minimal_app:create_app", env=baseline_env,
            log_dir=workdir, app_dir=BENCH_DIR,
        )  # fmt: skip
        servers.append(baseline)
        await asyncio.gather(wait_ready(service, "/readyz"), wait_ready(baseline, "/readyz"))
        print(f"servers ready: {service_app} at {service.base_url}, baseline {baseline.base_url}")
        # Minting signs with the key on disk; done once here, outside every timed loop.
        tokens = [
            issuer.mint(subject=str(uuid.uuid4()), roles=["teacher"])
            for _ in range(max(args.race, args.concurrency))
        ]
        print(f"setup took {time.perf_counter() - started:.0f} s; measuring")
        jiffies = cpu_jiffies()
        others = MachineLoad(is_ours=lambda pid, cmdline: is_ours(pid, cmdline, servers, DATABASE))
        others.start()
        try:
            rows = await measure(args, postgres, service, baseline, tokens)
        finally:
            await others.stop()
            await _clean_up(postgres)
            for server in (service, baseline):
                tail = server.log_tail()
                if tail:
                    print(f"--- {server.name} log (last lines) ---\n{tail}")
    print_table(rows)
    print(f"total {time.perf_counter() - started:.0f} s, load average {load_average()} at the end")
    print(f"while measuring: {machine_usage(jiffies, cpu_jiffies())}; {others.summary()}")


async def _clean_up(postgres: EmbeddedPostgres) -> None:
    # The bench's kits would otherwise count as synthetic ones in the next run.
    engine = bench_engine(postgres)
    try:
        await delete_bench_kits(engine)
    finally:
        await engine.dispose()


async def measure(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    service: ServerProcess,
    baseline: ServerProcess,
    tokens: list[str],
) -> list[Row]:
    rows: list[Row] = []
    async with (
        new_client(service.base_url, connections=args.in_flight) as ours,
        new_client(baseline.base_url, connections=args.in_flight) as base,
    ):
        rows.append(await search_row(args, postgres, ours))
        contenders = [
            Contender("ours", service, ours, "/v1/kits/{}/reservations"),
            Contender("baseline", baseline, base, "/kits/{}/reservations"),
        ]
        for contender in contenders:
            rows += await race_rows(args, postgres, contender, tokens[: args.race])
        rows += await throughput_rows(args, postgres, contenders, tokens[: args.concurrency])
    return rows


async def search_row(
    args: argparse.Namespace, postgres: EmbeddedPostgres, client: httpx.AsyncClient
) -> Row:
    week = week_from(utcnow().date())
    paths = [
        f"/v1/kits?available_from={week[0]}&available_to={week[1]}&near={lat},{lon}"
        f"&radius_km={SEARCH_RADIUS_KM:g}"
        for _, lat, lon in SEARCH_POINTS
    ]
    for (name, _, _), path in zip(SEARCH_POINTS, paths, strict=True):
        body = (await get_ok(client, path)).json()
        more = " (more pages)" if body["next_cursor"] else ""
        print(f"free {week[0]}..{week[1]} within 50 km of {name}: {len(body['items'])}{more}")
    timed = await time_requests(client, paths, warmup=30, count=args.requests)
    print(f"  p50 {timed.p50:.1f} ms, p95 {timed.p95:.1f} ms, max {max(timed.samples_ms):.1f} ms")
    _, lat, lon = SEARCH_POINTS[0]
    plan = await explain_kit_search(postgres, near=(lat, lon, SEARCH_RADIUS_KM), week=week)
    print(f"EXPLAIN (ANALYZE, BUFFERS) of the search near {SEARCH_POINTS[0][0]}:")
    print("\n".join(f"  {line}" for line in plan))
    return Row(
        name=f"kits free this week within {SEARCH_RADIUS_KM:g} km, {len(paths)} cities: p50 / p95",
        measured=f"{timed.p50:.1f} / {timed.p95:.1f} ms",
        target=f"p95 < {SEARCH_TARGET_MS:.0f} ms",
        passed=timed.p95 < SEARCH_TARGET_MS,
    )


async def race_rows(
    args: argparse.Namespace, postgres: EmbeddedPostgres, contender: Contender, tokens: list[str]
) -> list[Row]:
    """Everyone at once for one kit's items, over date ranges that all share one day."""
    engine = bench_engine(postgres)
    first = utcnow().date() + timedelta(days=30)
    # Starts on days 0-3, ends on days 3-6: every range holds day 3, so exactly RACE_QUANTITY
    # one-item reservations fit, whichever arrive first.
    attempts = [
        (
            token,
            reservation_body(1, first + timedelta(days=n % 4), first + timedelta(days=3 + n % 4)),
        )
        for n, token in enumerate(tokens)
    ]
    try:
        await delete_bench_kits(engine)
        (kit_id,) = await create_bench_kits(engine, 1, quantity=RACE_QUANTITY)
        path = contender.path_template.format(kit_id)
        answers, wall_s = await race(contender.client, path, attempts, in_flight=args.in_flight)
        stored = await stored_reservations(engine, kit_id)
    finally:
        await engine.dispose()
    refused = len(tokens) - RACE_QUANTITY
    expected = {"confirmed": RACE_QUANTITY, "refused": refused}
    stored_ok = stored == {
        "reservations": RACE_QUANTITY, "items": RACE_QUANTITY, "fullest_day": RACE_QUANTITY
    }  # fmt: skip
    passed = dict(answers.outcomes) == expected and stored_ok
    print(f"race on {contender.name}: {answers.summary()} in {wall_s:.2f} s; stored {stored}")
    timed = answers.latencies()
    who = "" if contender.name == "ours" else f" ({contender.name})"
    return [
        Row(
            name=f"race{who}: {len(tokens)} POSTs for {RACE_QUANTITY} items",
            measured=f"{answers.outcomes['confirmed']} × 201 / {answers.outcomes['refused']} "
            f"× 409, {answers.unexpected} other; stored {stored['reservations']}",
            target=f"{RACE_QUANTITY} / {refused}, 0 other; stored {RACE_QUANTITY}",
            passed=passed,
        ),
        Row(
            name=f"race{who}: wall time; p50 / p95 per request",
            measured=f"{wall_s:.2f} s; {timed.p50:.0f} / {timed.p95:.0f} ms",
        ),
    ]


async def throughput_rows(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    contenders: list[Contender],
    tokens: list[str],
) -> list[Row]:
    by_name = {c.name: c for c in contenders}

    async def run(name: str, round_number: int) -> Run:
        return await one_run(args, postgres, by_name[name], tokens, round_number)

    # contenders[0] is the service, contenders[1] the baseline.
    names = (contenders[0].name, contenders[1].name)
    return await paired_throughput_rows(
        names, run, what=f"reserve, {args.concurrency} concurrent, fresh kits", label="reserve"
    )


async def one_run(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    contender: Contender,
    tokens: list[str],
    round_number: int,
) -> tuple[Throughput, float]:
    """A warm-up second then one timed run, on kits nobody has reserved yet."""
    width = args.concurrency
    generations = math.ceil((args.duration + 1) * RUN_MAX_RATE / (width * RUN_PER_KIT))
    engine = bench_engine(postgres)
    try:
        # Fresh kits for each run: every run starts from the same empty ledger.
        await delete_bench_kits(engine)
        kit_ids = await create_bench_kits(engine, width * generations, quantity=RUN_QUANTITY)
    finally:
        await engine.dispose()
    fresh = FreshKits(kit_ids, width=width, per_kit=RUN_PER_KIT)
    starts_on = utcnow().date() + timedelta(days=60)
    body = reservation_body(1, starts_on, starts_on + timedelta(days=6))

    async def loop(seconds: float) -> tuple[Throughput, Answers]:
        return await reservation_throughput(
            contender.client, contender.path_template, fresh, tokens, body,
            concurrency=args.concurrency, duration_s=seconds,
        )  # fmt: skip

    await loop(1.0)
    cpu_before, client_before = contender.server.cpu_seconds(), time.process_time()
    result, answers = await loop(args.duration)
    cpu = contender.server.cpu_seconds() - cpu_before
    client_cpu = time.process_time() - client_before
    timed: Latencies = answers.latencies()
    # The client's own CPU shows when it, not the server, is what limits req/s.
    print(
        f"  round {round_number} {contender.name}: {result.per_second:.0f} req/s "
        f"({answers.summary()}), p50 {timed.p50:.1f} ms, p95 {timed.p95:.1f} ms, CPU per "
        f"request {cpu / result.requests * 1000:.2f} ms server, "
        f"{client_cpu / result.requests * 1000:.2f} ms client"
    )
    return result, cpu


if __name__ == "__main__":
    sys.exit(main())
