"""What the gateway fronts: the services of `services.toml` and national subgraphs.

A service has a base URL (REST under it, its subgraph at `/graphql`); a national subgraph is
only a GraphQL URL. Both are named; the names become the supergraph's `join__Graph` values.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gateway.settings import GatewaySettings
from shared.stack import find_repo_root, load_stack

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")


class SourcesError(ValueError):
    """The configuration names subgraphs in a way the gateway cannot use."""


@dataclass(frozen=True)
class ServiceSource:
    name: str
    base_url: str

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"


@dataclass(frozen=True)
class SubgraphSource:
    name: str
    url: str


@dataclass(frozen=True)
class Sources:
    services: tuple[ServiceSource, ...]
    subgraphs: tuple[SubgraphSource, ...]
    """Every subgraph to compose: the services' and the national ones."""

    def service(self, name: str) -> ServiceSource | None:
        return next((s for s in self.services if s.name == name), None)


def _checked_url(name: str, url: object, where: str) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise SourcesError(f"{where}: subgraph {name!r} needs an http(s) url, got {url!r}")
    return url.rstrip("/")


def _national_from_file(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SourcesError(f"GATEWAY_SUBGRAPHS_FILE {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path} is not valid TOML: {exc}") from exc
    tables = data.get("subgraphs", {})
    if not isinstance(tables, dict):
        raise SourcesError(f"{path}: [subgraphs] must hold one table per subgraph")
    urls: dict[str, str] = {}
    for name, table in tables.items():
        url = table.get("url") if isinstance(table, dict) else None
        urls[name] = _checked_url(name, url, str(path))
    return urls


def load_sources(settings: GatewaySettings, root: Path | None = None) -> Sources:
    services: list[ServiceSource] = []
    if settings.include_stack:
        for spec in load_stack(root or find_repo_root()):
            base = settings.service_urls.get(spec.name)
            if base is None:
                base = f"http://{settings.stack_host}:{spec.port}"
            services.append(ServiceSource(spec.name, _checked_url(spec.name, base, "services")))
    national: dict[str, str] = {}
    if settings.subgraphs_file is not None:
        national.update(_national_from_file(settings.subgraphs_file))
    for name, url in settings.subgraphs.items():
        national[name] = _checked_url(name, url, "GATEWAY_SUBGRAPHS")
    subgraphs = [SubgraphSource(s.name, s.graphql_url) for s in services]
    taken = {s.name for s in services}
    for name, url in national.items():
        if not _NAME.match(name):
            raise SourcesError(f"subgraph name {name!r}: use letters, digits, '-' and '_'")
        if name in taken:
            raise SourcesError(f"subgraph name {name!r} is already a service's name")
        subgraphs.append(SubgraphSource(name, url))
    return Sources(services=tuple(services), subgraphs=tuple(subgraphs))
