"""The supergraph the gateway serves, and how it is kept up to date.

Each refresh asks every subgraph for `{ _service { sdl } }`, composes what it got and swaps in a
new engine in one assignment. A subgraph that does not answer keeps its last SDL; one that never
answered is left out until it does. A change that does not compose is reported and the last good
supergraph keeps serving. With a supergraph file, that file is served as-is (re-read on change).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import structlog

from gateway.sources import SubgraphSource

log = structlog.get_logger("pdnet.gateway.registry")

SDL_QUERY = "query SubgraphSdl { _service { sdl } }"


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    subgraphs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "subgraphs": list(self.subgraphs)}


@dataclass(frozen=True)
class LoadedSupergraph:
    sdl: str
    supergraph: Any
    """`gateway.supergraph.Supergraph`"""
    engine: Any
    """`gateway.execution.Engine` for this supergraph; replaced, never mutated."""
    origin: str
    loaded_at: datetime
    subgraphs: tuple[str, ...]
    transport: Any = None
    """The `SubgraphTransport` the engine fetches with, made for this supergraph's URLs."""

    def with_transport(self, transport: Any) -> LoadedSupergraph:
        return replace(self, transport=transport)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sdl.encode()).hexdigest()


@dataclass
class SubgraphState:
    name: str
    url: str
    sdl: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    error: str | None = None

    def to_dict(self, in_supergraph: bool) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "reachable": self.error is None and self.last_success is not None,
            "in_supergraph": in_supergraph,
            "last_attempt": _iso(self.last_attempt),
            "last_success": _iso(self.last_success),
            "error": self.error,
            "sdl_sha256": hashlib.sha256(self.sdl.encode()).hexdigest() if self.sdl else None,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _now() -> datetime:
    return datetime.now(UTC)


Builder = Callable[[str], tuple[Any, Any]]
"""Supergraph SDL to (Supergraph, Engine); raises on an SDL it cannot serve."""
Composer = Callable[[Sequence[tuple[str, str, str]]], str]
"""(name, url, sdl) per subgraph to a supergraph SDL; raises on composition errors."""


def build_engine(sdl: str) -> tuple[Any, Any]:
    from gateway.execution import Engine
    from gateway.supergraph import Supergraph

    supergraph = Supergraph.from_sdl(sdl)
    return supergraph, Engine(supergraph)


def compose_subgraphs(subgraphs: Sequence[tuple[str, str, str]]) -> str:
    from gateway.composition import SubgraphDefinition, compose

    sdl: str = compose([SubgraphDefinition(name, url, sdl) for name, url, sdl in subgraphs])
    return sdl


def issues_of(exc: Exception) -> list[Issue]:
    """Composition or loading errors as issues, whatever raised them."""
    found = getattr(exc, "issues", None)
    if isinstance(found, list) and found:
        return [
            Issue(
                code=str(getattr(issue, "code", "COMPOSITION_ERROR")),
                message=str(getattr(issue, "message", issue)),
                subgraphs=tuple(getattr(issue, "subgraphs", ()) or ()),
            )
            for issue in found
        ]
    return [Issue(code=type(exc).__name__, message=str(exc))]


