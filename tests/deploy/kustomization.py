"""Renders the kustomize layouts in `deploy/k8s` offline, for the manifest tests.

Only the kustomization fields our layouts use are understood; any other field fails the render,
so a layout can never use a feature these tests would silently skip.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]

_UNDERSTOOD = {"apiVersion", "kind", "namespace", "resources", "images", "patches", "labels"}
_CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


class UnsupportedKustomization(Exception):
    pass


def render(directory: Path) -> list[Manifest]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - _UNDERSTOOD
    if unknown:
        raise UnsupportedKustomization(f"{directory}: fields {sorted(unknown)} are not understood")
    manifests: list[Manifest] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            manifests.extend(render(path))
        else:
            manifests.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    for label_set in spec.get("labels", []):
        _add_labels(manifests, label_set)
    for image in spec.get("images", []):
        _set_image(manifests, image)
    for patch in spec.get("patches", []):
        _apply_patch(manifests, patch)
    if "namespace" in spec:
        for manifest in manifests:
            if manifest["kind"] not in _CLUSTER_SCOPED:
                manifest["metadata"]["namespace"] = spec["namespace"]
    return manifests


def _pod_template(manifest: Manifest) -> Manifest | None:
    template: Manifest | None = manifest.get("spec", {}).get("template")
    return template


def _add_labels(manifests: list[Manifest], label_set: dict[str, Any]) -> None:
    if label_set.get("includeSelectors"):
        raise UnsupportedKustomization("labels with includeSelectors")
    pairs = label_set["pairs"]
    for manifest in manifests:
        manifest["metadata"].setdefault("labels", {}).update(pairs)
        template = _pod_template(manifest)
        if template is not None and label_set.get("includeTemplates"):
            template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def _set_image(manifests: list[Manifest], image: dict[str, str]) -> None:
    for manifest in manifests:
        template = _pod_template(manifest)
        if template is None:
            continue
        for container in template["spec"].get("containers", []):
            name, _, _ = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image['newTag']}"


def _apply_patch(manifests: list[Manifest], patch: dict[str, Any]) -> None:
    target = patch["target"]
    operations = yaml.safe_load(patch["patch"])
    if not isinstance(operations, list):
        raise UnsupportedKustomization("only JSON 6902 patches (a list of operations)")
    matched = [
        m
        for m in manifests
        if m["kind"] == target.get("kind", m["kind"])
        and m["metadata"]["name"] == target.get("name", m["metadata"]["name"])
    ]
    if not matched:
        raise AssertionError(f"patch target {target} matches nothing")
    for manifest in matched:
        for operation in operations:
            _apply_operation(manifest, operation)


def _apply_operation(document: Manifest, operation: dict[str, Any]) -> None:
    *parents, last = [
        part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]
    ]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    op = operation["op"]
    if isinstance(node, list):
        if op == "add":
            position = len(node) if last == "-" else int(last)
            node.insert(position, copy.deepcopy(operation["value"]))
        elif op == "replace":
            node[int(last)] = copy.deepcopy(operation["value"])
        elif op == "remove":
            del node[int(last)]
        else:
            raise UnsupportedKustomization(f"operation {op}")
        return
    if op == "replace" and last not in node:
        raise AssertionError(f"replace of a missing path {operation['path']}")
    if op in ("add", "replace"):
        node[last] = copy.deepcopy(operation["value"])
    elif op == "remove":
        del node[last]
    else:
        raise UnsupportedKustomization(f"operation {op}")
