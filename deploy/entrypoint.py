"""The image's entry point: one image runs every pdnet process, chosen by the command.

    serve <process>          run directory, events, exchange, resources or gateway under uvicorn
    migrate all|<service>... bring services' databases to their migrations' head (a Job)
    probe <process> [--live] exit 0 when the process answers /readyz (or /healthz) with 200

Ports and app factories come from services.toml, so a service added there is served and
migrated with no change here. Each service reads its own `<SERVICE>_*` environment variables.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

GATEWAY_APP = "gateway.main:create_app"
GATEWAY_PORT = 8000

KEEP_ALIVE_S = 75
"""Longer than the idle timeout of whatever pools connections in front (load balancers, ingress
controllers and httpx keep idle connections 60 s or less), so they close first, never us."""
GRACEFUL_SHUTDOWN_S = 25
"""In-flight requests get this long after SIGTERM; below the pods' termination grace period."""


@dataclass(frozen=True)
class Process:
    name: str
    app: str
    port: int


def repo_root() -> Path:
    return Path(os.environ.get("PDNET_ROOT", Path(__file__).resolve().parents[1]))


def processes() -> dict[str, Process]:
    from shared.stack import load_stack

    found = {spec.name: Process(spec.name, spec.app, spec.port) for spec in load_stack(repo_root())}
    found.setdefault("gateway", Process("gateway", GATEWAY_APP, GATEWAY_PORT))
    return found


def pick(name: str) -> Process:
    known = processes()
    if name not in known:
        raise SystemExit(f"unknown process {name!r}; choose one of: {', '.join(sorted(known))}")
    return known[name]


def uvicorn_command(process: Process) -> list[str]:
    port = os.environ.get("PDNET_PORT", str(process.port))
    host = os.environ.get("PDNET_HOST", "0.0.0.0")
    # The ingress or load balancer in front sets X-Forwarded-*; trust only the addresses given.
    forwarded_allow = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        process.app,
        "--host",
        host,
        "--port",
        port,
        "--timeout-keep-alive",
        str(KEEP_ALIVE_S),
        "--timeout-graceful-shutdown",
        str(GRACEFUL_SHUTDOWN_S),
        "--no-access-log",  # every process logs one JSON line per request itself
        "--no-server-header",
        "--proxy-headers",
        "--forwarded-allow-ips",
        forwarded_allow,
    ]


def serve(name: str, *, dry_run: bool) -> int:
    command = uvicorn_command(pick(name))
    if dry_run:
        print(" ".join(command))
        return 0
    os.execv(command[0], command)
    return 1  # not reached: execv replaces this process


def migrate(names: list[str]) -> int:
    from shared.stack import load_stack

    specs = {spec.name: spec for spec in load_stack(repo_root())}
    chosen = list(specs) if names == ["all"] else names
    unknown = [name for name in chosen if name not in specs]
    if unknown:
        raise SystemExit(f"unknown service(s) {unknown}; choose from: {', '.join(specs)}")
    missing = [
        f"{specs[name].env_prefix}DATABASE_URL"
        for name in chosen
        if not os.environ.get(f"{specs[name].env_prefix}DATABASE_URL")
    ]
    if missing:
        raise SystemExit(f"set {', '.join(missing)} to migrate")
    from alembic import command

    from shared.migrations import alembic_config

    for name in chosen:
        spec = specs[name]
        print(f"migrating {name}…", file=sys.stderr, flush=True)
        command.upgrade(alembic_config(spec.path), "head")
        print(f"{name}: at head", file=sys.stderr, flush=True)
    return 0


def probe(name: str, *, live: bool) -> int:
    process = pick(name)
    port = os.environ.get("PDNET_PORT", str(process.port))
    url = f"http://127.0.0.1:{port}/{'healthz' if live else 'readyz'}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pdnet-image", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="run one process under uvicorn")
    serving.add_argument("process")
    serving.add_argument("--dry-run", action="store_true", help="print the command only")
    migrating = commands.add_parser("migrate", help="run migrations to head")
    migrating.add_argument("services", nargs="+", help="service names, or `all`")
    probing = commands.add_parser("probe", help="health check for compose")
    probing.add_argument("process")
    probing.add_argument("--live", action="store_true", help="/healthz instead of /readyz")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.process, dry_run=args.dry_run)
    if args.command == "migrate":
        return migrate(args.services)
    return probe(args.process, live=args.live)


if __name__ == "__main__":
    sys.exit(main())
