"""Reads the `join__` directives of a supergraph SDL into the model of `model.py`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

from gateway.supergraph.links import LinkedSpecs
from gateway.supergraph.model import EntityKey, FieldInfo, TypeInfo


class SupergraphError(Exception):
    """The SDL is not a supergraph this gateway can serve."""


_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}


def directive_arguments(directive: DirectiveNode) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for argument in directive.arguments or ():
        value = argument.value
        if isinstance(value, StringValueNode | EnumValueNode | BooleanValueNode):
            values[argument.name.value] = value.value
    return values


def directives_named(directives: Iterable[DirectiveNode] | None, name: str) -> list[dict[str, Any]]:
    return [directive_arguments(d) for d in directives or () if d.name.value == name]


def read_graphs(
    document: DocumentNode, specs: LinkedSpecs
) -> tuple[dict[str, str], dict[str, str]]:
    """(enum value → subgraph name, subgraph name → URL) from the `join__Graph` enum."""
    enum_name = f"{specs.join}__Graph"
    names: dict[str, str] = {}
    urls: dict[str, str] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == enum_name:
            for value in definition.values or ():
                for graph in directives_named(value.directives, f"{specs.join}__graph"):
                    if "name" not in graph:
                        raise SupergraphError(f"{enum_name}.{value.name.value} has no name")
                    names[value.name.value] = graph["name"]
                    urls[graph["name"]] = graph.get("url", "")
    if not names:
        raise SupergraphError(f"no {enum_name} enum: this is not a supergraph SDL")
    return names, urls


def read_types(
    document: DocumentNode, specs: LinkedSpecs, graphs: dict[str, str]
) -> dict[str, TypeInfo]:
    types: dict[str, TypeInfo] = {}
    for definition in document.definitions:
        kind = _KINDS.get(type(definition))
        if kind is None:
            continue
        assert isinstance(definition, TypeDefinitionNode | TypeExtensionNode)
        name = definition.name.value
        if specs.is_spec_name(name):
            continue
        info = types.setdefault(name, TypeInfo(name=name, kind=kind))
        _read_type_directives(info, definition, specs, graphs)
        fields: Sequence[FieldDefinitionNode] = getattr(definition, "fields", None) or ()
        if kind in ("object", "interface"):
            for field_node in fields:
                info.fields[field_node.name.value] = _read_field(field_node, info, specs, graphs)
    return types


def _graph(graphs: dict[str, str], value: str | None, where: str) -> str:
    if value is None or value not in graphs:
        raise SupergraphError(f"{where} names an unknown graph {value!r}")
    return graphs[value]


def _read_type_directives(
    info: TypeInfo,
    definition: TypeDefinitionNode | TypeExtensionNode,
    specs: LinkedSpecs,
    graphs: dict[str, str],
) -> None:
    join = specs.join
    subgraphs = list(info.subgraphs)
    interface_objects = set(info.interface_object_in)
    for args in directives_named(definition.directives, f"{join}__type"):
        graph = _graph(graphs, args.get("graph"), f"@{join}__type on {info.name}")
        if graph not in subgraphs:
            subgraphs.append(graph)
        keys = info.keys.setdefault(graph, [])
        if "key" in args:
            keys.append(EntityKey(fields=args["key"], resolvable=args.get("resolvable", True)))
        if args.get("isInterfaceObject"):
            interface_objects.add(graph)
    implements: dict[str, set[str]] = {g: set(v) for g, v in info.implements.items()}
    for args in directives_named(definition.directives, f"{join}__implements"):
        graph = _graph(graphs, args.get("graph"), f"@{join}__implements on {info.name}")
        implements.setdefault(graph, set()).add(args["interface"])
    members: dict[str, list[str]] = {g: list(v) for g, v in info.union_members.items()}
    for args in directives_named(definition.directives, f"{join}__unionMember"):
        graph = _graph(graphs, args.get("graph"), f"@{join}__unionMember on {info.name}")
        members.setdefault(graph, []).append(args["member"])
    if not subgraphs and specs.join_version in ("0.1",):
        subgraphs = list(graphs.values())
    info.subgraphs = tuple(subgraphs)
    info.implements = {g: frozenset(v) for g, v in implements.items()}
    info.union_members = {g: tuple(v) for g, v in members.items()}
    info.interface_object_in = frozenset(interface_objects)
    if any(d.name.value == specs.inaccessible for d in definition.directives or ()):
        info.inaccessible = True


def _read_field(
    node: FieldDefinitionNode, owner: TypeInfo, specs: LinkedSpecs, graphs: dict[str, str]
) -> FieldInfo:
    joins = directives_named(node.directives, f"{specs.join}__field")
    inaccessible = any(d.name.value == specs.inaccessible for d in node.directives or ())
    with_graph = [args for args in joins if "graph" in args]
    if not with_graph:
        # A bare `@join__field` marks a field no subgraph resolves on this type itself: it
        # comes from an interface the type implements, through an `@interfaceObject`.
        resolvable_in = () if joins else owner.subgraphs
        return FieldInfo(
            name=node.name.value, resolvable_in=resolvable_in, inaccessible=inaccessible
        )
    resolvable: list[str] = []
    external: set[str] = set()
    info = FieldInfo(name=node.name.value, resolvable_in=(), inaccessible=inaccessible)
    for args in with_graph:
        graph = _graph(graphs, args["graph"], f"@{specs.join}__field on {owner.name}")
        if args.get("external"):
            external.add(graph)
            continue
        if args.get("usedOverridden"):
            continue
        if graph not in resolvable:
            resolvable.append(graph)
        if "requires" in args:
            info.requires[graph] = args["requires"]
        if "provides" in args:
            info.provides[graph] = args["provides"]
        if "override" in args:
            info.overridden_from[graph] = args["override"]
    info.resolvable_in = tuple(resolvable)
    info.external_in = frozenset(external)
    return info
