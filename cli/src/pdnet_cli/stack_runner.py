"""`pdnet up`: PostgreSQL, migrations, demo data, every service; Ctrl-C stops them all.

Everything it starts is registered for stopping the moment it starts, so a failure or a
signal at any step leaves no process behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator, Mapping
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field

from pdnet_cli.database_setup import migrate_service, seed_service
from pdnet_cli.databases import ServiceDatabases, service_databases
from pdnet_cli.errors import CommandError
from pdnet_cli.gateway_process import GATEWAY_NAME, GATEWAY_PORT, gateway_plan, gateway_urls
from pdnet_cli.ports import taken_ports
from pdnet_cli.progress import report, warn
from pdnet_cli.service_processes import ProcessPlan, ServiceProcess, stop_all
from pdnet_cli.workspace import Workspace
from shared.dev_issuer import DevIssuer
from shared.stack import STACK_FILE, ServiceSpec

STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class UpOptions:
    host: str = "127.0.0.1"
    seed: bool = True
    ready_timeout_s: float = 60.0


@dataclass
class StopSignals:
    """Set by Ctrl-C, SIGTERM or SIGHUP; a second signal also sets `force` (kill, don't wait)."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)
    force: asyncio.Event = field(default_factory=asyncio.Event)

    def _received(self, signum: int) -> None:
        if self.stop.is_set():
            report("stopping now…")
            self.force.set()
            return
        report(f"\n{signal.Signals(signum).name} received; stopping…")
        self.stop.set()

    @contextmanager
    def installed(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        signums = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        for signum in signums:
            loop.add_signal_handler(signum, self._received, signum)
        try:
            yield
        finally:
            for signum in signums:
                loop.remove_signal_handler(signum)


def refuse_taken_ports(
    specs: list[ServiceSpec], host: str, also: Mapping[int, str] | None = None
) -> None:
    """Fail before starting anything, naming each taken port and its service (or `also`)."""
    by_port: dict[int, str] = dict(also or {})
    for spec in specs:
        if spec.port in by_port:
            raise CommandError(
                f"{STACK_FILE} gives port {spec.port} to both {by_port[spec.port]} and {spec.name}"
            )
        by_port[spec.port] = spec.name
    taken = taken_ports(host, by_port)
    if taken:
        lines = [f"port {port} on {host} ({by_port[port]}) is already in use" for port in taken]
        raise CommandError(
            "\n".join(lines) + "\nanother `pdnet up` may be running: stop it, or free the port "
            f"(`ss -ltnp 'sport = :{taken[0]}'` shows which process holds it)"
        )


def process_plan(spec: ServiceSpec, database_url: str, issuer: DevIssuer) -> ProcessPlan:
    """The service's settings as env vars; ones the user already set in the environment win."""
    defaults = {
        "DATABASE_URL": database_url,
        "JWKS_FILE": str(issuer.jwks_path),
        "ENVIRONMENT": "development",
        "LOG_FORMAT": "console",
    }
    env = {
        spec.env_prefix + key: os.environ.get(spec.env_prefix + key, value)
        for key, value in defaults.items()
    }
    return ProcessPlan(name=spec.name, app=spec.app, port=spec.port, env=env)


async def _prepare_databases(
    specs: list[ServiceSpec], databases: ServiceDatabases, options: UpOptions
) -> None:
    for spec in specs:
        await migrate_service(spec, databases.url(spec))
    if not options.seed:
        report("not loading demo data (--no-seed)")
        return
    for spec in specs:
        # A service without working demo data still starts; the warning says how to dig in.
        try:
            summary = await seed_service(spec, databases.url(spec))
        except CommandError as exc:
            warn(f"{exc}; {spec.name} starts without demo data")
        except Exception as exc:
            warn(
                f"seeding {spec.name} failed ({type(exc).__name__}: {exc}); it starts without "
                f"demo data, and `./pdnet seed --service {spec.name}` shows the traceback"
            )
        else:
            report(f"seeding {spec.name}: {summary}")


async def _start_group(
    plans: list[ProcessPlan],
    children: list[ServiceProcess],
    workspace: Workspace,
    options: UpOptions,
) -> None:
    """Start the group at once (imports overlap), then wait until every member is ready."""
    group = []
    for plan in plans:
        child = await ServiceProcess.start(plan, host=options.host, cwd=workspace.root)
        children.append(child)
        group.append(child)
    for child in group:
        await child.wait_ready(timeout_s=options.ready_timeout_s)
        report(f"{child.plan.name} is ready")


async def _start_stack(
    workspace: Workspace,
    specs: list[ServiceSpec],
    options: UpOptions,
    running: AsyncExitStack,
    signals: StopSignals,
) -> list[ServiceProcess]:
    issuer = DevIssuer(workspace.issuer_dir)
    issuer.ensure_keys()
    databases = await running.enter_async_context(service_databases(workspace, specs))
    await _prepare_databases(specs, databases, options)
    children: list[ServiceProcess] = []
    # Pushed after PostgreSQL, so on the way out the services stop before their database.
    running.push_async_callback(_stop_children, children, signals)
    plans = [process_plan(spec, databases.url(spec), issuer) for spec in specs]
    await _start_group(plans, children, workspace, options)
    # A second group: the gateway composes the services' schemas at start-up, so it starts
    # once they are ready, and is ready itself when its supergraph is loaded.
    await _start_group([gateway_plan(options.host, issuer)], children, workspace, options)
    return children


async def _stop_children(children: list[ServiceProcess], signals: StopSignals) -> None:
    if children:
        report("stopping services…")
    await stop_all(children, grace_s=STOP_GRACE_S, force=signals.force)


async def _finished_before_stop(
    startup: asyncio.Task[list[ServiceProcess]], stop: asyncio.Event
) -> bool:
    """Wait for start-up; False (and start-up cancelled) if a stop signal came first."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({startup, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if startup.done():
        startup.result()
        return True
    startup.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await startup
    return False


async def _supervise(children: list[ServiceProcess], stop: asyncio.Event) -> int:
    """Run until a stop signal (exit 0) or until a child dies on its own (exit 1)."""
    exits = {asyncio.ensure_future(child.process.wait()): child for child in children}
    stopping = asyncio.ensure_future(stop.wait())
    done, pending = await asyncio.wait({stopping, *exits}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    dead = [exits[task] for task in done if task in exits]
    if not dead:
        return 0
    child = dead[0]
    report(
        f"{child.plan.name} exited unexpectedly with code {child.process.returncode}; "
        "stopping the rest"
    )
    return 1


def _print_urls(children: list[ServiceProcess]) -> None:
    width = max(len(child.plan.name) for child in children)
    print("pdnet is up:")
    # The gateway first: it is the one address clients need.
    for child in sorted(children, key=lambda child: child.plan.name != GATEWAY_NAME):
        base = child.base_url
        if child.plan.name == GATEWAY_NAME:
            for line in gateway_urls(base):
                print(f"  {child.plan.name:<{width}}  {line}")
            continue
        print(f"  {child.plan.name:<{width}}  {base}/docs  {base}/graphql")
    print("a bearer token for calls that need one:  ./pdnet token --role platform_admin")
    print("Ctrl-C stops everything.", flush=True)


def run_up(workspace: Workspace, options: UpOptions) -> int:
    specs = workspace.services()
    if not specs:
        raise CommandError(f"{STACK_FILE} lists no services")
    refuse_taken_ports(specs, options.host, also={GATEWAY_PORT: GATEWAY_NAME})
    return asyncio.run(_run_stack(workspace, specs, options))


async def _run_stack(workspace: Workspace, specs: list[ServiceSpec], options: UpOptions) -> int:
    signals = StopSignals()
    with signals.installed():
        async with AsyncExitStack() as running:
            startup = asyncio.create_task(_start_stack(workspace, specs, options, running, signals))
            if await _finished_before_stop(startup, signals.stop):
                children = startup.result()
                _print_urls(children)
                code = await _supervise(children, signals.stop)
            else:
                code = 0
        report("stopped.")
        return code
