"""Export memory benchmark, run by hand: the directory streams 100 000 centres as NDJSON and as
CSV with the same peak memory as about 1 000.

    .venv/bin/python bench/export_bench.py [--centres 100000]

Builds (or reuses) the directory benchmark's database, starts the real directory service as a
uvicorn child process, and streams `GET /v1/centres/export` once for a country holding about
1 000 centres and once for every centre. Before each export the server's peak RSS is reset
(`/proc/<pid>/clear_refs`), after it the new peak (`VmHWM`) is read, so each export's own peak
is measured in the process that served it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_database import DATABASE, bench_engine, prepare_database
from bench_driver import BENCH_DIR, Row, load_average, print_table, run_bench
from server_processes import ServerProcess, start_uvicorn, wait_ready
from sqlalchemy import text

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres

PEAK_RATIO_TARGET = 1.5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=100_000, help="synthetic centres")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    return run_bench(
        "directory",
        None,
        lambda postgres, service_dir, app, servers: run(args, postgres, service_dir, app, servers),
    )


def _status_kb(server: ServerProcess, field: str) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{server.process.pid}/status")


def _reset_peak(server: ServerProcess) -> None:
    # Writing 5 resets the process's peak RSS (VmHWM) to its current RSS (Linux 4.0+).
    Path(f"/proc/{server.process.pid}/clear_refs").write_text("5")


async def _country_near(postgres: EmbeddedPostgres, rows: int) -> tuple[str, int]:
    engine = bench_engine(postgres)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                text(
                    "SELECT country, count(*) FROM centres "
                    "WHERE status IN ('active', 'temporarily_closed') "
                    "GROUP BY country ORDER BY abs(count(*) - :rows) LIMIT 1"
                ),
                {"rows": rows},
            )
            country, count = result.one()
    finally:
        await engine.dispose()
    return str(country), int(count)


async def _export(
    client: httpx.AsyncClient, server: ServerProcess, params: dict[str, str]
) -> tuple[int, int, float, int]:
    """(rows, bytes, seconds, peak RSS in kB) of one streamed export."""
    _reset_peak(server)
    rows = size = 0
    started = time.perf_counter()
    async with client.stream("GET", "/v1/centres/export", params=params) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    if params.get("format") == "csv":
        rows -= 1  # the header
    return rows, size, seconds, _status_kb(server, "VmHWM")


async def run(
    args: argparse.Namespace,
    postgres: EmbeddedPostgres,
    service_dir: Path,
    service_app: str,
    servers: list[ServerProcess],
) -> None:
    started = time.perf_counter()
    await prepare_database(postgres, service_dir, centres=args.centres)
    country, _ = await _country_near(postgres, 1000)
    with tempfile.TemporaryDirectory(prefix="pdnet-bench-") as tmp:
        workdir = Path(tmp)
        issuer = DevIssuer(workdir / "issuer")
        issuer.ensure_keys()
        env = {
            "DIRECTORY_DATABASE_URL": postgres.url(DATABASE),
            "DIRECTORY_JWKS_FILE": str(issuer.jwks_path),
            "DIRECTORY_ENVIRONMENT": "production",
            "DIRECTORY_LOG_FORMAT": "json",
            "DIRECTORY_LOG_LEVEL": "WARNING",
        }
        service = start_uvicorn("directory", service_app, env=env, log_dir=workdir)
        servers.append(service)
        await wait_ready(service, "/readyz")
        print(f"setup took {time.perf_counter() - started:.0f} s; measuring")
        rows: list[Row] = []
        async with httpx.AsyncClient(base_url=service.base_url, timeout=600) as client:
            for fmt in ("ndjson", "csv"):
                await _export(client, service, {"format": fmt, "country": country})  # warm-up
                small = await _export(client, service, {"format": fmt, "country": country})
                large = await _export(client, service, {"format": fmt})
                ratio = large[3] / small[3]
                rows += [
                    Row(
                        name=f"{fmt}: {small[0]} centres ({country})",
                        measured=f"{small[1] / 1e6:.1f} MB in {small[2]:.1f} s, "
                        f"peak RSS {small[3] / 1024:.0f} MB",
                    ),
                    Row(
                        name=f"{fmt}: {large[0]} centres (all)",
                        measured=f"{large[1] / 1e6:.1f} MB in {large[2]:.1f} s "
                        f"({large[0] / large[2]:.0f} rows/s), peak RSS {large[3] / 1024:.0f} MB "
                        f"= {ratio:.2f}x",
                        target=f"peak <= {PEAK_RATIO_TARGET}x the small export's",
                        passed=ratio <= PEAK_RATIO_TARGET,
                    ),
                ]
        tail = service.log_tail()
        if tail:
            print(f"--- {service.name} log (last lines) ---\n{tail}")
    print_table(rows)
    print(f"total {time.perf_counter() - started:.0f} s, load average {load_average()} at the end")


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH_DIR))
    sys.exit(main())
