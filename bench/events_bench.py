"""Events service benchmark, run by hand: search latency over a million events, the race for one
event's seats, and registration throughput against a minimal Starlette + asyncpg baseline
measured in the same run.

    .venv/bin/python bench/events_bench.py [--events 1000000] [--duration 10]

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
from events_database import (
    DATABASE,
    bench_engine,
    create_bench_events,
    delete_bench_events,
    prepare_database,
    registration_counts,
)
from load_measurements import Latencies, Throughput, get_ok, new_client, time_requests
from machine_load import MachineLoad
from registration_load import Answers, FreshEvents, latencies, race, registration_throughput
from server_processes import ServerProcess, start_uvicorn, wait_ready

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres

BENCH_DIR = Path(__file__).resolve().parent
SEARCHES = {
    "upcoming, no filter": "/v1/events",
    "near=48.85,2.35 radius 50 km": "/v1/events?near=48.85,2.35&radius_km=50",
    "subject=physics": "/v1/events?subject=physics",
    "language=fi": "/v1/events?language=fi",
    "near Helsinki 50 km + physics + fi": (
        "/v1/events?near=60.17,24.94&radius_km=50&subject=physics&language=fi"
    ),
}
# A search nothing matches: PostgreSQL may have to read every upcoming event to prove it.
EMPTY_SEARCH = (
    "near=48.85,2.35 + language=fi (no match)",
    "/v1/events?near=48.85,2.35&language=fi",
)
EMPTY_SEARCH_REQUESTS = 20
SEARCH_TARGET_MS = 50.0
# The race: one event, more teachers than places and waitlist places together.
RACE_CAPACITY, RACE_WAITLIST = 100, 200
# Throughput: each fresh event takes a third confirmed, a third waitlisted, a third refused,
# small enough that every run fills hundreds of events whatever its rate (see FreshEvents).
RUN_CAPACITY, RUN_WAITLIST, RUN_PER_EVENT = 10, 10, 30
RUN_MAX_RATE = 2000
"""Fresh events are made for this many requests per second; a faster server raises an error."""


@dataclass(frozen=True)
class Contender:
    """One side of the registration comparison: its server, a client, its URL for an event."""

    name: str
    server: ServerProcess
    client: httpx.AsyncClient
    path_template: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="synthetic events")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per search")
    parser.add_argument("--race", type=int, default=1000, help="teachers racing for one event")
    parser.add_argument("--in-flight", type=int, default=200, help="race requests open at once")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput run")
    parser.add_argument("--concurrency", type=int, default=16, help="throughput coroutines")
    # Trying a fix before it lands: point at a factory that wraps or patches the service.
    parser.add_argument("--service-app", help="module:factory instead of services.toml's app")
    parser.add_argument("--service-app-dir", type=Path, help="directory to import it from")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    return run_bench(
        "events",
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
    await prepare_database(postgres, service_dir, events=args.events)
    with tempfile.TemporaryDirectory(prefix="pdnet-bench-") as tmp:
        workdir = Path(tmp)
        issuer = DevIssuer(workdir / "issuer")
        issuer.ensure_keys()
        service_env = {
            "EVENTS_DATABASE_URL": postgres.url(DATABASE),
            "EVENTS_JWKS_FILE": str(issuer.jwks_path),
            "EVENTS_ENVIRONMENT": "production",
            "EVENTS_LOG_FORMAT": "json",
            "EVENTS_LOG_LEVEL": "WARNING",
            "EVENTS_RUN_WORKER": "false",
            # Searches and registrations never call the directory; a closed port proves it.
            "EVENTS_DIRECTORY_URL": "http://127.0.0.1:9",
        }
        baseline_env = {
            "BENCH_DATABASE_DSN": postgres.url(DATABASE, driver="postgresql"),
            "BENCH_JWKS_FILE": str(issuer.jwks_path),
        }
        service = start_uvicorn(
            "events", service_app, env=service_env, log_dir=workdir,
            app_dir=args.service_app_dir,
        )  # fmt: skip
        servers.append(service)
        baseline = start_uvicorn(
            "baseline", "minimal_registration_app:create_app", env=baseline_env,
            log_dir=workdir, app_dir=BENCH_DIR,
        )  # fmt: skip
        servers.append(baseline)
        await asyncio.gather(wait_ready(service, "/readyz"), wait_ready(baseline, "/readyz"))
        print(f"servers ready: {service_app} at {service.base_url}, baseline {baseline.base_url}")
        # Minting signs with the key on disk; done once here, outside every timed loop.
        tokens = [
            issuer.mint(subject=str(uuid.uuid4()), roles=["teacher"])
            for _ in range(max(args.race, RUN_PER_EVENT))
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
    # The bench's events would otherwise show up in the next run's searches.
    engine = bench_engine(postgres)
    try:
        await delete_bench_events(engine)
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
        for name, path in SEARCHES.items():
            items = len((await get_ok(ours, path)).json()["items"])
            print(f"search {name}: {items} items on page 1")
            timed = await time_requests(ours, [path], warmup=30, count=args.requests)
            rows.append(search_row(name, timed))
        name, path = EMPTY_SEARCH
        print(f"search {name}: {len((await get_ok(ours, path)).json()['items'])} items")
        # Fewer requests: each may take a second, and 20 are enough to see that.
        timed = await time_requests(ours, [path], warmup=2, count=EMPTY_SEARCH_REQUESTS)
        rows.append(search_row(name, timed))
        contenders = [
            Contender("ours", service, ours, "/v1/events/{}/registrations"),
            Contender("baseline", baseline, base, "/events/{}/registrations"),
        ]
        for contender in contenders:
            rows += await race_rows(args, postgres, contender, tokens[: args.race])
        rows += await throughput_rows(args, postgres, contenders, tokens[:RUN_PER_EVENT])
    return rows


def search_row(name: str, timed: Latencies) -> Row:
    print(f"  p50 {timed.p50:.1f} ms, p95 {timed.p95:.1f} ms, max {max(timed.samples_ms):.1f} ms")
    return Row(
        name=f"search {name}: p50 / p95",
        measured=f"{timed.p50:.1f} / {timed.p95:.1f} ms",
        target=f"p95 < {SEARCH_TARGET_MS:.0f} ms",
        passed=timed.p95 < SEARCH_TARGET_MS,
    )


async def race_rows(
    args: argparse.Namespace, postgres: EmbeddedPostgres, contender: Contender, tokens: list[str]
) -> list[Row]:
    """Everyone at once for one event: exact counts, every request answered, ranks 1..W."""
    engine = bench_engine(postgres)
    try:
        await delete_bench_events(engine)
        (event_id,) = await create_bench_events(
            engine, 1, capacity=RACE_CAPACITY, waitlist_capacity=RACE_WAITLIST
        )
        path = contender.path_template.format(event_id)
        answers, wall_s = await race(contender.client, path, tokens, in_flight=args.in_flight)
        stored = await registration_counts(engine, event_id)
    finally:
        await engine.dispose()
    full = len(tokens) - RACE_CAPACITY - RACE_WAITLIST
    expected = {"confirmed": RACE_CAPACITY, "waitlisted": RACE_WAITLIST, "full": full}
    ranks_ok = sorted(answers.waitlist_ranks) == list(range(1, RACE_WAITLIST + 1))
    stored_ok = stored == {
        "seats_taken": RACE_CAPACITY, "waitlist_count": RACE_WAITLIST,
        "confirmed": RACE_CAPACITY, "waitlisted": RACE_WAITLIST,
    }  # fmt: skip
    passed = dict(answers.outcomes) == expected and ranks_ok and stored_ok
    print(
        f"race on {contender.name}: {answers.summary()} in {wall_s:.2f} s; waitlist ranks "
        f"{'1..' + str(RACE_WAITLIST) if ranks_ok else 'WRONG'}; stored {stored}"
    )
    timed = latencies(answers)
    who = "" if contender.name == "ours" else f" ({contender.name})"
    return [
        Row(
            name=f"race{who}: {len(tokens)} POSTs, {RACE_CAPACITY} seats + {RACE_WAITLIST} "
            "waitlist",
            measured=f"{answers.outcomes['confirmed']} confirmed / "
            f"{answers.outcomes['waitlisted']} waitlisted / {answers.outcomes['full']} full, "
            f"{answers.unexpected} other",
            target=f"{RACE_CAPACITY} / {RACE_WAITLIST} / {full}, 0 other",
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
        names, run, what=f"register, {args.concurrency} concurrent, fresh events", label="register"
    )


async def one_run(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    contender: Contender,
    tokens: list[str],
    round_number: int,
) -> tuple[Throughput, float]:
    """A warm-up second then one timed run, on events nobody has registered for yet."""
    width = args.concurrency
    generations = math.ceil((args.duration + 1) * RUN_MAX_RATE / (width * RUN_PER_EVENT))
    engine = bench_engine(postgres)
    try:
        # Fresh events for each run: every run starts from the same empty tables.
        await delete_bench_events(engine)
        event_ids = await create_bench_events(
            engine, width * generations, capacity=RUN_CAPACITY, waitlist_capacity=RUN_WAITLIST
        )
    finally:
        await engine.dispose()
    fresh = FreshEvents(event_ids, tokens, width=width, per_event=RUN_PER_EVENT)

    async def loop(seconds: float) -> tuple[Throughput, Answers]:
        return await registration_throughput(
            contender.client, contender.path_template, fresh,
            concurrency=args.concurrency, duration_s=seconds,
        )  # fmt: skip

    await loop(1.0)
    cpu_before, client_before = contender.server.cpu_seconds(), time.process_time()
    result, answers = await loop(args.duration)
    cpu = contender.server.cpu_seconds() - cpu_before
    client_cpu = time.process_time() - client_before
    timed = latencies(answers)
    # The client's own CPU shows when it, not the server, is what limits req/s.
    print(
        f"  round {round_number} {contender.name}: {result.per_second:.0f} req/s "
        f"({answers.summary()}), p50 {timed.p50:.1f} ms, CPU per request "
        f"{cpu / result.requests * 1000:.2f} ms server, "
        f"{client_cpu / result.requests * 1000:.2f} ms client"
    )
    return result, cpu


if __name__ == "__main__":
    sys.exit(main())
