"""One OpenAPI document for every service behind the gateway, for the combined explorer.

Each service's `/v1` paths are kept as they are, marked with the service (`x-pdnet-service`);
a path several services have (each its own change feed) is listed once per service under
`/services/<name>`, where the gateway serves it. Components with the
same name and the same content are shared; a name two services use for different things is
prefixed with the service's name, and that service's references are rewritten to match.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gateway.rest_routes import API_PREFIX, SERVICE_PREFIX

_REF_PREFIX = "#/components/"


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renames:
            node = {**node, "$ref": renames[ref]}
        return {key: _rewrite_refs(value, renames) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _prefixed(service: str, name: str) -> str:
    return f"{service[:1].upper()}{service[1:]}{name}"


def merge_openapi(
    documents: Mapping[str, Mapping[str, Any]], *, base: Mapping[str, Any]
) -> dict[str, Any]:
    """`base` is the gateway's own document; services' paths and components are added to it."""
    merged = copy.deepcopy(dict(base))
    paths: dict[str, Any] = merged.setdefault("paths", {})
    components: dict[str, dict[str, Any]] = merged.setdefault("components", {})
    tags: list[dict[str, Any]] = merged.setdefault("tags", [])
    known_tags = {tag["name"] for tag in tags}
    owners: dict[str, int] = {}
    for document in documents.values():
        for template in document.get("paths") or {}:
            owners[template] = owners.get(template, 0) + 1
    for service, document in documents.items():
        renames: dict[str, str] = {}
        for kind, entries in (document.get("components") or {}).items():
            target = components.setdefault(kind, {})
            for name, value in (entries or {}).items():
                if name not in target or target[name] == value:
                    continue
                renames[f"{_REF_PREFIX}{kind}/{name}"] = (
                    f"{_REF_PREFIX}{kind}/{_prefixed(service, name)}"
                )
        document = _rewrite_refs(document, renames)
        for kind, entries in (document.get("components") or {}).items():
            target = components.setdefault(kind, {})
            for name, value in (entries or {}).items():
                new_name = renames.get(f"{_REF_PREFIX}{kind}/{name}", "").rsplit("/", 1)[-1]
                target[new_name or name] = value
        for template, operations in (document.get("paths") or {}).items():
            if not template.startswith(API_PREFIX):
                continue
            # A path several services have is reached through the service's own prefix.
            if owners[template] > 1:
                template = f"{SERVICE_PREFIX}{service}{template}"
            paths[template] = {
                method: {**operation, "x-pdnet-service": service}
                if isinstance(operation, dict)
                else operation
                for method, operation in operations.items()
            }
        for tag in document.get("tags") or []:
            if tag.get("name") not in known_tags:
                known_tags.add(tag["name"])
                tags.append(tag)
    return merged
