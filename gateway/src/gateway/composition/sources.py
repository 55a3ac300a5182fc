"""A type or field as each subgraph defines it, and how their descriptions, deprecations,
@tag and @inaccessible, keys and spec links combine into the merged element."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.composition.model import Applied, Field, Subgraph, TypeDef
from gateway.composition.supergraph_model import JoinType


@dataclass(slots=True)
class Source:
    subgraph: Subgraph
    graph: str
    typedef: TypeDef


@dataclass(slots=True)
class FieldSource:
    subgraph: Subgraph
    graph: str
    field: Field
    used_overridden: bool = False
    unused_overridden: bool = False
    label: str | None = None


def is_required(type_ref: str, default: object) -> bool:
    return type_ref.endswith("!") and default is None


def merge_applied(target: Applied, sources: Sequence[Applied]) -> None:
    """Description by majority; @inaccessible anywhere hides it; other directives grouped by name
    in order of first appearance, each application once, one only where not repeatable."""
    target.description = pick_description([s.description for s in sources])
    target.inaccessible = any(s.inaccessible for s in sources)
    by_name: dict[str, list[tuple[str, str, bool]]] = {}
    for source in sources:
        for name, text, repeatable in source.directives:
            applications = by_name.setdefault(name, [])
            if name == "cost" and applications:
                # Subgraphs pricing one element differently: the highest weight stands.
                applications[0] = max(applications[0], (name, text, repeatable), key=_weight)
            elif name in _REQUIREMENT_ARGUMENT and applications:
                # Every subgraph's requirement must hold: the conditions are combined with AND.
                applications[0] = (name, _both(name, applications[0][1], text), repeatable)
            elif (repeatable or not applications) and all(t != text for _, t, _ in applications):
                applications.append((name, text, repeatable))
    target.directives = [a for applications in by_name.values() for a in applications]


def _weight(application: tuple[str, str, bool]) -> int:
    found = re.search(r"weight: (-?\d+)", application[1])
    return int(found.group(1)) if found else 0


def pick_description(descriptions: Sequence[str | None]) -> str | None:
    counts: dict[str, int] = {}
    for description in descriptions:
        if description is not None:
            counts[description] = counts.get(description, 0) + 1
    if not counts:
        return None
    non_empty = [d for d in counts if d]
    if len(counts) == 1:
        return next(iter(counts))
    if len(non_empty) == 1:
        return non_empty[0]
    return max(non_empty, key=lambda d: counts[d])


def join_types(sources: Sequence[Source]) -> list[JoinType]:
    joins: list[JoinType] = []
    for source in sources:
        typedef = source.typedef
        extension = typedef.is_extension and typedef.kind in ("object", "interface")
        if not typedef.keys:
            joins.append(
                JoinType(
                    source.graph, extension=extension, interface_object=typedef.interface_object
                )
            )
        for key in typedef.keys:
            joins.append(
                JoinType(
                    source.graph,
                    key=key.fields,
                    extension=extension,
                    resolvable=key.resolvable,
                    resolvable_given=key.resolvable_given,
                    interface_object=typedef.interface_object,
                )
            )
    return joins


def specs_in_use(subgraphs: Sequence[Subgraph]) -> list[str]:
    """The order is that of first use, subgraph by subgraph, the tag spec before inaccessible."""
    specs: list[str] = []
    for subgraph in subgraphs:
        for spec, used in (
            ("tag", subgraph.uses_tag),
            ("inaccessible", subgraph.uses_inaccessible),
            ("context", subgraph.uses_context),
            ("cost", subgraph.uses_cost),
            *((spec, True) for spec in subgraph.access_control),
        ):
            if used and spec not in specs:
                specs.append(spec)
    return specs


_REQUIREMENT_ARGUMENT = {"requiresScopes": "scopes", "policy": "policies"}


def _both(name: str, first: str, second: str) -> str:
    """Two requirements in disjunctive normal form (any inner list suffices, all of its members
    needed) joined with AND, kept in that form without redundant alternatives."""
    left, right = _alternatives(first), _alternatives(second)
    combined: list[list[str]] = []
    for a in left:
        for b in right:
            alternative = sorted(set(a) | set(b))
            if alternative not in combined:
                combined.append(alternative)
    minimal = [c for c in combined if not any(set(o) < set(c) for o in combined if o is not c)]
    printed = ", ".join("[" + ", ".join(json.dumps(v) for v in c) + "]" for c in minimal)
    return f"@{name}({_REQUIREMENT_ARGUMENT[name]}: [{printed}])"


def _alternatives(application: str) -> list[list[str]]:
    value = application[application.index(":") + 1 : application.rindex(")")].strip()
    parsed = json.loads(value)
    return [[str(v) for v in alternative] for alternative in parsed]
