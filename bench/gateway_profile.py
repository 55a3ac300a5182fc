"""Where our gateway spends its CPU, run by hand: the benchmark's services and supergraph, and
our gateway app in this process, called as ASGI directly (no client, no uvicorn) so that this
process's CPU time is the gateway's alone. Subgraph calls go over loopback to the services.

    .venv/bin/python bench/gateway_profile.py [--requests 300] [--profile] [--top 40]

Prints the gateway's CPU per request for the portal page and the event by id; with
`--profile`, the functions that cost the most (cProfile, sorted by own time and by total).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_driver import BENCH_DIR
from gateway_load import by_id_request, portal_request
from gateway_stack import Stack, compose, prepare_database, start_service
from server_processes import ServerProcess, stop, wait_ready

from shared.dev_issuer import DevIssuer
from shared.embedded_postgres import EmbeddedPostgres
from shared.stack import find_repo_root, load_stack


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per operation")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=40, help="functions listed per ordering")
    parser.add_argument("--dump", type=Path, help="also write the raw profile to this file")
    return parser.parse_args()


async def call(app: Any, body: bytes) -> tuple[int, bytes]:
    """One POST /graphql through the whole ASGI app, as uvicorn would call it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def lifespan(app: Any) -> tuple[asyncio.Task[None], asyncio.Queue[Any]]:
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    outbox: asyncio.Queue[Any] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.create_task(app({"type": "lifespan", "state": {}}, inbox.get, outbox.put))
    message = await outbox.get()
    if message["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"gateway did not start: {message}")
    return task, inbox


async def profile(args: argparse.Namespace, stack: Stack, issuer: DevIssuer) -> None:
    os.environ.update(
        {
            "GATEWAY_SUPERGRAPH_FILE": str(stack.supergraph_path),
            "GATEWAY_SERVICE_URLS": json.dumps({n: s.base_url for n, s in stack.services.items()}),
            "GATEWAY_JWKS_FILE": str(issuer.jwks_path),
            "GATEWAY_ENVIRONMENT": "production",
            "GATEWAY_LOG_FORMAT": "json",
            "GATEWAY_LOG_LEVEL": "WARNING",
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000000",
            "GATEWAY_RATE_LIMIT_BURST": "100000000",
        }
    )
    from gateway.main import create_app

    app = create_app()
    task, inbox = await lifespan(app)
    try:
        for _ in range(100):
            if app.state.gateway.registry.current is not None:
                break
            await asyncio.sleep(0.1)
        events = await _event_ids(stack)
        rng = random.Random(7)
        points = [(48.2, 16.37), (60.17, 24.94), (48.86, 2.35), (41.9, 12.5), (51.5, -0.13)]
        operations = {
            "portal page": [
                json.dumps(portal_request(*rng.choice(points))).encode() for _ in range(50)
            ],
            "event by id": [
                json.dumps(by_id_request(rng.choice(events))).encode() for _ in range(50)
            ],
        }
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        for name, bodies in operations.items():
            for body in bodies[:10]:
                status, answer = await call(app, body)
                if status != 200 or b'"errors"' in answer:
                    raise RuntimeError(f"{name}: {status} {answer[:300]!r}")
            cpu = time.process_time()
            wall = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            for index in range(args.requests):
                await call(app, bodies[index % len(bodies)])
            if profiler is not None:
                profiler.disable()
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            print(
                f"{name}: gateway CPU {cpu / args.requests * 1000:.2f} ms per request, "
                f"wall {wall / args.requests * 1000:.2f} ms"
            )
        if profiler is not None and args.dump is not None:
            profiler.dump_stats(args.dump)
        if profiler is not None:
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
                print(out.getvalue())
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await task


async def _event_ids(stack: Stack) -> list[str]:
    import httpx

    async with httpx.AsyncClient() as client:
        response = await client.post(
            stack.subgraph_url("events"), json={"query": "{ events(first: 200) { nodes { id } } }"}
        )
    return sorted(node["id"] for node in response.json()["data"]["events"]["nodes"])


async def run(args: argparse.Namespace, root: Path, postgres: EmbeddedPostgres) -> None:
    servers: list[ServerProcess] = []
    specs = load_stack(root)
    try:
        with tempfile.TemporaryDirectory(prefix="pdnet-profile-") as tmp:
            workdir = Path(tmp)
            issuer = DevIssuer(workdir / "issuer")
            issuer.ensure_keys()
            urls = {spec.name: await prepare_database(postgres, spec) for spec in specs}
            services = {}
            for spec in specs:
                services[spec.name] = start_service(spec, urls[spec.name], issuer, specs, workdir)
                servers.append(services[spec.name])
            await asyncio.gather(*(wait_ready(s, "/readyz") for s in services.values()))
            stack = Stack(services, workdir / "supergraph.graphql")
            stack.supergraph_path.write_text(await compose(services, root / "tests" / "peers"))
            await profile(args, stack, issuer)
    finally:
        for server in servers:
            stop(server)


def main() -> int:
    args = parse_args()
    root = find_repo_root(BENCH_DIR)
    postgres = EmbeddedPostgres(root / ".pdnet" / "bench-postgres")
    try:
        postgres.start()
        asyncio.run(run(args, root, postgres))
    except KeyboardInterrupt:
        return 130
    finally:
        postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