async def fetch_sdl(client: httpx.AsyncClient, url: str, *, timeout_s: float) -> str:
    """A subgraph's SDL; raises ValueError with a readable reason when it has none to give."""
    try:
        response = await client.post(url, json={"query": SDL_QUERY}, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        raise ValueError(f"no answer within {timeout_s:g} s") from exc
    except httpx.HTTPError as exc:
        raise ValueError(f"unreachable ({type(exc).__name__}: {exc})") from exc
    if response.status_code != 200:
        raise ValueError(f"answered HTTP {response.status_code}")
    try:
        body = response.json()
        sdl = body["data"]["_service"]["sdl"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            "did not answer `{ _service { sdl } }` (not a federation subgraph?)"
        ) from exc
    if not isinstance(sdl, str) or not sdl.strip():
        raise ValueError("answered an empty SDL")
    return sdl


@dataclass
class SupergraphRegistry:
    subgraphs: Sequence[SubgraphSource]
    clients: Mapping[str, httpx.AsyncClient]
    timeout_s: float = 10.0
    supergraph_file: Path | None = None
    compose: Composer = compose_subgraphs
    build: Builder = build_engine
    prepare: Callable[[LoadedSupergraph], LoadedSupergraph] | None = None
    """Completes a supergraph before it serves (the gateway gives it a transport)."""

    current: LoadedSupergraph | None = None
    issues: list[Issue] = field(default_factory=list)
    """Why the latest candidate supergraph was refused; empty when it was served."""
    checked_at: datetime | None = None
    states: dict[str, SubgraphState] = field(default_factory=dict)
    _file_mtime: float | None = None
    _candidate_key: str | None = None

    def __post_init__(self) -> None:
        # A supergraph file names its own subgraphs; their SDLs are not read.
        if self.supergraph_file is None:
            self.states = {s.name: SubgraphState(s.name, s.url) for s in self.subgraphs}

    @property
    def ready(self) -> bool:
        return self.current is not None

    @property
    def complete(self) -> bool:
        """Every configured subgraph has answered at least once (or the file mode)."""
        return self.supergraph_file is not None or all(
            state.sdl is not None for state in self.states.values()
        )

    async def refresh(self) -> bool:
        """One round; True when a new supergraph was swapped in."""
        self.checked_at = _now()
        if self.supergraph_file is not None:
            return await self._refresh_from_file(self.supergraph_file)
        await asyncio.gather(*(self._fetch(state) for state in self.states.values()))
        known = [(s.name, s.url, s.sdl) for s in self.states.values() if s.sdl is not None]
        if not known:
            return False
        key = hashlib.sha256(repr(known).encode()).hexdigest()
        if key == self._candidate_key:
            return False  # nothing changed since the last attempt, good or bad
        self._candidate_key = key
        try:
            sdl = await asyncio.to_thread(self.compose, known)
        except Exception as exc:
            return self._refuse("composition", exc)
        return await self._swap(sdl, origin="composed", subgraphs=tuple(n for n, _, _ in known))

    async def _refresh_from_file(self, path: Path) -> bool:
        try:
            mtime = (await asyncio.to_thread(path.stat)).st_mtime
            if mtime == self._file_mtime and self.current is not None:
                return False
            self._file_mtime = mtime
            sdl = await asyncio.to_thread(path.read_text)
        except OSError as exc:
            return self._refuse("reading the supergraph file", exc)
        return await self._swap(sdl, origin=f"file:{path}", subgraphs=())

    async def _swap(self, sdl: str, *, origin: str, subgraphs: tuple[str, ...]) -> bool:
        if self.current is not None and sdl == self.current.sdl:
            # Back to what is serving (a broken change undone): keep its engine and caches.
            self.issues = []
            return False
        try:
            supergraph, engine = await asyncio.to_thread(self.build, sdl)
        except Exception as exc:
            return self._refuse("loading the supergraph", exc)
        names = subgraphs or tuple(getattr(supergraph, "subgraph_urls", {}))
        loaded = LoadedSupergraph(sdl, supergraph, engine, origin, _now(), names)
        if self.prepare is not None:
            try:
                loaded = self.prepare(loaded)
            except Exception as exc:
                return self._refuse("preparing the supergraph", exc)
        self.current = loaded
        self.issues = []
        log.info("supergraph loaded", origin=origin, subgraphs=list(names), sha256=loaded.sha256)
        return True

    def _refuse(self, step: str, exc: Exception) -> bool:
        self.issues = issues_of(exc)
        log.warning(
            f"{step} failed; the last good supergraph keeps serving",
            issues=[issue.to_dict() for issue in self.issues],
            serving=self.current.sha256 if self.current else None,
        )
        return False

    async def _fetch(self, state: SubgraphState) -> None:
        state.last_attempt = _now()
        client = self.clients[state.name]
        try:
            sdl = await fetch_sdl(client, state.url, timeout_s=self.timeout_s)
        except ValueError as exc:
            if state.error is None:
                log.warning("subgraph SDL not read", subgraph=state.name, reason=str(exc))
            state.error = str(exc)
            return
        if state.error is not None:
            log.info("subgraph SDL read again", subgraph=state.name)
        if state.sdl is not None and sdl != state.sdl:
            log.info("subgraph SDL changed", subgraph=state.name)
        state.sdl, state.error, state.last_success = sdl, None, state.last_attempt

    async def run(self, *, interval_s: float, retry_max_s: float) -> None:
        """Refresh forever: with back-off until every subgraph has answered, then each interval."""
        backoff = 0.2
        while True:
            started = time.monotonic()
            try:
                await self.refresh()
            except Exception:
                log.exception("supergraph refresh failed")
            if self.ready and self.complete:
                delay, backoff = interval_s, 0.2
            else:
                delay, backoff = min(backoff, interval_s), min(backoff * 2, retry_max_s)
            await asyncio.sleep(max(0.0, delay - (time.monotonic() - started)))

    def status(self) -> dict[str, Any]:
        current = self.current
        in_supergraph = set(current.subgraphs) if current else set()
        unreachable = any(state.error for state in self.states.values())
        if current is None:
            status = "loading"
        elif self.issues or unreachable or not self.complete:
            status = "degraded"
        else:
            status = "ok"
        return {
            "status": status,
            "supergraph": None
            if current is None
            else {
                "origin": current.origin,
                "loaded_at": current.loaded_at.isoformat(),
                "sha256": current.sha256,
                "subgraphs": list(current.subgraphs),
            },
            "checked_at": _iso(self.checked_at),
            "issues": [issue.to_dict() for issue in self.issues],
            "subgraphs": [
                state.to_dict(state.name in in_supergraph) for state in self.states.values()
            ],
        }
