"""Which fields a subgraph shares without saying so (key fields, provided @external fields)
and which it provides through @provides."""

from __future__ import annotations

from collections.abc import Callable

from gateway.composition.fieldsets import FieldSetError, targets
from gateway.composition.model import Field, Subgraph, named_type


def _field_set_targets(
    subgraph: Subgraph, type_name: str, fields: str, sink: Callable[[str, Field], None]
) -> None:
    try:
        for target in targets(subgraph, type_name, fields):
            sink(target.parent.name, target.field)
    except FieldSetError:
        pass


def shareable_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    """Key fields and provided @external fields are shareable without saying so."""
    found: set[tuple[str, str]] = set()

    def add(parent: str, f: Field) -> None:
        found.add((parent, f.name))

    for typedef in subgraph.types.values():
        for key in typedef.keys:
            _field_set_targets(subgraph, typedef.name, key.fields, add)
        for f in typedef.fields.values():
            child = subgraph.types.get(named_type(f.type))
            if f.provides is not None and child is not None:
                _field_set_targets(
                    subgraph,
                    child.name,
                    f.provides,
                    lambda parent, g: add(parent, g) if g.external else None,
                )
    return found


def provided_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for typedef in subgraph.types.values():
        for f in typedef.fields.values():
            child = subgraph.types.get(named_type(f.type))
            if f.provides is not None and child is not None:
                _field_set_targets(
                    subgraph, child.name, f.provides, lambda parent, g: found.add((parent, g.name))
                )
    return found
