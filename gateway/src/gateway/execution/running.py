"""Runs a query plan: sends each fetch, one request per fetch node with every representation at
its path de-duplicated, and merges what comes back into one response tree."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Hashable, Mapping
from typing import Any

import structlog

from gateway.execution.transport import SubgraphFetchError, SubgraphRequest, SubgraphTransport
from gateway.planning import (
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    RepresentationTemplate,
    SequenceNode,
)

Path = tuple[str | int, ...]
log = structlog.get_logger(__name__)


class PlanRun:
    """One execution of a plan: the merged data and the errors met on the way."""

    def __init__(
        self,
        transport: SubgraphTransport,
        headers: Mapping[str, str],
        variables: Mapping[str, Any],
    ) -> None:
        self.transport = transport
        self.headers = headers
        self.variables = variables
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []

    async def run(self, node: PlanNode | None) -> None:
        if node is None:
            return
        if isinstance(node, SequenceNode):
            for child in node.nodes:
                await self.run(child)
        elif isinstance(node, ParallelNode):
            await asyncio.gather(*(self.run(child) for child in node.nodes))
        elif isinstance(node, FlattenNode):
            await self._fetch_entities(node.path, node.node)
        else:
            await self._fetch_root(node)

    def _variables(self, fetch: FetchNode) -> dict[str, Any]:
        return {
            name: self.variables[name] for name in fetch.variable_usages if name in self.variables
        }

    async def _send(self, fetch: FetchNode, variables: dict[str, Any]) -> dict[str, Any]:
        request = SubgraphRequest(
            fetch.operation, variables or None, fetch.operation_name, replayable=not fetch.writes
        )
        try:
            body = await self.transport.fetch(fetch.subgraph, request, headers=self.headers)
        except SubgraphFetchError:
            raise
        except Exception as exc:
            # Whatever a transport raises, the request still gets an answer.
            log.exception("subgraph transport failed", subgraph=fetch.subgraph)
            raise SubgraphFetchError(fetch.subgraph, "the transport failed") from exc
        if not isinstance(body, dict):
            raise SubgraphFetchError(fetch.subgraph, "the response is not a GraphQL response")
        return body

    async def _fetch_root(self, fetch: FetchNode) -> None:
        try:
            body = await self._send(fetch, self._variables(fetch))
        except SubgraphFetchError as exc:
            for key in fetch.requested.get("", ()):
                self.errors.append(_fetch_failed(exc, [key]))
            return
        for error in _errors_of(body):
            self.errors.append(_subgraph_error(error, fetch.subgraph, error.get("path")))
        data = body.get("data")
        if isinstance(data, dict):
            deep_merge(self.data, data)

    async def _fetch_entities(self, path: tuple[str, ...], fetch: FetchNode) -> None:
        templates = fetch.representations or {}
        representations: list[dict[str, Any]] = []
        targets: list[list[tuple[dict[str, Any], Path]]] = []
        seen: dict[Hashable, int] = {}
        for entity, entity_path in entities_at(self.data, path):
            template = templates.get(entity.get("__typename"))  # type: ignore[arg-type]
            if template is None:
                continue
            representation = represent(entity, template)
            if representation is None:
                continue
            identity = _identity(representation)
            index = seen.get(identity)
            if index is None:
                index = seen[identity] = len(representations)
                representations.append(representation)
                targets.append([])
            targets[index].append((entity, entity_path))
        if not representations:
            return
        variables = self._variables(fetch)
        variables["representations"] = representations
        try:
            body = await self._send(fetch, variables)
            received = body.get("data")
            entities = received.get("_entities") if isinstance(received, dict) else None
            if received is not None and (
                not isinstance(entities, list) or len(entities) != len(representations)
            ):
                raise SubgraphFetchError(
                    fetch.subgraph, f"expected {len(representations)} entities in `_entities`"
                )
        except SubgraphFetchError as exc:
            for group in targets:
                for entity, entity_path in group:
                    for key in fetch.requested.get(entity.get("__typename", ""), ()):
                        self.errors.append(_fetch_failed(exc, [*entity_path, key]))
            return
        for error in _errors_of(body):
            for error_path in _entity_error_paths(error.get("path"), targets):
                self.errors.append(_subgraph_error(error, fetch.subgraph, error_path))
        if entities is None:
            return
        for index, received_entity in enumerate(entities):
            if not isinstance(received_entity, dict):
                continue
            for entity, _ in targets[index]:
                deep_merge(entity, received_entity)


def _identity(representation: dict[str, Any]) -> Hashable:
    """Equal for equal representations: their values when all are scalars, else their JSON."""
    values = tuple(representation.values())
    try:
        hash(values)
    except TypeError:
        return json.dumps(representation, sort_keys=True, separators=(",", ":"))
    return values


def entities_at(data: Any, path: tuple[str, ...]) -> list[tuple[dict[str, Any], Path]]:
    found: list[tuple[dict[str, Any], Path]] = []
    _walk(data, path, 0, (), found)
    return found


def _walk(
    value: Any,
    path: tuple[str, ...],
    depth: int,
    here: Path,
    found: list[tuple[dict[str, Any], Path]],
) -> None:
    if value is None:
        return
    if depth == len(path):
        if isinstance(value, dict):
            found.append((value, here))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                _walk(item, path, depth, (*here, index), found)
        return
    step = path[depth]
    if step == "@":
        if isinstance(value, list):
            for index, item in enumerate(value):
                _walk(item, path, depth + 1, (*here, index), found)
    elif isinstance(value, dict):
        _walk(value.get(step), path, depth + 1, (*here, step), found)


def represent(entity: dict[str, Any], template: RepresentationTemplate) -> dict[str, Any] | None:
    """The entity's representation, or None when the response lacks a field it needs."""
    representation: dict[str, Any] = {}
    for field in template.fields:
        if field.source not in entity:
            return None
        value = entity[field.source]
        if field.selection is not None and value is not None:
            if isinstance(value, list):
                value = [
                    represent(item, field.selection) if isinstance(item, dict) else item
                    for item in value
                ]
            elif isinstance(value, dict):
                value = represent(value, field.selection)
                if value is None:
                    return None
        representation[field.key] = value
    for type_names, fragment in template.fragments:
        if entity.get("__typename") in type_names:
            part = represent(entity, fragment)
            if part is None:
                return None
            representation.update(part)
    if template.typename is not None:
        representation["__typename"] = template.typename
    return representation


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        existing = target.get(key)
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
            for index, (old, new) in enumerate(zip(existing, value, strict=True)):
                if isinstance(old, dict) and isinstance(new, dict):
                    deep_merge(old, new)
                else:
                    existing[index] = new
        else:
            target[key] = value


