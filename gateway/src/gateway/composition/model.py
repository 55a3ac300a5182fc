"""The composer's view of one subgraph once federation's own machinery is read and stripped:
types, fields and the federation facts attached to them, under their canonical names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql.language import ValueNode

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]

KIND_NAMES: dict[TypeKind, str] = {
    "object": "Object Type",
    "interface": "Interface Type",
    "union": "Union Type",
    "enum": "Enum Type",
    "input": "Input Object Type",
    "scalar": "Scalar Type",
}

ROOT_KINDS = ("query", "mutation", "subscription")
DEFAULT_ROOT_NAMES = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}


@dataclass(slots=True)
class Applied:
    """What every schema element may carry: a description, a deprecation, @inaccessible, @tag."""

    description: str | None = None
    inaccessible: bool = False
    # @tag, @deprecated and composed directives as written, in order: (name, text, repeatable).
    directives: list[tuple[str, str, bool]] = field(default_factory=list)


@dataclass(slots=True)
class Argument(Applied):
    name: str = ""
    type: str = ""
    default: ValueNode | None = None
    # @fromContext: (context name qualified by subgraph, selection); filled in, not asked for.
    from_context: tuple[str, str] | None = None


@dataclass(slots=True)
class Field(Applied):
    name: str = ""
    type: str = ""
    args: dict[str, Argument] = field(default_factory=dict)
    default: ValueNode | None = None  # input fields only
    external: bool = False
    requires: str | None = None
    provides: str | None = None
    shareable: bool = False
    override_from: str | None = None
    override_label: str | None = None
    from_extension: bool = False


@dataclass(slots=True)
class EnumValue(Applied):
    name: str = ""


@dataclass(frozen=True, slots=True)
class Key:
    fields: str
    resolvable: bool = True
    # `resolvable: true` written out is kept in the supergraph, as Apollo keeps it.
    resolvable_given: bool = False


@dataclass(slots=True)
class TypeDef(Applied):
    name: str = ""
    kind: TypeKind = "object"
    fields: dict[str, Field] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, EnumValue] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)
    # Only declared with `extend type` or @extends: Apollo marks it `extension: true`.
    has_definition: bool = False
    extends: bool = False
    interface_object: bool = False
    specified_by: str | None = None

    @property
    def is_extension(self) -> bool:
        return self.extends or not self.has_definition

    @property
    def is_entity(self) -> bool:
        return bool(self.keys)


EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
    }
)


@dataclass(slots=True)
class DirectiveDef(Applied):
    """A directive for operations (`on FIELD | QUERY ...`), the only kind a supergraph keeps."""

    name: str = ""
    args: dict[str, Argument] = field(default_factory=dict)
    repeatable: bool = False
    locations: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ComposedDirective:
    """A custom directive the subgraph asks to keep (`@composeDirective`), with its spec's link."""

    name: str
    definition: str
    repeatable: bool
    link_url: str
    link_import: str


@dataclass(slots=True)
class Subgraph:
    name: str
    url: str
    types: dict[str, TypeDef]
    federation_version: tuple[int, int]
    fed1: bool
    uses_tag: bool = False
    uses_inaccessible: bool = False
    uses_cost: bool = False
    uses_context: bool = False
    # Access-control specs (authenticated, requiresScopes, policy) in the order first used.
    access_control: list[str] = field(default_factory=list)
    directives: dict[str, DirectiveDef] = field(default_factory=dict)
    description: str | None = None
    composed: dict[str, ComposedDirective] = field(default_factory=dict)

    def object_like(self, name: str) -> TypeDef | None:
        found = self.types.get(name)
        return found if found is not None and found.kind in ("object", "interface") else None


def named_type(type_ref: str) -> str:
    return type_ref.strip("[]!")


def is_non_null(type_ref: str) -> bool:
    return type_ref.endswith("!")


def is_list(type_ref: str) -> bool:
    return type_ref.rstrip("!").startswith("[")
