"""`@composeDirective`: custom directives a subgraph asks to keep in the supergraph. Each must be
defined in the subgraph and imported from a spec it `@link`s, which the supergraph links too."""

from __future__ import annotations

from graphql.language import (
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
)

from gateway.composition.links import DirectiveNames
from gateway.composition.model import ComposedDirective
from gateway.composition.printing import print_type_reference, print_value


class ComposeError(Exception):
    """A @composeDirective that cannot be honoured; the text says why."""


def read_composed(document: DocumentNode, names: DirectiveNames) -> dict[str, ComposedDirective]:
    schema_directives = [
        directive
        for node in document.definitions
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode)
        for directive in node.directives or ()
    ]
    definitions = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, DirectiveDefinitionNode)
    }
    composed: dict[str, ComposedDirective] = {}
    for directive in schema_directives:
        if names.canonical(directive.name.value) != "composeDirective":
            continue
        name = _string_argument(directive, "name").lstrip("@")
        definition = definitions.get(name)
        if definition is None:
            raise ComposeError(
                "Could not find matching directive definition for argument to "
                f'@composeDirective "@{name}".'
            )
        link_url, link_import = _imported_by(schema_directives, name)
        composed[name] = ComposedDirective(
            name=name,
            definition=_print_definition(definition),
            repeatable=definition.repeatable,
            link_url=link_url,
            link_import=link_import,
        )
    return composed


def print_application(node: ConstDirectiveNode) -> str:
    arguments = ", ".join(f"{a.name.value}: {print_value(a.value)}" for a in node.arguments or ())
    return f"@{node.name.value}({arguments})" if arguments else f"@{node.name.value}"


def _string_argument(directive: ConstDirectiveNode, name: str) -> str:
    for argument in directive.arguments or ():
        if argument.name.value == name and isinstance(argument.value, StringValueNode):
            return argument.value.value
    raise ComposeError(f"@{directive.name.value} needs a string `{name}`")


def _imported_by(schema_directives: list[ConstDirectiveNode], name: str) -> tuple[str, str]:
    """The URL of the @link importing the directive, and its import entry as written."""
    for link in schema_directives:
        if link.name.value != "link":
            continue
        arguments = {a.name.value: a.value for a in link.arguments or ()}
        url = arguments.get("url")
        imports = arguments.get("import")
        if not isinstance(url, StringValueNode) or imports is None:
            continue
        for entry in imports.values if isinstance(imports, ListValueNode) else [imports]:
            if isinstance(entry, StringValueNode) and entry.value == f"@{name}":
                return url.value, print_value(entry)
            if isinstance(entry, ObjectValueNode):
                fields = {f.name.value: f.value for f in entry.fields or ()}
                alias = fields.get("as") or fields.get("name")
                if isinstance(alias, StringValueNode) and alias.value == f"@{name}":
                    return url.value, print_value(entry)
    raise ComposeError(
        f'Directive "@{name}" cannot be composed because it is not a member of a core feature'
    )


def _print_definition(node: DirectiveDefinitionNode) -> str:
    arguments = []
    for argument in node.arguments or ():
        text = f"{argument.name.value}: {print_type_reference(argument.type)}"
        if argument.default_value is not None:
            text += f" = {print_value(argument.default_value)}"
        arguments.append(text)
    printed = f"directive @{node.name.value}"
    if arguments:
        printed += "(" + ", ".join(arguments) + ")"
    if node.repeatable:
        printed += " repeatable"
    return printed + " on " + " | ".join(location.value for location in node.locations)