def _errors_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = body.get("errors")
    if not isinstance(errors, list):
        return []
    return [error if isinstance(error, dict) else {"message": str(error)} for error in errors]


def _entity_error_paths(
    path: Any, targets: list[list[tuple[dict[str, Any], Path]]]
) -> list[list[str | int] | None]:
    if (
        isinstance(path, list)
        and len(path) >= 2
        and path[0] == "_entities"
        and isinstance(path[1], int)
        and 0 <= path[1] < len(targets)
    ):
        return [[*entity_path, *path[2:]] for _, entity_path in targets[path[1]]]
    return [None]


def _subgraph_error(
    error: dict[str, Any], subgraph: str, path: list[str | int] | None
) -> dict[str, Any]:
    extensions = dict(error.get("extensions") or {})
    extensions.setdefault("code", "DOWNSTREAM_SERVICE_ERROR")
    extensions["serviceName"] = subgraph
    message = error.get("message") or f'Error while fetching subquery from service "{subgraph}"'
    formatted: dict[str, Any] = {"message": message}
    if path is not None:
        formatted["path"] = list(path)
    formatted["extensions"] = extensions
    return formatted


def _fetch_failed(error: SubgraphFetchError, path: list[str | int]) -> dict[str, Any]:
    return {
        "message": f"HTTP fetch failed from '{error.subgraph}': {error.reason}",
        "path": path,
        "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": error.subgraph},
    }
