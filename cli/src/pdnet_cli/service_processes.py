"""One uvicorn child process per service: started, its log relayed, waited on, stopped.

Children run in their own session so a Ctrl-C reaches only `pdnet up`, which then stops them
in order instead of every process racing to shut down on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report

RECENT_LINES = 12
KEEP_ALIVE_S = 75
GRACEFUL_SHUTDOWN_S = 8
_MAX_LINE = 1 << 20


@dataclass(frozen=True)
class ProcessPlan:
    """What to run: a `module:factory` ASGI app on a port, with the env its settings read."""

    name: str
    app: str
    port: int
    env: dict[str, str]


def url_host(host: str) -> str:
    """The host to put in a URL: loopback for wildcard binds, brackets for IPv6."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


@dataclass
class ServiceProcess:
    plan: ProcessPlan
    host: str
    process: asyncio.subprocess.Process
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=RECENT_LINES))
    relay: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{url_host(self.host)}:{self.plan.port}"

    @classmethod
    async def start(cls, plan: ProcessPlan, *, host: str, cwd: Path) -> ServiceProcess:
        report(f"starting {plan.name} on :{plan.port}…")
        command = [sys.executable, "-m", "uvicorn", "--factory", plan.app]
        # The service logs one line per request itself, so uvicorn's access log would repeat it.
        command += ["--host", host, "--port", str(plan.port), "--no-access-log"]
        # Keep idle connections open longer than callers' pools keep them (httpx: 5 s), so a
        # caller never sends on a connection the server is closing at that very moment.
        command += ["--timeout-keep-alive", str(KEEP_ALIVE_S)]
        # On SIGTERM, requests in flight get this long to finish, inside `pdnet up`'s grace.
        command += ["--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_S)]
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            env={**os.environ, **plan.env, "PYTHONUNBUFFERED": "1"},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            limit=_MAX_LINE,
        )
        child = cls(plan, host, process)
        child.relay = asyncio.create_task(child._relay_output())
        return child

    async def _relay_output(self) -> None:
        """Prefix each log line with the service name and keep the last few for error reports."""
        assert self.process.stdout is not None
        prefix = f"{self.plan.name:<10}| "
        while True:
            try:
                raw = await self.process.stdout.readline()
            except ValueError:  # a line longer than the limit: drop it, keep relaying
                continue
            if not raw:
                return
            line = raw.decode(errors="replace").rstrip()
            self.recent.append(line)
            print(prefix + line, file=sys.stderr, flush=True)

    def last_lines(self) -> str:
        return "\n".join(f"    {line}" for line in self.recent) or "    (no output)"

    async def wait_ready(self, *, timeout_s: float) -> None:
        """Poll /readyz until it answers 200; fail with the child's last lines otherwise."""
        deadline = time.monotonic() + timeout_s
        last_answer = "no answer"
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    await self._drain()
                    raise CommandError(
                        f"{self.plan.name} exited with code {self.process.returncode} before it "
                        f"was ready; its last lines:\n{self.last_lines()}"
                    )
                try:
                    response = await client.get("/readyz")
                except httpx.HTTPError as exc:
                    last_answer = type(exc).__name__
                else:
                    if response.status_code == 200:
                        return
                    last_answer = f"{response.status_code} {response.text[:300]}"
                await asyncio.sleep(0.2)
        raise CommandError(
            f"{self.plan.name} was not ready on {self.base_url}/readyz after {timeout_s:.0f} s "
            f"(last answer: {last_answer}); its last lines:\n{self.last_lines()}"
        )

    async def _drain(self) -> None:
        """Let the relay print what the child wrote before exiting, so error reports are whole."""
        if self.relay is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.relay), timeout=2.0)

    async def stop(self, *, grace_s: float, force: asyncio.Event) -> None:
        """SIGTERM, then SIGKILL after the grace period or as soon as `force` is set."""
        if self.process.returncode is None:
            self._signal(signal.SIGTERM)
            waiting = asyncio.ensure_future(self.process.wait())
            forcing = asyncio.ensure_future(force.wait())
            await asyncio.wait({waiting, forcing}, timeout=grace_s, return_when="FIRST_COMPLETED")
            forcing.cancel()
            if self.process.returncode is None:
                report(f"{self.plan.name} did not stop in time; killing it")
                self._signal(signal.SIGKILL)
            await waiting
        await self._drain()

    def _signal(self, signum: int) -> None:
        # The child leads its own process group; signal the group so nothing it spawned lingers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


async def stop_all(children: list[ServiceProcess], *, grace_s: float, force: asyncio.Event) -> None:
    await asyncio.gather(*(child.stop(grace_s=grace_s, force=force) for child in children))
