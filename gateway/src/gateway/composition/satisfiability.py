"""The common half of Apollo's satisfiability check: every field of the API schema must be
reachable from the root, either in the subgraph a query is already in or by moving to another
subgraph through a resolvable @key whose fields the current subgraph can supply.

Simplifications, documented in the package: @requires and @provides are not followed, and a move
is allowed when the key's fields are all resolvable in the subgraph being left."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from gateway.composition.errors import CompositionIssue
from gateway.composition.fieldsets import FieldSetError, targets
from gateway.composition.model import Subgraph, TypeDef, named_type
from gateway.composition.supergraph_model import MergedSchema

_ROOTS = ("Query", "Mutation", "Subscription")


@dataclass(frozen=True, slots=True)
class _Step:
    field: str
    type_condition: str | None = None


def check_satisfiability(subgraphs: list[Subgraph], merged: MergedSchema) -> list[CompositionIssue]:
    return _Checker(subgraphs, merged).run()


class _Checker:
    def __init__(self, subgraphs: list[Subgraph], merged: MergedSchema) -> None:
        self.subgraphs = {s.name: s for s in subgraphs}
        self.merged = merged
        self.issues: list[CompositionIssue] = []
        self.reported: set[str] = set()

    def view(self, subgraph: Subgraph, type_name: str) -> TypeDef | None:
        """The type in the subgraph, or the @interfaceObject standing for one of its interfaces."""
        typedef = subgraph.object_like(type_name)
        if typedef is not None:
            return typedef
        merged = self.merged.types.get(type_name)
        for interface in merged.interfaces if merged is not None else ():
            candidate = subgraph.object_like(interface)
            if candidate is not None and candidate.interface_object:
                return candidate
        return None

    def resolves(self, subgraph: Subgraph, type_name: str, field_name: str) -> bool:
        typedef = self.view(subgraph, type_name)
        if typedef is None or field_name not in typedef.fields:
            return False
        return not typedef.fields[field_name].external

    def can_supply(self, subgraph: Subgraph, type_name: str, fields: str) -> bool:
        try:
            selected = targets(subgraph, type_name, fields)
        except FieldSetError:
            return False
        return all(not t.field.external for t in selected)

    def reachable(self, type_name: str, start: str) -> set[str]:
        """Subgraphs an object of the type can be moved to from `start`, `start` included."""
        seen = {start}
        queue = deque([start])
        while queue:
            here = self.subgraphs[queue.popleft()]
            here_type = self.view(here, type_name)
            if here_type is None:
                continue
            for other in self.subgraphs.values():
                if other.name in seen:
                    continue
                typedef = self.view(other, type_name)
                if typedef is None:
                    continue
                if any(
                    key.resolvable and self.can_supply(here, here_type.name, key.fields)
                    for key in typedef.keys
                ):
                    seen.add(other.name)
                    queue.append(other.name)
        return seen

    def run(self) -> list[CompositionIssue]:
        queue: deque[tuple[str, str, tuple[_Step, ...]]] = deque()
        seen: set[tuple[str, str]] = set()
        for root in _ROOTS:
            merged_root = self.merged.types.get(root)
            if merged_root is None:
                continue
            for field in merged_root.fields.values():
                if field.inaccessible:
                    continue
                for subgraph in self.subgraphs.values():
                    if self.resolves(subgraph, root, field.name):
                        queue.append((named_type(field.type), subgraph.name, (_Step(field.name),)))
        while queue:
            type_name, subgraph_name, path = queue.popleft()
            if (type_name, subgraph_name) in seen:
                continue
            seen.add((type_name, subgraph_name))
            merged_type = self.merged.types.get(type_name)
            if merged_type is None or merged_type.inaccessible:
                continue
            subgraph = self.subgraphs[subgraph_name]
            if merged_type.kind in ("interface", "union"):
                for runtime in self._runtime_types(subgraph, type_name):
                    queue.append(
                        (runtime, subgraph_name, (*path[:-1], _Step(path[-1].field, runtime)))
                    )
                continue
            if merged_type.kind != "object":
                continue
            moves = self.reachable(type_name, subgraph_name)
            for field in merged_type.fields.values():
                if field.inaccessible:
                    continue
                resolving = [
                    s for s in moves if self.resolves(self.subgraphs[s], type_name, field.name)
                ]
                if not resolving:
                    self._report(subgraph, type_name, field.name, path)
                    continue
                for name in resolving:
                    queue.append((named_type(field.type), name, (*path, _Step(field.name))))
        return self.issues

    def _runtime_types(self, subgraph: Subgraph, type_name: str) -> list[str]:
        typedef = subgraph.types.get(type_name)
        if typedef is None:
            return []
        if typedef.kind == "union":
            return list(typedef.members)
        if typedef.kind == "object":  # an @interfaceObject stands for the interface
            return []
        return [
            t.name
            for t in subgraph.types.values()
            if type_name in t.interfaces and t.kind == "object"
        ]

    def _report(
        self, subgraph: Subgraph, type_name: str, field_name: str, path: tuple[_Step, ...]
    ) -> None:
        coordinate = f"{type_name}.{field_name}"
        if coordinate in self.reported:
            return
        self.reported.add(coordinate)
        reasons = [f'  - cannot find field "{coordinate}".']
        involved = [subgraph.name]
        for other in self.subgraphs.values():
            if other.name == subgraph.name or not self.resolves(other, type_name, field_name):
                continue
            involved.append(other.name)
            typedef = self.view(other, type_name)
            assert typedef is not None
            reasons.append(
                f'  - cannot move to subgraph "{other.name}", which has field "{coordinate}", '
                + _why_no_move(typedef, other.name)
            )
        query = _print_path(path, field_name)
        self.issues.append(
            CompositionIssue(
                "SATISFIABILITY_ERROR",
                f"The following supergraph API query:\n{query}\ncannot be satisfied by the "
                f'subgraphs because:\n- from subgraph "{subgraph.name}":\n' + "\n".join(reasons),
                tuple(involved),
            )
        )


def _why_no_move(typedef: TypeDef, subgraph: str) -> str:
    if not typedef.keys:
        return f'because type "{typedef.name}" has no @key defined in subgraph "{subgraph}".'
    if not any(key.resolvable for key in typedef.keys):
        return (
            f'because none of the @key defined on type "{typedef.name}" in subgraph "{subgraph}" '
            'are resolvable (they are all declared with their "resolvable" argument set to false).'
        )
    keys = ", ".join(f'@key(fields: "{key.fields}")' for key in typedef.keys if key.resolvable)
    return f"because no key of it ({keys}) can be supplied by the subgraph the query is in."


def _print_path(path: tuple[_Step, ...], leaf: str) -> str:
    lines = ["{"]
    indent = "  "
    closers: list[str] = []
    for step in path:
        lines.append(f"{indent}{step.field} {{")
        closers.append(f"{indent}}}")
        indent += "  "
        if step.type_condition is not None:
            lines.append(f"{indent}... on {step.type_condition} {{")
            closers.append(f"{indent}}}")
            indent += "  "
    lines.append(f"{indent}{leaf}")
    lines.extend(reversed(closers))
    lines.append("}")
    return "\n".join(lines)
