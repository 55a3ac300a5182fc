"""The merged schema with the join information the supergraph SDL carries: which subgraph
defines each type, field, enum value and union member, and with which federation facts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql.language import ValueNode

from gateway.composition.model import Applied, ComposedDirective, TypeKind


@dataclass(slots=True)
class JoinType:
    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    resolvable_given: bool = False
    interface_object: bool = False


@dataclass(slots=True)
class JoinField:
    graph: str | None
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None
    # (context, argument name, argument type, selection) for each @fromContext argument.
    context_arguments: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class MergedArgument(Applied):
    name: str = ""
    type: str = ""
    default: ValueNode | None = None


@dataclass(slots=True)
class MergedField(Applied):
    name: str = ""
    type: str = ""
    args: dict[str, MergedArgument] = field(default_factory=dict)
    default: ValueNode | None = None
    joins: list[JoinField] = field(default_factory=list)


@dataclass(slots=True)
class MergedEnumValue(Applied):
    name: str = ""
    graphs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MergedType(Applied):
    name: str = ""
    kind: TypeKind = "object"
    join_types: list[JoinType] = field(default_factory=list)
    fields: dict[str, MergedField] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    union_members: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, MergedEnumValue] = field(default_factory=dict)
    specified_by: str | None = None


@dataclass(slots=True)
class MergedDirective(Applied):
    name: str = ""
    args: dict[str, MergedArgument] = field(default_factory=dict)
    repeatable: bool = False
    locations: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Graph:
    enum_name: str
    name: str
    url: str


@dataclass(slots=True)
class MergedSchema:
    graphs: list[Graph]
    types: dict[str, MergedType]
    federation_version: tuple[int, int]
    # The specs beyond link and join, "tag" and "inaccessible", in the order Apollo links them.
    specs: list[str]
    directives: dict[str, MergedDirective] = field(default_factory=dict)
    description: str | None = None
    composed: dict[str, ComposedDirective] = field(default_factory=dict)


def graph_enum_names(names: Sequence[str]) -> dict[str, str]:
    """Subgraph name → join__Graph value, sanitised and numbered where two collide."""
    sanitised: dict[str, list[str]] = {}
    for name in names:
        value = re.sub(r"\W", "_", name)
        if value[:1].isdigit():
            value = "_" + value
        if re.search(r"_\d+$", value):
            value += "_"
        sanitised.setdefault(value.upper(), []).append(name)
    result: dict[str, str] = {}
    for value, owners in sanitised.items():
        for index, owner in enumerate(owners):
            result[owner] = value if len(owners) == 1 else f"{value}_{index + 1}"
    return result
