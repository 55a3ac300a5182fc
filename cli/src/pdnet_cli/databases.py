"""Where each service's database is: its `<PREFIX>DATABASE_URL`, or the embedded PostgreSQL.

The embedded server starts only when some service has no URL of its own, holds one database
per service named after it, and stops when the command ends.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report
from pdnet_cli.workspace import Workspace
from shared.embedded_postgres import EmbeddedPostgres
from shared.stack import ServiceSpec


def url_override(spec: ServiceSpec) -> str | None:
    return os.environ.get(f"{spec.env_prefix}DATABASE_URL") or None


@dataclass
class ServiceDatabases:
    urls: dict[str, str] = field(default_factory=dict)

    def url(self, spec: ServiceSpec) -> str:
        return self.urls[spec.name]


async def _start_embedded(workspace: Workspace) -> EmbeddedPostgres:
    report(f"starting PostgreSQL ({workspace.shown(workspace.postgres_dir)})…")
    postgres = EmbeddedPostgres(workspace.postgres_dir)
    try:
        # In a thread: initdb on the first run takes seconds, and a Ctrl-C must not wait for it.
        await asyncio.to_thread(postgres.start)
    except Exception as exc:
        log = workspace.postgres_dir / "log"
        raise CommandError(
            f"PostgreSQL did not start ({type(exc).__name__}: {exc}); its log is {log}"
        ) from exc
    return postgres


@asynccontextmanager
async def service_databases(
    workspace: Workspace, specs: Sequence[ServiceSpec]
) -> AsyncIterator[ServiceDatabases]:
    databases = ServiceDatabases()
    for spec in specs:
        override = url_override(spec)
        if override:
            report(f"{spec.name}: using {spec.env_prefix}DATABASE_URL from the environment")
            databases.urls[spec.name] = override
    embedded = [spec for spec in specs if spec.name not in databases.urls]
    if not embedded:
        yield databases
        return
    postgres = await _start_embedded(workspace)
    try:
        for spec in embedded:
            if await postgres.ensure_database(spec.database_name):
                report(f"created database {spec.database_name}")
            databases.urls[spec.name] = postgres.url(spec.database_name)
        yield databases
    finally:
        # Stops the server unless another pdnet command still uses it (pgserver counts them).
        postgres.stop()
