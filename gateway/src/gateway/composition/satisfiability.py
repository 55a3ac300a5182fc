"""The common half of Apollo's satisfiability check: every field of the API schema must be
reachable from the root, in a subgraph the query can be in at that point or by moving to another
subgraph through a resolvable @key whose fields can be collected on the way.

A path is followed with every subgraph it may be in (a shareable field can be fetched from any of
its subgraphs); a @requires field counts only where what it requires can be fetched from its own
subgraph. Simplification, documented in the package: @provides paths are not followed (a provided
field is also reachable by a key, or the check reports it)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode

from gateway.composition.errors import CompositionIssue
from gateway.composition.fieldsets import FieldSetError, parse_field_set
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
        self.reachable_cache: dict[tuple[str, str], frozenset[str]] = {}
        self.resolvers_cache: dict[str, dict[str, frozenset[str]]] = {}
        self.requires_cache: dict[tuple[str, str, str], bool] = {}

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

    def resolvers(self, type_name: str) -> dict[str, frozenset[str]]:
        """Field name → the subgraphs resolving that field of the type."""
        cached = self.resolvers_cache.get(type_name)
        if cached is None:
            found: dict[str, set[str]] = {}
            for subgraph in self.subgraphs.values():
                typedef = self.view(subgraph, type_name)
                for field in typedef.fields.values() if typedef is not None else ():
                    if not field.external:
                        found.setdefault(field.name, set()).add(subgraph.name)
            cached = {name: frozenset(names) for name, names in found.items()}
            self.resolvers_cache[type_name] = cached
        return cached

    def requirements_met(self, subgraph_name: str, type_name: str, field_name: str) -> bool:
        """A @requires field resolves only if what it requires can be fetched from its subgraph."""
        cache_key = (subgraph_name, type_name, field_name)
        if cache_key not in self.requires_cache:
            self.requires_cache[cache_key] = True  # cautious while being worked out
            typedef = self.view(self.subgraphs[subgraph_name], type_name)
            field = typedef.fields.get(field_name) if typedef is not None else None
            met = True
            if field is not None and field.requires is not None:
                try:
                    selection_set = parse_field_set(field.requires)
                except FieldSetError:
                    selection_set = None
                met = selection_set is not None and self._collectable(
                    {subgraph_name}, type_name, selection_set, top_level=False
                )
            self.requires_cache[cache_key] = met
        return self.requires_cache[cache_key]

    def reachable(self, type_name: str, start: str) -> frozenset[str]:
        """Subgraphs an object of the type can be moved to from `start`, `start` included."""
        cache_key = (type_name, start)
        if cache_key in self.reachable_cache:
            return self.reachable_cache[cache_key]
        # While this is computed, a nested question about the same move gets the cautious answer.
        self.reachable_cache[cache_key] = frozenset({start})
        seen = {start}
        # Key fields may come from any subgraph already reached, so grow to a fixed point.
        grown = True
        while grown:
            grown = False
            for other in self.subgraphs.values():
                if other.name in seen:
                    continue
                typedef = self.view(other, type_name)
                if typedef is not None and any(
                    key.resolvable and self.can_supply(seen, type_name, key.fields)
                    for key in typedef.keys
                ):
                    seen.add(other.name)
                    grown = True
        result = frozenset(seen)
        self.reachable_cache[cache_key] = result
        return result

    def can_supply(self, options: set[str], type_name: str, fields: str) -> bool:
        """Whether a key's fields can be collected from the subgraphs the object is known in."""
        try:
            selection_set = parse_field_set(fields)
        except FieldSetError:
            return False
        return self._collectable(options, type_name, selection_set, top_level=True)

    def _collectable(
        self, options: set[str], type_name: str, selection_set: SelectionSetNode, *, top_level: bool
    ) -> bool:
        if not top_level:
            options = {o for s in options for o in self.reachable(type_name, s)}
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = type_name if condition is None else condition.name.value
                if not self._collectable(options, inner, selection.selection_set, top_level=False):
                    return False
                continue
            if not isinstance(selection, FieldNode) or selection.name.value == "__typename":
                continue
            name = selection.name.value
            resolving = {s for s in options if self.resolves(self.subgraphs[s], type_name, name)}
            if not resolving:
                return False
            if selection.selection_set is not None:
                child = self._field_type(type_name, name, resolving)
                if child is None or not self._collectable(
                    resolving, child, selection.selection_set, top_level=False
                ):
                    return False
        return True

    def _field_type(self, type_name: str, field_name: str, subgraphs: set[str]) -> str | None:
        for name in sorted(subgraphs):
            typedef = self.view(self.subgraphs[name], type_name)
            if typedef is not None and field_name in typedef.fields:
                return named_type(typedef.fields[field_name].type)
        return None

    def run(self) -> list[CompositionIssue]:
        queue: deque[tuple[str, frozenset[str], tuple[_Step, ...]]] = deque()
        seen: set[tuple[str, frozenset[str]]] = set()
        for root in _ROOTS:
            merged_root = self.merged.types.get(root)
            if merged_root is None:
                continue
            for field in merged_root.fields.values():
                if field.inaccessible:
                    continue
                options = frozenset(
                    s.name for s in self.subgraphs.values() if self.resolves(s, root, field.name)
                )
                if options:
                    queue.append((named_type(field.type), options, (_Step(field.name),)))
        while queue:
            type_name, options, path = queue.popleft()
            merged_type = self.merged.types.get(type_name)
            if merged_type is None or merged_type.inaccessible:
                continue
            if merged_type.kind in ("interface", "union"):
                if (type_name, options) in seen:
                    continue
                seen.add((type_name, options))
                for runtime, runtime_options in self._runtime_types(options, type_name).items():
                    step = _Step(path[-1].field, runtime)
                    queue.append((runtime, runtime_options, (*path[:-1], step)))
                continue
            if merged_type.kind != "object":
                continue
            # What follows depends only on the subgraphs the object can be moved to.
            moves = frozenset(m for s in sorted(options) for m in self.reachable(type_name, s))
            if (type_name, moves) in seen:
                continue
            seen.add((type_name, moves))
            resolvers = self.resolvers(type_name)
            for field in merged_type.fields.values():
                if field.inaccessible:
                    continue
                candidates = moves & resolvers.get(field.name, frozenset())
                resolving = frozenset(
                    c for c in candidates if self.requirements_met(c, type_name, field.name)
                )
                if not resolving:
                    self._report(sorted(options)[0], type_name, field.name, path, candidates)
                    continue
                queue.append((named_type(field.type), resolving, (*path, _Step(field.name))))
        return self.issues

    def _runtime_types(self, options: frozenset[str], type_name: str) -> dict[str, frozenset[str]]:
        """Each object type the abstract type may be at runtime, with the subgraphs that say so."""
        found: dict[str, set[str]] = {}
        for name in sorted(options):
            subgraph = self.subgraphs[name]
            typedef = subgraph.types.get(type_name)
            if typedef is None or typedef.kind == "object":  # an @interfaceObject
                continue
            if typedef.kind == "union":
                runtime = list(typedef.members)
            else:
                runtime = [
                    t.name
                    for t in subgraph.types.values()
                    if type_name in t.interfaces and t.kind == "object"
                ]
            for member in runtime:
                found.setdefault(member, set()).add(name)
        return {member: frozenset(names) for member, names in found.items()}

    def _report(
        self,
        origin: str,
        type_name: str,
        field_name: str,
        path: tuple[_Step, ...],
        unmet: frozenset[str] = frozenset(),
    ) -> None:
        coordinate = f"{type_name}.{field_name}"
        if coordinate in self.reported:
            return
        self.reported.add(coordinate)
        requirement = f'cannot satisfy @require conditions on field "{coordinate}".'
        origin_type = self.view(self.subgraphs[origin], type_name)
        if origin in unmet:
            lines = [f'- from subgraph "{origin}": {requirement}']
        elif origin_type is not None and field_name in origin_type.fields:
            lines = [
                f'- from subgraph "{origin}":',
                f'  - field "{coordinate}" is not resolvable because marked @external.',
            ]
        else:
            lines = [f'- from subgraph "{origin}":', f'  - cannot find field "{coordinate}".']
        involved = [origin]
        for other in self.subgraphs.values():
            if other.name == origin:
                continue
            if other.name in unmet:
                involved.append(other.name)
                lines.append(f'- from subgraph "{other.name}": {requirement}')
            elif self.resolves(other, type_name, field_name):
                involved.append(other.name)
                typedef = self.view(other, type_name)
                assert typedef is not None
                lines.extend(_why_no_move(typedef, other.name, origin, coordinate))
        query = _print_path(path, field_name)
        self.issues.append(
            CompositionIssue(
                "SATISFIABILITY_ERROR",
                f"The following supergraph API query:\n{query}\ncannot be satisfied by the "
                "subgraphs because:\n" + "\n".join(lines),
                tuple(involved),
            )
        )


def _why_no_move(typedef: TypeDef, subgraph: str, origin: str, coordinate: str) -> list[str]:
    move = f'  - cannot move to subgraph "{subgraph}"'
    has_field = f'{move}, which has field "{coordinate}", because'
    if not typedef.keys:
        return [f'{has_field} type "{typedef.name}" has no @key defined in subgraph "{subgraph}".']
    resolvable = [key for key in typedef.keys if key.resolvable]
    if not resolvable:
        return [
            f'{has_field} none of the @key defined on type "{typedef.name}" in subgraph '
            f'"{subgraph}" are resolvable (they are all declared with their "resolvable" '
            "argument set to false)."
        ]
    return [
        f'{move} using @key(fields: "{key.fields}") of "{typedef.name}", the key field(s) '
        f'cannot be resolved from subgraph "{origin}".'
        for key in resolvable
    ]


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
