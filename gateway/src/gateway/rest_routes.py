"""Which service owns a REST path, learnt from each service's own OpenAPI document.

Every `/v1/...` path template a service documents is a route to it. When several templates match
a request, the most specific wins, segment by segment from the left: a literal segment beats one
mixing text and a parameter (`{id}.ics`), which beats a bare parameter.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog

from gateway.sources import ServiceSource

log = structlog.get_logger("pdnet.gateway.rest")

API_PREFIX = "/v1/"
_PARAMETER = re.compile(r"\{[^/{}]+\}")
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


SERVICE_PREFIX = "/services/"
"""`/services/<name>/v1/...` reaches one service by name, whatever other services document."""


@dataclass(frozen=True)
class RouteTemplate:
    services: tuple[str, ...]
    """Usually one; several when each service has the path (such as its own change feed)."""
    template: str
    methods: frozenset[str]
    pattern: re.Pattern[str]
    specificity: tuple[tuple[int, ...], int]

    @classmethod
    def of(cls, services: tuple[str, ...], template: str, methods: frozenset[str]) -> RouteTemplate:
        ranks: list[int] = []
        literal_chars = 0
        parts: list[str] = []
        for segment in template.strip("/").split("/"):
            pieces = _PARAMETER.split(segment)
            literal = "".join(pieces)
            literal_chars += len(literal)
            has_parameter = len(pieces) > 1
            ranks.append(0 if not literal else (1 if has_parameter else 2))
            parts.append("[^/]+".join(re.escape(piece) for piece in pieces))
        pattern = re.compile("^/" + "/".join(parts) + "/?$")
        return cls(services, template, methods, pattern, (tuple(ranks), literal_chars))


@dataclass(frozen=True)
class RouteMatch:
    services: tuple[str, ...]
    template: str

    @property
    def service(self) -> str | None:
        """The owner, or None when several services have the path."""
        return self.services[0] if len(self.services) == 1 else None


class RouteTable:
    def __init__(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        owners: dict[str, list[str]] = {}
        methods: dict[str, set[str]] = {}
        for service, document in documents.items():
            for template, operations in (document.get("paths") or {}).items():
                if not template.startswith(API_PREFIX) or not isinstance(operations, dict):
                    continue
                owners.setdefault(template, []).append(service)
                methods.setdefault(template, set()).update(
                    m.upper() for m in operations if m.lower() in _HTTP_METHODS
                )
        templates = [
            RouteTemplate.of(tuple(services), template, frozenset(methods[template]))
            for template, services in owners.items()
        ]
        # Most specific first; templates with different numbers of segments never match the
        # same path, so the order only matters among those of equal length.
        self._templates = sorted(templates, key=lambda t: t.specificity, reverse=True)

    def __len__(self) -> int:
        return len(self._templates)

    def shared_templates(self) -> dict[str, tuple[str, ...]]:
        """Templates several services document, with those services."""
        return {t.template: t.services for t in self._templates if len(t.services) > 1}

    def match(self, method: str, path: str, *, service: str | None = None) -> RouteMatch | None:
        """Who serves the path (among `service`'s templates only, when given); a template
        declaring the method beats one that does not."""
        fallback: RouteTemplate | None = None
        for template in self._templates:
            if service is not None and service not in template.services:
                continue
            if not template.pattern.match(path):
                continue
            if method in template.methods or (method == "HEAD" and "GET" in template.methods):
                fallback = template
                break
            if fallback is None:
                fallback = template
        if fallback is None:
            return None
        # For a method no template declares, the owner answers 405 with its own Allow header.
        services = (service,) if service is not None else fallback.services
        return RouteMatch(services, fallback.template)


@dataclass
class DocumentState:
    service: str
    url: str
    document: dict[str, Any] | None = None
    last_success: datetime | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "openapi_url": self.url,
            "loaded": self.document is not None,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "error": self.error,
        }


@dataclass
class ServiceRoutes:
    """The services' OpenAPI documents, read at start-up and again every refresh."""

    services: Sequence[ServiceSource]
    clients: Mapping[str, httpx.AsyncClient]
    timeout_s: float = 10.0
    table: RouteTable = field(default_factory=lambda: RouteTable({}))
    states: dict[str, DocumentState] = field(default_factory=dict)
    version: int = 0
    """Goes up whenever a refresh brings a changed document."""

    def __post_init__(self) -> None:
        self.states = {
            s.name: DocumentState(s.name, f"{s.base_url}/openapi.json") for s in self.services
        }

    @property
    def complete(self) -> bool:
        return all(state.document is not None for state in self.states.values())

    def documents(self) -> dict[str, dict[str, Any]]:
        return {
            name: state.document
            for name, state in self.states.items()
            if state.document is not None
        }

    async def refresh(self) -> None:
        before = self.documents()
        await asyncio.gather(*(self._fetch(state) for state in self.states.values()))
        documents = self.documents()
        if documents != before:
            self.table = RouteTable(documents)
            self.version += 1

    async def _fetch(self, state: DocumentState) -> None:
        try:
            response = await self.clients[state.service].get(state.url, timeout=self.timeout_s)
            response.raise_for_status()
            document = response.json()
            if not isinstance(document, dict) or "paths" not in document:
                raise ValueError("not an OpenAPI document")
        except (httpx.HTTPError, ValueError) as exc:
            if state.error is None:
                log.warning("OpenAPI document not read", service=state.service, reason=str(exc))
            state.error = f"{type(exc).__name__}: {exc}"
            return
        state.document, state.error, state.last_success = document, None, datetime.now(UTC)

    async def run(self, *, interval_s: float, retry_max_s: float) -> None:
        backoff = 0.2
        while True:
            try:
                await self.refresh()
            except Exception:
                log.exception("OpenAPI refresh failed")
            if self.complete:
                delay, backoff = interval_s, 0.2
            else:
                delay, backoff = min(backoff, interval_s), min(backoff * 2, retry_max_s)
            await asyncio.sleep(delay)
