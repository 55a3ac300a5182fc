"""The names a supergraph gives to the specs it links (`@link`, or `@core` in older ones), so
that a renamed `join` or `inaccessible` is still recognised."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
)

_SPEC_URL = re.compile(
    r"^https?://[^/]+(?:/.*)?/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<version>\d+\.\d+)"
)


@dataclass(slots=True)
class LinkedSpecs:
    prefixes: set[str] = field(default_factory=set)
    """Names whose `name__` prefix marks a spec's types and directives."""
    directive_names: set[str] = field(default_factory=set)
    """Directives that belong to a linked spec, under the names this supergraph uses."""
    join: str = "join"
    inaccessible: str = "inaccessible"
    join_version: str = "0.3"

    def is_spec_name(self, name: str) -> bool:
        head, sep, _ = name.partition("__")
        return bool(sep) and head in self.prefixes


def _string_argument(directive: DirectiveNode, name: str) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value == name and isinstance(argument.value, StringValueNode):
            return argument.value.value
    return None


def _imports(directive: DirectiveNode) -> list[tuple[str, str]]:
    """(name in the spec, name here) for each `import:` entry."""
    found: list[tuple[str, str]] = []
    for argument in directive.arguments or ():
        if argument.name.value != "import" or not isinstance(argument.value, ListValueNode):
            continue
        for value in argument.value.values:
            if isinstance(value, StringValueNode):
                found.append((value.value, value.value))
            elif isinstance(value, ObjectValueNode):
                entries: dict[str, str] = {}
                for object_field in value.fields:
                    field_value: ConstValueNode = object_field.value  # type: ignore[assignment]
                    if isinstance(field_value, StringValueNode):
                        entries[object_field.name.value] = field_value.value
                if "name" in entries:
                    found.append((entries["name"], entries.get("as", entries["name"])))
    return found


def read_links(document: DocumentNode) -> LinkedSpecs:
    specs = LinkedSpecs()
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            url = _string_argument(directive, "url") or _string_argument(directive, "feature")
            if url is None:
                continue
            match = _SPEC_URL.match(url)
            if match is None:
                continue
            spec_name = match.group("name")
            local_name = _string_argument(directive, "as") or spec_name
            specs.prefixes.add(local_name)
            specs.directive_names.add(local_name)
            if spec_name == "join":
                specs.join = local_name
                specs.join_version = match.group("version")
            elif spec_name == "inaccessible":
                specs.inaccessible = local_name
            for original, here in _imports(directive):
                if original.startswith("@"):
                    specs.directive_names.add(here.lstrip("@"))
                    if original == "@inaccessible":
                        specs.inaccessible = here.lstrip("@")
    if not specs.prefixes:
        specs.prefixes.update({"join", "link", "core"})
        specs.directive_names.update({"link", "core"})
    return specs
