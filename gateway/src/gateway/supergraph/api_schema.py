"""The API schema clients see: the supergraph without the specs' machinery (`join__`, `link`)
and without the elements marked `@inaccessible`."""

from __future__ import annotations

from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    NamedTypeNode,
    Node,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
)

from gateway.supergraph.links import LinkedSpecs


def _type_name(definition: Node) -> str | None:
    if isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
        return definition.name.value
    return None


class _Filter:
    def __init__(self, specs: LinkedSpecs) -> None:
        self.specs = specs
        self.hidden_types: set[str] = set()

    def is_inaccessible(self, node: Any) -> bool:
        name = self.specs.inaccessible
        return any(d.name.value == name for d in getattr(node, "directives", None) or ())

    def kept_directives(self, directives: Any) -> tuple[DirectiveNode, ...]:
        return tuple(
            d
            for d in directives or ()
            if d.name.value not in self.specs.directive_names
            and not self.specs.is_spec_name(d.name.value)
        )

    def arguments(self, values: Any) -> tuple[InputValueDefinitionNode, ...]:
        return tuple(
            value.__class__(
                **{**_fields(value), "directives": self.kept_directives(value.directives)}
            )
            for value in values or ()
            if not self.is_inaccessible(value)
        )

    def fields(self, values: Any) -> tuple[FieldDefinitionNode, ...]:
        kept = []
        for value in values or ():
            if self.is_inaccessible(value):
                continue
            kept.append(
                FieldDefinitionNode(
                    **{
                        **_fields(value),
                        "arguments": self.arguments(value.arguments),
                        "directives": self.kept_directives(value.directives),
                    }
                )
            )
        return tuple(kept)

    def named_types(self, values: Any) -> tuple[NamedTypeNode, ...]:
        return tuple(v for v in values or () if v.name.value not in self.hidden_types)

    def definition(self, node: Any) -> Any:
        changes: dict[str, Any] = {}
        if hasattr(node, "directives"):
            changes["directives"] = self.kept_directives(node.directives)
        if isinstance(
            node,
            ObjectTypeDefinitionNode
            | ObjectTypeExtensionNode
            | InterfaceTypeDefinitionNode
            | InterfaceTypeExtensionNode,
        ):
            changes["fields"] = self.fields(node.fields)
            changes["interfaces"] = self.named_types(node.interfaces)
        elif isinstance(node, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
            changes["fields"] = self.arguments(node.fields)
        elif isinstance(node, EnumTypeDefinitionNode | EnumTypeExtensionNode):
            changes["values"] = tuple(
                v.__class__(**{**_fields(v), "directives": self.kept_directives(v.directives)})
                for v in node.values or ()
                if not self.is_inaccessible(v)
            )
        elif isinstance(node, UnionTypeDefinitionNode | UnionTypeExtensionNode):
            changes["types"] = self.named_types(node.types)
        elif isinstance(node, DirectiveDefinitionNode):
            changes["arguments"] = self.arguments(node.arguments)
        return node.__class__(**{**_fields(node), **changes})


def _fields(node: Node) -> dict[str, Any]:
    return {key: getattr(node, key) for key in node.keys if key != "loc"}


def build_api_schema(document: DocumentNode, specs: LinkedSpecs) -> GraphQLSchema:
    spec_filter = _Filter(specs)
    for definition in document.definitions:
        name = _type_name(definition)
        if name and (specs.is_spec_name(name) or spec_filter.is_inaccessible(definition)):
            spec_filter.hidden_types.add(name)
    kept: list[Any] = []
    for definition in document.definitions:
        name = _type_name(definition)
        if name is not None and name in spec_filter.hidden_types:
            continue
        if isinstance(definition, DirectiveDefinitionNode):
            directive = definition.name.value
            if directive in specs.directive_names or specs.is_spec_name(directive):
                continue
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            kept.append(definition.__class__(**{**_fields(definition), "directives": ()}))
            continue
        kept.append(spec_filter.definition(definition))
    return build_ast_schema(DocumentNode(definitions=tuple(kept)), assume_valid_sdl=True)
