"""The `pdnet` command: run the stack locally, migrate, seed, mint development tokens, test."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
import warnings
from collections.abc import Sequence

from pdnet_cli.bulk_import import add_import
from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report
from pdnet_cli.tokens import (
    DEFAULT_TTL_S,
    ROLE_NAMES,
    TokenRequest,
    issue_token,
    role_name,
    ttl_seconds,
    uuid_text,
)
from pdnet_cli.workspace import Workspace


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return int(value)


def _add_up(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    up = commands.add_parser("up", help="start PostgreSQL and every service; Ctrl-C stops all")
    up.add_argument("--no-seed", action="store_true", help="do not load demo data")
    up.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    up.add_argument(
        "--ready-timeout",
        type=positive_int,
        default=60,
        metavar="SECONDS",
        help="how long a service may take to answer /readyz (%(default)s)",
    )


def _add_token(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser(
        "token",
        help="print a bearer token the local stack accepts (on the last line)",
        description=f"Mint a development token. Roles: {', '.join(ROLE_NAMES)}.",
    )
    token.add_argument("--role", type=role_name, action="append", default=[], metavar="ROLE")
    token.add_argument(
        "--sub", type=uuid_text, metavar="ID", help="subject (user id); random if omitted"
    )
    token.add_argument("--centre", type=uuid_text, action="append", default=[], metavar="ID")
    token.add_argument("--network", type=uuid_text, action="append", default=[], metavar="ID")
    token.add_argument("--scope", help="space-separated OAuth scopes, for machine clients")
    token.add_argument(
        "--ttl",
        type=ttl_seconds,
        default=DEFAULT_TTL_S,
        metavar="SECONDS",
        help="lifetime (%(default)s)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pdnet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_up(commands)
    migrate = commands.add_parser("migrate", help="run every service's migrations to head")
    migrate.add_argument("--service", metavar="NAME", help="only this service")
    seed = commands.add_parser("seed", help="load demo data into empty databases")
    seed.add_argument("--service", metavar="NAME", help="only this service")
    seed.add_argument(
        "--scale", type=positive_int, metavar="N", help="generate N synthetic rows (benchmarks)"
    )
    _add_token(commands)
    add_import(commands)
    supergraph = commands.add_parser(
        "supergraph",
        help="print the supergraph SDL (Apollo format) of the running subgraphs",
        description="Compose the subgraphs the gateway's settings name, as the gateway does, "
        "and print the supergraph SDL; or print what a running gateway serves.",
    )
    supergraph.add_argument(
        "--gateway", metavar="URL", help="print what the gateway at URL serves instead"
    )
    # Listed for --help only: `main` hands everything after `test` to pytest untouched.
    commands.add_parser("test", help="run the test suite; arguments go to pytest", add_help=False)
    return parser


def _token(workspace: Workspace, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.role and not args.scope:
        parser.error("token: give at least one --role (or --scope for a machine client)")
    request = TokenRequest(
        roles=tuple(dict.fromkeys(args.role)),
        subject=args.sub or str(uuid.uuid4()),
        centres=tuple(args.centre),
        networks=tuple(args.network),
        scope=args.scope,
        ttl_s=args.ttl,
    )
    return issue_token(workspace, request)


def _dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    workspace = Workspace.find()
    # Modules that touch databases and services are imported when their command runs: they pull
    # in SQLAlchemy, alembic and the services, which `pdnet token` and `--help` need not wait for.
    if args.command == "up":
        from pdnet_cli.stack_runner import UpOptions, run_up

        options = UpOptions(
            host=args.host, seed=not args.no_seed, ready_timeout_s=float(args.ready_timeout)
        )
        return run_up(workspace, options)
    if args.command == "migrate":
        from pdnet_cli.database_setup import migrate_services

        return asyncio.run(migrate_services(workspace, args.service))
    if args.command == "seed":
        from pdnet_cli.database_setup import seed_services

        return asyncio.run(seed_services(workspace, args.service, args.scale))
    if args.command == "token":
        return _token(workspace, args, parser)
    if args.command == "import":
        from pdnet_cli.bulk_import import build_request, run_import

        return run_import(build_request(workspace, args))
    if args.command == "supergraph":
        from pdnet_cli.supergraph_export import print_supergraph

        return print_supergraph(workspace, args.gateway)
    raise AssertionError(f"unhandled command {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # pgserver's platformdirs warns on machines without XDG_RUNTIME_DIR; it copes fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    try:
        if argv[:1] == ["test"]:
            # argparse would claim pytest's own options (-k, -x, --lf) as unknown; pass them on.
            from pdnet_cli.suite import run_suite

            return run_suite(Workspace.find(), argv[1:])
        parser = build_parser()
        return _dispatch(parser.parse_args(argv), parser)
    except CommandError as exc:
        report(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        report("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
