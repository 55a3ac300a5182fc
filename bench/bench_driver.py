"""What every benchmark driver shares: starting and always stopping the embedded PostgreSQL and
the servers, the results table, and how busy the machine was while measuring."""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from load_measurements import Throughput
from server_processes import ServerProcess, stop

from shared.embedded_postgres import EmbeddedPostgres
from shared.stack import find_repo_root, load_stack

BENCH_DIR = Path(__file__).resolve().parent

BenchRun = Callable[[EmbeddedPostgres, Path, str, list[ServerProcess]], Coroutine[Any, Any, None]]
"""`run(postgres, service_dir, service_app, servers)`: appends every server it starts."""


@dataclass(frozen=True)
class Row:
    name: str
    measured: str
    target: str = ""
    passed: bool | None = None
    """None for rows shown for context only."""


def run_bench(service: str, service_app: str | None, run: BenchRun) -> int:
    """Runs one driver; whatever happens, the servers and then PostgreSQL are stopped."""
    root = find_repo_root(BENCH_DIR)
    spec = next(s for s in load_stack(root) if s.name == service)
    print(f"{platform.node()}: {os.cpu_count()} CPUs, load average {load_average()} before start")
    postgres = EmbeddedPostgres(root / ".pdnet" / "bench-postgres")
    servers: list[ServerProcess] = []
    # `kill` (SIGTERM) must clean up like Ctrl-C does; children run in their own sessions, so
    # nothing but this process stops them.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        postgres.start()
        asyncio.run(run(postgres, spec.path, service_app or spec.app, servers))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        # Children first: a service losing its database mid-shutdown only adds noise to its log.
        for server in servers:
            stop(server)
        postgres.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_jiffies() -> list[int]:
    """The machine-wide counters of /proc/stat: user nice system idle iowait irq softirq steal."""
    return [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]


def machine_usage(before: list[int], after: list[int]) -> str:
    # Busy and steal (time the hypervisor gave to other guests) say how quiet the run was.
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(delta) or 1
    busy = total - delta[3] - delta[4] - delta[7]
    return f"CPUs {busy / total:.0%} busy, {delta[7] / total:.0%} stolen by the hypervisor"


def is_ours(pid: int, cmdline: str, servers: list[ServerProcess], database: str) -> bool:
    """This run's processes, so the machine-load report counts only everybody else's."""
    # PostgreSQL backends name their database in the process title.
    return (
        pid == os.getpid()
        or any(server.process.pid == pid for server in servers)
        or database in cmdline
        or "bench-postgres" in cmdline
    )


def rate(runs: list[tuple[Throughput, float]]) -> float:
    return sum(t.requests for t, _ in runs) / sum(t.seconds for t, _ in runs)


def cpu_ms_per_request(runs: list[tuple[Throughput, float]]) -> float:
    return sum(cpu for _, cpu in runs) / sum(t.requests for t, _ in runs) * 1000


Run = tuple[Throughput, float]
"""One timed run: its throughput and the server CPU seconds it cost."""


async def paired_throughput_rows(
    names: tuple[str, str],
    one_run: Callable[[str, int], Coroutine[Any, Any, Run]],
    *,
    what: str,
    label: str,
) -> list[Row]:
    """Two rounds, A-B then B-A, so drift in the machine's load cancels out over the pair;
    `names[0]` is the service, `names[1]` the baseline. `one_run(name, round_number)`."""
    runs: dict[str, list[Run]] = {name: [] for name in names}
    for round_number in (1, 2):
        for name in names if round_number == 1 else names[::-1]:
            runs[name].append(await one_run(name, round_number))
    ours, base = (runs[name] for name in names)
    rates = [rate(ours), rate(base)]
    cpu_ms = [cpu_ms_per_request(ours), cpu_ms_per_request(base)]
    return [
        Row(
            name=f"{what}: req/s",
            measured=f"{rates[0]:.0f} vs baseline {rates[1]:.0f} = {rates[0] / rates[1]:.2f}x",
        ),
        Row(
            name=f"{label}: server CPU per request",
            measured=f"{cpu_ms[0]:.2f} vs baseline {cpu_ms[1]:.2f} ms "
            f"= {cpu_ms[0] / cpu_ms[1]:.1f}x",
        ),
    ]


def print_table(rows: list[Row]) -> None:
    header = Row("measurement", "measured", "target")
    widths = [
        max(len(getattr(r, f)) for r in [header, *rows]) for f in ("name", "measured", "target")
    ]

    def line(r: Row, verdict: str) -> str:
        cells = [c.ljust(w) for c, w in zip((r.name, r.measured, r.target), widths, strict=True)]
        return "  ".join([*cells, verdict])

    print()
    print(line(header, "result"))
    print("-" * (sum(widths) + 12))
    for r in rows:
        print(line(r, "" if r.passed is None else ("PASS" if r.passed else "FAIL")))
