"""Checks that need only one subgraph: that @key, @requires and @provides select what they may,
and that every @external field is used. Messages follow Apollo's, prefixed with the subgraph."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.composition.errors import CompositionIssue
from gateway.composition.fieldsets import FieldSetError, Target, targets
from gateway.composition.model import Subgraph, TypeDef, named_type

_EXTERNAL_UNUSED = (
    'Field "{coordinate}" is marked @external but is not used in any federation directive '
    "(@key, @provides, @requires) or to satisfy an interface; the field declaration has no "
    "use and should be removed (or the field should not be @external)."
)


def check_subgraph(subgraph: Subgraph) -> list[CompositionIssue]:
    issues: list[CompositionIssue] = []

    def report(code: str, message: str) -> None:
        issues.append(CompositionIssue(code, f"[{subgraph.name}] {message}", (subgraph.name,)))

    for typedef in subgraph.types.values():
        for key in typedef.keys:
            where = f'On type "{typedef.name}", for @key(fields: "{key.fields}"): '
            for code, problem in _key_problems(subgraph, typedef, key.fields):
                report(code, where + problem)
        for field in typedef.fields.values():
            coordinate = f"{typedef.name}.{field.name}"
            if field.requires is not None:
                where = f'On field "{coordinate}", for @requires(fields: "{field.requires}"): '
                for code, problem in _selection_problems(
                    subgraph, typedef.name, field.requires, "requires"
                ):
                    report(code, where + problem)
            if field.provides is not None:
                target_type = subgraph.types.get(named_type(field.type))
                if target_type is None or target_type.kind not in ("object", "interface", "union"):
                    report(
                        "PROVIDES_ON_NON_OBJECT_FIELD",
                        f'Invalid @provides directive on field "{coordinate}": field has type '
                        f'"{field.type}" which is not a Composite Type',
                    )
                    continue
                where = f'On field "{coordinate}", for @provides(fields: "{field.provides}"): '
                for code, problem in _selection_problems(
                    subgraph, target_type.name, field.provides, "provides"
                ):
                    report(code, where + problem)
    used = used_fields(subgraph)
    for typedef in subgraph.types.values():
        for field in typedef.fields.values():
            if field.external and (typedef.name, field.name) not in used:
                coordinate = f"{typedef.name}.{field.name}"
                report("EXTERNAL_UNUSED", _EXTERNAL_UNUSED.format(coordinate=coordinate))
    return issues


def _key_problems(subgraph: Subgraph, typedef: TypeDef, fields: str) -> Iterator[tuple[str, str]]:
    try:
        selected = targets(subgraph, typedef.name, fields)
    except FieldSetError as exc:
        yield "KEY_INVALID_FIELDS", _explained(str(exc), for_key=True)
        return
    for target in selected:
        coordinate = f"{target.parent.name}.{target.field.name}"
        if target.field.args:
            yield (
                "KEY_FIELDS_HAS_ARGS",
                f"field {coordinate} cannot be included because it has arguments (fields with "
                "argument are not allowed in @key)",
            )
            continue
        child = subgraph.types.get(named_type(target.field.type))
        if child is not None and child.kind in ("interface", "union"):
            kind = "Interface" if child.kind == "interface" else "Union"
            yield (
                "KEY_FIELDS_SELECT_INVALID_TYPE",
                f'field "{coordinate}" is a {kind} type which is not allowed in @key',
            )
        elif _missing_subselection(subgraph, target):
            yield "KEY_INVALID_FIELDS", _no_subselection(target)


def _selection_problems(
    subgraph: Subgraph, type_name: str, fields: str, directive: str
) -> Iterator[tuple[str, str]]:
    code_prefix = directive.upper()
    try:
        selected = targets(subgraph, type_name, fields)
    except FieldSetError as exc:
        yield f"{code_prefix}_INVALID_FIELDS", _explained(str(exc), for_key=False)
        return
    for target in selected:
        coordinate = f"{target.parent.name}.{target.field.name}"
        if directive == "provides" and target.field.args:
            yield (
                "PROVIDES_FIELDS_HAS_ARGS",
                f"field {coordinate} cannot be included because it has arguments (fields with "
                "argument are not allowed in @provides)",
            )
        if _missing_subselection(subgraph, target):
            yield f"{code_prefix}_INVALID_FIELDS", _no_subselection(target)
        elif (
            target.node.selection_set is None
            and not target.field.external
            and not target.external_in_parents
        ):
            yield (
                f"{code_prefix}_FIELDS_MISSING_EXTERNAL",
                f'field "{coordinate}" should not be part of a @{directive} since it is already '
                "provided by this subgraph (it is not marked @external)",
            )


def _missing_subselection(subgraph: Subgraph, target: Target) -> bool:
    child = subgraph.types.get(named_type(target.field.type))
    composite = child is not None and child.kind in ("object", "interface", "union")
    return composite and target.node.selection_set is None


def _no_subselection(target: Target) -> str:
    return (
        f'Field "{target.field.name}" of type "{target.field.type}" must have a selection of '
        f'subfields. Did you mean "{target.field.name} {{ ... }}"?'
    )


def _explained(problem: str, *, for_key: bool) -> str:
    if not problem.startswith("Cannot query field"):
        return problem
    if for_key:
        return (
            problem[:-1] + " (the field should either be added to this subgraph or, if it "
            "should not be resolved by this subgraph, you need to add it to this subgraph "
            "with @external)."
        )
    return (
        problem[:-1] + " (if the field is defined in another subgraph, you need to add it to "
        "this subgraph with @external)."
    )


def used_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    """Fields a federation directive selects, or that implement an interface's field."""
    used: set[tuple[str, str]] = set()

    def mark(type_name: str, fields: str) -> None:
        try:
            for target in targets(subgraph, type_name, fields):
                used.add((target.parent.name, target.field.name))
                _mark_implementations(subgraph, target, used)
        except FieldSetError:
            pass

    for typedef in subgraph.types.values():
        for key in typedef.keys:
            mark(typedef.name, key.fields)
        for field in typedef.fields.values():
            if field.requires is not None:
                mark(typedef.name, field.requires)
            target_type = subgraph.types.get(named_type(field.type))
            if field.provides is not None and target_type is not None:
                mark(target_type.name, field.provides)
        for interface_name in typedef.interfaces:
            interface = subgraph.types.get(interface_name)
            if interface is not None:
                used.update((typedef.name, name) for name in interface.fields)
    return used


def _mark_implementations(subgraph: Subgraph, target: Target, used: set[tuple[str, str]]) -> None:
    # A selection on an interface field reaches the same field of every implementation.
    if target.parent.kind != "interface":
        return
    for typedef in subgraph.types.values():
        if target.parent.name in typedef.interfaces and target.field.name in typedef.fields:
            used.add((typedef.name, target.field.name))
