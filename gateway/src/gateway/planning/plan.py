"""Query plan nodes: fetches from one subgraph, run in sequence or in parallel, with entity
fetches flattened over the paths where their representations are found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True, slots=True)
class RepresentationField:
    """One field copied from the response into an entity representation."""

    key: str
    selection: RepresentationTemplate | None
    source: str
    """The response key the fetched value is under (the field name unless it had to be
    aliased because the client uses that key for another field)."""


@dataclass(frozen=True, slots=True)
class RepresentationTemplate:
    fields: tuple[RepresentationField, ...]
    fragments: tuple[tuple[frozenset[str], RepresentationTemplate], ...] = ()
    """Inline fragments, each with the object types (`__typename`s) it applies to."""
    typename: str | None = None
    """The `__typename` to send, when not the one in the response (an interface object's)."""


@dataclass(frozen=True, slots=True, eq=False)
class FetchNode:
    subgraph: str
    operation: str
    """The subgraph operation's text, built once at plan time."""
    operation_name: str | None
    variable_usages: tuple[str, ...]
    """Client variables the operation uses (besides `$representations`)."""
    representations: dict[str, RepresentationTemplate] | None
    """For entity fetches: what to send for each `__typename`; None for root fetches."""
    requested: dict[str, tuple[str, ...]]
    """Response keys this fetch fills, per entity type (`""` for a root fetch): the fields a
    failed fetch leaves without data."""
    writes: bool = False
    """A mutation: sending it twice could change data twice."""

    @property
    def is_entity_fetch(self) -> bool:
        return self.representations is not None


@dataclass(frozen=True, slots=True)
class FlattenNode:
    path: tuple[str, ...]
    """Response keys, with `@` where a list is flattened."""
    node: FetchNode


@dataclass(frozen=True, slots=True)
class SequenceNode:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ParallelNode:
    nodes: tuple[PlanNode, ...]


PlanNode = Union[FetchNode, FlattenNode, SequenceNode, ParallelNode]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class QueryPlan:
    node: PlanNode | None

    def fetches(self) -> list[FetchNode]:
        found: list[FetchNode] = []
        _collect_fetches(self.node, found)
        return found

    def to_dict(self) -> dict[str, Any] | None:
        return None if self.node is None else _to_dict(self.node)

    def describe(self) -> str:
        """The plan in the layout Apollo uses when printing one, for humans and debug headers."""
        lines = ["QueryPlan {"]
        if self.node is not None:
            _describe(self.node, 1, lines)
        lines.append("}")
        return "\n".join(lines)


def _collect_fetches(node: PlanNode | None, found: list[FetchNode]) -> None:
    if isinstance(node, FetchNode):
        found.append(node)
    elif isinstance(node, FlattenNode):
        found.append(node.node)
    elif isinstance(node, SequenceNode | ParallelNode):
        for child in node.nodes:
            _collect_fetches(child, found)


def _to_dict(node: PlanNode) -> dict[str, Any]:
    if isinstance(node, FetchNode):
        return {
            "kind": "Fetch",
            "serviceName": node.subgraph,
            "operation": node.operation,
            "variableUsages": list(node.variable_usages),
            "entityTypes": sorted(node.representations or {}),
        }
    if isinstance(node, FlattenNode):
        return {"kind": "Flatten", "path": list(node.path), "node": _to_dict(node.node)}
    kind = "Sequence" if isinstance(node, SequenceNode) else "Parallel"
    return {"kind": kind, "nodes": [_to_dict(child) for child in node.nodes]}


def _describe(node: PlanNode, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, FetchNode):
        lines.append(f'{pad}Fetch(service: "{node.subgraph}") {{')
        lines.append(f"{pad}  {node.operation}")
        lines.append(f"{pad}}},")
    elif isinstance(node, FlattenNode):
        lines.append(f'{pad}Flatten(path: "{".".join(node.path)}") {{')
        _describe(node.node, depth + 1, lines)
        lines.append(f"{pad}}},")
    else:
        lines.append(f"{pad}{'Sequence' if isinstance(node, SequenceNode) else 'Parallel'} {{")
        for child in node.nodes:
            _describe(child, depth + 1, lines)
        lines.append(f"{pad}}},")
