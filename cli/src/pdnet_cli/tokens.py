"""`pdnet token`: bearer tokens from the development issuer, which `pdnet up` services accept."""

from __future__ import annotations

import argparse
import uuid
from dataclasses import dataclass

from pdnet_cli.progress import report, warn
from pdnet_cli.workspace import Workspace
from shared.dev_issuer import DevIssuer

# The values of shared.auth.Role, spelled out because importing shared.auth pulls in FastAPI
# and strawberry (seconds) for a command that should answer at once; a test keeps them equal.
ROLE_NAMES = ("platform_admin", "network_admin", "centre_manager", "educator", "teacher")
DEFAULT_TTL_S = 12 * 3600
MAX_TTL_S = 30 * 24 * 3600


def role_name(value: str) -> str:
    if value not in ROLE_NAMES:
        raise argparse.ArgumentTypeError(
            f"unknown role {value!r}; roles are {', '.join(ROLE_NAMES)}"
        )
    return value


def uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a UUID (e.g. {uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF)})"
        ) from None


def ttl_seconds(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of seconds") from None
    if not 1 <= seconds <= MAX_TTL_S:
        raise argparse.ArgumentTypeError(f"the lifetime must be 1 to {MAX_TTL_S} seconds")
    return seconds


@dataclass(frozen=True)
class TokenRequest:
    roles: tuple[str, ...]
    subject: str
    centres: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    scope: str | None = None
    ttl_s: int = DEFAULT_TTL_S


def scoping_warnings(request: TokenRequest) -> list[str]:
    """Scoped roles without their scope mint fine but grant nothing, which puzzles people."""
    warnings = []
    if "network_admin" in request.roles and not request.networks:
        warnings.append("network_admin acts only on the networks given with --network ID")
    if "centre_manager" in request.roles and not request.centres:
        warnings.append("centre_manager acts only on the centres given with --centre ID")
    return warnings


def _describe(request: TokenRequest, issuer: DevIssuer, workspace: Workspace) -> str:
    parts = [f"roles {', '.join(request.roles) or '(none)'}", f"sub {request.subject}"]
    if request.centres:
        parts.append(f"centres {', '.join(request.centres)}")
    if request.networks:
        parts.append(f"networks {', '.join(request.networks)}")
    if request.scope:
        parts.append(f"scope {request.scope!r}")
    hours = request.ttl_s / 3600
    lifetime = f"{hours:g} h" if request.ttl_s >= 3600 else f"{request.ttl_s} s"
    signer = workspace.shown(issuer.directory)
    return (
        f"token for {'; '.join(parts)}; valid {lifetime}; signed by the dev issuer in {signer}. "
        "Send it as 'Authorization: Bearer <token>':"
    )


def issue_token(workspace: Workspace, request: TokenRequest) -> int:
    """Explanation on stderr, the token alone on stdout: `TOKEN=$(./pdnet token ...)` works."""
    issuer = DevIssuer(workspace.issuer_dir)
    issuer.ensure_keys()
    token = issuer.mint(
        subject=request.subject,
        roles=request.roles,
        centres=request.centres,
        networks=request.networks,
        scope=request.scope,
        ttl_s=request.ttl_s,
    )
    for message in scoping_warnings(request):
        warn(message)
    report(_describe(request, issuer, workspace))
    print(token, flush=True)
    return 0
