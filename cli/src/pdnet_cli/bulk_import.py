"""`pdnet import FILE`: upload a CSV or NDJSON file of centres, events or kits to its service.

The upload shows a progress bar on stderr; the service checks every row before it writes any,
so the command ends with either a count of what was created and updated, or the list of rows
that were rejected (with line numbers) and nothing changed.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report
from pdnet_cli.workspace import Workspace
from shared.dev_issuer import DevIssuer

KINDS = {"centres": "directory", "events": "events", "kits": "resources"}
MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}
CHUNK_BYTES = 64 * 1024
BAR_WIDTH = 30


def add_import(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "import",
        help="import centres, events or kits from a CSV or NDJSON file, all or nothing",
        description="Upload a file to the service that owns the kind of record. Every row is "
        "checked first: if any is wrong, nothing is imported and each bad row is listed.",
    )
    command.add_argument("file", type=Path, metavar="FILE")
    command.add_argument("--kind", choices=sorted(KINDS), required=True)
    command.add_argument(
        "--source",
        required=True,
        help="the system the rows come from (e.g. luma.fi); with each row's origin_id it "
        "identifies a record across imports",
    )
    command.add_argument(
        "--network", metavar="ID", help="for centres: the network importing them (required)"
    )
    command.add_argument("--format", choices=sorted(MEDIA_TYPES), help="default: from FILE's name")
    command.add_argument(
        "--service-url", metavar="URL", help="default: the local stack's service for the kind"
    )
    command.add_argument(
        "--token",
        help="bearer token or API key; default: a platform admin token from the local "
        "development issuer (what `pdnet up` accepts)",
    )
    command.add_argument(
        "--timeout", type=float, default=600.0, metavar="SECONDS", help="(%(default)s)"
    )


@dataclass(frozen=True)
class ImportRequest:
    file: Path
    kind: str
    source: str
    network: str | None
    fmt: str
    url: str
    token: str
    timeout_s: float


def build_request(workspace: Workspace, args: argparse.Namespace) -> ImportRequest:
    if not args.file.is_file():
        raise CommandError(f"{args.file} is not a file")
    fmt = args.format or EXTENSIONS.get(args.file.suffix.lower())
    if fmt is None:
        raise CommandError(f"cannot tell the format of {args.file.name}; give --format csv|ndjson")
    if args.kind == "centres":
        if not args.network:
            raise CommandError("centres are imported into a network: give --network ID")
        try:
            uuid.UUID(args.network)
        except ValueError:
            raise CommandError(f"--network {args.network!r} is not a UUID") from None
    service = KINDS[args.kind]
    base = args.service_url or f"http://127.0.0.1:{workspace.services(service)[0].port}"
    return ImportRequest(
        file=args.file,
        kind=args.kind,
        source=args.source,
        network=args.network,
        fmt=fmt,
        url=f"{base.rstrip('/')}/v1/{args.kind}/import",
        token=args.token or _local_admin_token(workspace),
        timeout_s=args.timeout,
    )


def _local_admin_token(workspace: Workspace) -> str:
    issuer = DevIssuer(workspace.issuer_dir)
    issuer.ensure_keys()
    return issuer.mint(subject="pdnet-import", roles=("platform_admin",), ttl_s=3600)


class ProgressBar:
    """`[#####.....]  45%  1.2 of 2.6 MB` redrawn in place on a terminal; elsewhere (a log,
    a pipe) a line at every tenth so the output stays readable."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.interactive = stream.isatty()
        self.sent = 0
        self._last_tenth = -1

    def advance(self, size: int) -> None:
        self.sent += size
        fraction = min(self.sent / self.total, 1.0)
        filled = int(fraction * BAR_WIDTH)
        line = (
            f"uploading [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%}  "
            f"{self.sent / 1e6:.1f} of {self.total / 1e6:.1f} MB"
        )
        if self.interactive:
            self.stream.write("\r" + line)
            if self.sent >= self.total:
                self.stream.write("\n")
        elif int(fraction * 10) > self._last_tenth:
            self._last_tenth = int(fraction * 10)
            self.stream.write(line + "\n")
        self.stream.flush()


def _chunks(path: Path, bar: ProgressBar) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
            bar.advance(len(chunk))


def run_import(request: ImportRequest, *, stream: TextIO | None = None) -> int:
    size = request.file.stat().st_size
    params = {"source": request.source, **({"network": request.network} if request.network else {})}
    headers = {
        "Authorization": f"Bearer {request.token}",
        "Content-Type": MEDIA_TYPES[request.fmt],
        "Content-Length": str(size),
    }
    report(f"importing {request.kind} from {request.file} ({request.fmt}) to {request.url}")
    started = time.monotonic()
    bar = ProgressBar(size, stream or sys.stderr)
    try:
        with httpx.Client(timeout=httpx.Timeout(request.timeout_s, connect=10.0)) as client:
            response = client.post(
                request.url, params=params, headers=headers, content=_chunks(request.file, bar)
            )
    except httpx.TransportError as exc:
        raise CommandError(f"could not reach {request.url}: {exc}") from exc
    elapsed = time.monotonic() - started
    body = _json(response)
    if response.status_code == 200:
        report(
            f"imported {body.get('received')} {request.kind} from {request.source} in "
            f"{elapsed:.1f} s: {body.get('created')} created, {body.get('updated')} updated"
        )
        return 0
    if body.get("type") == "urn:pdnet:problem:import-rejected":
        rejected = body.get("rejected", [])
        report(
            f"nothing was imported: {len(rejected)} of {body.get('received')} rows rejected "
            "(fix them and import the whole file again)"
        )
        for row in rejected:
            report(f"  line {row.get('line')}: {row.get('reason')}")
        return 1
    title = body.get("title") or response.reason_phrase
    detail = body.get("detail")
    report(f"error: {response.status_code} {title}" + (f": {detail}" if detail else ""))
    return 1


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
