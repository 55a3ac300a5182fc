"""Embedded PostgreSQL (the `pgserver` package) for `pdnet up` and the tests.

Real PostgreSQL 16 from PyPI: no root, no system packages, listening on a unix socket inside
its data folder. Production never uses this; it sets each service's `DATABASE_URL`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import asyncpg


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, *, stop_on_exit: bool = True) -> None:
        self.data_dir = data_dir
        self._stop_on_exit = stop_on_exit
        self._server: Any = None
        self.socket_dir = ""

    def start(self) -> None:
        import pgserver  # only the development and test environments install it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._forget_dead_holders()
        self._server = pgserver.get_server(
            self.data_dir, cleanup_mode="stop" if self._stop_on_exit else None
        )
        query = parse_qs(urlparse(self._server.get_uri()).query)
        self.socket_dir = query["host"][0]

    def _forget_dead_holders(self) -> None:
        """pgserver stops the server when its last holder exits; a holder killed with SIGKILL
        never deregisters, and the server would then never be stopped. Drop such holders."""
        holders = self.data_dir / ".handle_pids.json"
        try:
            pids = json.loads(holders.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and _is_running(pid)]
        if alive != pids:
            holders.write_text(json.dumps(alive))

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def url(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@/{database}?host={self.socket_dir}"

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(user="postgres", host=self.socket_dir, database="postgres")

    async def ensure_database(self, name: str) -> bool:
        """Create the database if missing; True when it was created."""
        conn = await self._admin()
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists:
                return False
            await conn.execute(f'CREATE DATABASE "{name}"')
            return True
        finally:
            await conn.close()

    async def drop_database(self, name: str) -> None:
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def recreate_database(self, name: str) -> None:
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
