"""What the supergraph says about each type and field: which subgraphs define and resolve them,
their keys, `@requires`, `@provides`, overrides, interface implementations and union members."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EntityKey:
    """One `@key` of a type in one subgraph."""

    fields: str
    resolvable: bool


@dataclass(slots=True)
class FieldInfo:
    name: str
    resolvable_in: tuple[str, ...]
    """Subgraphs that resolve the field themselves, in the supergraph's order."""
    external_in: frozenset[str] = frozenset()
    requires: dict[str, str] = field(default_factory=dict)
    """Subgraph → the field set it needs from elsewhere to resolve this field."""
    provides: dict[str, str] = field(default_factory=dict)
    """Subgraph → the field set of the returned type it can resolve along with this field."""
    overridden_from: dict[str, str] = field(default_factory=dict)
    """Subgraph → the subgraph it took this field over from."""
    inaccessible: bool = False


@dataclass(slots=True)
class TypeInfo:
    name: str
    kind: str
    """object, interface, union, enum, input, scalar."""
    subgraphs: tuple[str, ...] = ()
    keys: dict[str, list[EntityKey]] = field(default_factory=dict)
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    implements: dict[str, frozenset[str]] = field(default_factory=dict)
    """Subgraph → the interfaces the type implements there."""
    union_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Subgraph → the union's members there."""
    interface_object_in: frozenset[str] = frozenset()
    inaccessible: bool = False

    def resolvable_keys(self, subgraph: str) -> list[EntityKey]:
        return [key for key in self.keys.get(subgraph, ()) if key.resolvable]

    @property
    def is_entity(self) -> bool:
        return any(self.keys.values())
