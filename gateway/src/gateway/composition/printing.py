"""Prints the merged schema as a supergraph SDL in the layout Apollo's composition prints:
the `@link`ed specs, their definitions, then every type in name order with its join directives."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cmp_to_key

from graphql.language import (
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectValueNode,
    StringValueNode,
    TypeNode,
    ValueNode,
    print_ast,
)

from gateway.composition.model import Applied
from gateway.composition.supergraph_model import (
    JoinField,
    JoinType,
    MergedArgument,
    MergedField,
    MergedSchema,
    MergedType,
)

_TAG = (
    "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
    "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | "
    "SCHEMA"
)
_INACCESSIBLE = (
    "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
    "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_LINK_PURPOSE = '''enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''
_CONTEXT_ARGUMENT = """input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}"""


def print_type_reference(node: TypeNode) -> str:
    if isinstance(node, NonNullTypeNode):
        return print_type_reference(node.type) + "!"
    if isinstance(node, ListTypeNode):
        return "[" + print_type_reference(node.type) + "]"
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def print_value(value: ValueNode) -> str:
    """A literal as Apollo prints default values: `{a: 1, b: [X, Y]}`, strings JSON-quoted."""
    if isinstance(value, ListValueNode):
        return "[" + ", ".join(print_value(v) for v in value.values or ()) + "]"
    if isinstance(value, ObjectValueNode):
        fields = (f"{f.name.value}: {print_value(f.value)}" for f in value.fields or ())
        return "{" + ", ".join(fields) + "}"
    if isinstance(value, StringValueNode):
        return json.dumps(value.value, ensure_ascii=False)
    return print_ast(value)


_COST = (
    "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
    "INPUT_FIELD_DEFINITION | OBJECT | SCALAR"
)
_LIST_SIZE = (
    "directive @{name}(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
    "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION"
)


_ACCESS_CONTROL_LOCATIONS = "on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
_ACCESS_CONTROL: dict[str, tuple[str, str | None]] = {
    "authenticated": (f"directive @authenticated {_ACCESS_CONTROL_LOCATIONS}", None),
    "requiresScopes": (
        "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) "
        + _ACCESS_CONTROL_LOCATIONS,
        "requiresScopes__Scope",
    ),
    "policy": (
        f"directive @policy(policies: [[policy__Policy!]!]!) {_ACCESS_CONTROL_LOCATIONS}",
        "policy__Policy",
    ),
}


def _applies(schema: MergedSchema, directive: str) -> bool:
    return any(
        name == directive
        for merged in schema.types.values()
        for field in merged.fields.values()
        for name, _, _ in field.directives
    )


def join_version(federation_version: tuple[int, int]) -> tuple[int, int]:
    """The join spec Apollo's composition links for the newest federation version in use."""
    if federation_version >= (2, 8):
        return (0, 5)
    if federation_version >= (2, 7):
        return (0, 4)
    return (0, 3)


def _join_definitions(version: tuple[int, int]) -> tuple[dict[str, str], dict[str, str]]:
    field_args = (
        "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, "
        "external: Boolean, override: String, usedOverridden: Boolean"
    )
    if version >= (0, 4):
        field_args += ", overrideLabel: String"
    if version >= (0, 5):
        field_args += ", contextArguments: [join__ContextArgument!]"
    directives = {
        "join__enumValue": "directive @join__enumValue(graph: join__Graph!) repeatable on "
        "ENUM_VALUE",
        "join__field": f"directive @join__field({field_args}) repeatable on FIELD_DEFINITION | "
        "INPUT_FIELD_DEFINITION",
        "join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "join__implements": "directive @join__implements(graph: join__Graph!, interface: String!) "
        "repeatable on OBJECT | INTERFACE",
        "join__type": "directive @join__type(graph: join__Graph!, key: join__FieldSet, "
        "extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! "
        "= false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR",
        "join__unionMember": "directive @join__unionMember(graph: join__Graph!, member: String!) "
        "repeatable on UNION",
        "link": "directive @link(url: String, as: String, for: link__Purpose, import: "
        "[link__Import]) repeatable on SCHEMA",
    }
    types = {
        "join__FieldSet": "scalar join__FieldSet",
        "link__Import": "scalar link__Import",
        "link__Purpose": _LINK_PURPOSE,
    }
    if version >= (0, 4):
        directives["join__directive"] = (
            "directive @join__directive(graphs: [join__Graph!], name: String!, args: "
            "join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
        )
        types["join__DirectiveArguments"] = "scalar join__DirectiveArguments"
    if version >= (0, 5):
        types["join__ContextArgument"] = _CONTEXT_ARGUMENT
        types["join__FieldValue"] = "scalar join__FieldValue"
    return directives, types


def _compare_names(a: str, b: str) -> int:
    # Close to JavaScript's localeCompare, which Apollo sorts with: case-insensitive first.
    key_a, key_b = (a.lower(), a), (b.lower(), b)
    return (key_a > key_b) - (key_a < key_b)


def _sorted_names(names: Sequence[str]) -> list[str]:
    return sorted(names, key=cmp_to_key(_compare_names))


def _string(value: str) -> str:
    return print_ast(StringValueNode(value=value))


def _block_string(value: str, indentation: str) -> str:
    multiple_lines = "\n" in value or value.endswith(('"', "\\")) or len(value) > 70
    single_line = "\n" not in value
    result = ""
    if multiple_lines and not (single_line and value[:1] in (" ", "\t")):
        result += "\n"
    result += value
    if multiple_lines:
        result += "\n"
    printed = '"""' + result.replace('"""', '\\"""') + '"""'
    return indentation + printed.replace("\n", "\n" + indentation)


def _description(element: Applied, indentation: str = "", first: bool = True) -> str:
    if element.description is None:
        return ""
    prefix = "\n" if indentation and not first else ""
    return prefix + _block_string(element.description, indentation) + "\n"


def _applied(element: Applied) -> list[str]:
    """@inaccessible, then @tag, @deprecated and composed directives in their merged order."""
    return [
        *(["@inaccessible"] if element.inaccessible else []),
        *(text for _, text, _ in element.directives),
    ]


def _join_type(join: JoinType) -> str:
    args = [f"graph: {join.graph}"]
    if join.key is not None:
        args.append(f"key: {_string(join.key)}")
    if join.extension:
        args.append("extension: true")
    if not join.resolvable or join.resolvable_given:
        args.append(f"resolvable: {'true' if join.resolvable else 'false'}")
    if join.interface_object:
        args.append("isInterfaceObject: true")
    return f"@join__type({', '.join(args)})"


def _join_field(join: JoinField) -> str:
    args = [] if join.graph is None else [f"graph: {join.graph}"]
    for name, value in (
        ("requires", join.requires),
        ("provides", join.provides),
        ("type", join.type),
        ("override", join.override),
    ):
        if value is not None:
            args.append(f"{name}: {_string(value)}")
    if join.external:
        args.append("external: true")
    if join.used_overridden:
        args.append("usedOverridden: true")
    if join.override_label is not None:
        args.append(f"overrideLabel: {_string(join.override_label)}")
    if join.context_arguments:
        printed = ", ".join(
            f"{{context: {_string(context)}, name: {_string(name)}, type: {_string(type_ref)}, "
            f"selection: {_string(selection)}}}"
            for context, name, type_ref, selection in join.context_arguments
        )
        args.append(f"contextArguments: [{printed}]")
    return f"@join__field({', '.join(args)})" if args else "@join__field"


def _on_new_lines(directives: list[str], more: bool) -> str:
    if not directives:
        return " " if more else ""
    return "\n  " + "\n  ".join(directives) + ("\n" if more else "")


def _argument(argument: MergedArgument) -> str:
    text = f"{argument.name}: {argument.type}"
    if argument.default is not None:
        text += f" = {print_value(argument.default)}"
    directives = _applied(argument)
    return text + "".join(f" {d}" for d in directives)


def _arguments(arguments: Sequence[MergedArgument], indentation: str = "  ") -> str:
    if not arguments:
        return ""
    if all(a.description is None for a in arguments):
        return "(" + ", ".join(_argument(a) for a in arguments) + ")"
    inner = indentation + "  "
    lines = [
        _description(a, inner, index == 0) + inner + _argument(a)
        for index, a in enumerate(arguments)
    ]
    return "(\n" + "\n".join(lines) + "\n" + indentation + ")"


def _field(field: MergedField, index: int, input_field: bool) -> str:
    text = _description(field, "  ", index == 0) + "  " + field.name
    text += _arguments(list(field.args.values()))
    text += f": {field.type}"
    if input_field and field.default is not None:
        text += f" = {print_value(field.default)}"
    directives = [
        *(["@inaccessible"] if field.inaccessible else []),
        *(_join_field(j) for j in field.joins),
        *(d for d in _applied(field) if d != "@inaccessible"),
    ]
    return text + "".join(f" {d}" for d in directives)


def _block(lines: list[str]) -> str:
    return "{\n" + "\n".join(lines) + "\n}" if lines else ""


def _type(merged: MergedType) -> str:
    keyword = {
        "object": "type",
        "interface": "interface",
        "union": "union",
        "enum": "enum",
        "input": "input",
        "scalar": "scalar",
    }[merged.kind]
    header = _description(merged) + f"{keyword} {merged.name}"
    if merged.interfaces:
        header += " implements " + " & ".join(merged.interfaces)
    directives = [
        *(f"@join__implements(graph: {g}, interface: {_string(i)})" for g, i in merged.implements),
        *(_join_type(j) for j in merged.join_types),
    ]
    if merged.kind == "union":
        directives += [
            f"@join__unionMember(graph: {g}, member: {_string(m)})" for g, m in merged.union_members
        ]
    directives += _applied(merged)
    if merged.specified_by is not None:
        directives.append(f"@specifiedBy(url: {_string(merged.specified_by)})")
    if merged.kind == "scalar":
        return header + _on_new_lines(directives, more=False)
    if merged.kind == "union":
        members = " = " + " | ".join(merged.members) if merged.members else ""
        return header + _on_new_lines(directives, bool(merged.members)) + members
    if merged.kind == "enum":
        lines = []
        for index, value in enumerate(merged.values.values()):
            value_directives = [
                *(["@inaccessible"] if value.inaccessible else []),
                *(f"@join__enumValue(graph: {g})" for g in value.graphs),
                *(d for d in _applied(value) if d != "@inaccessible"),
            ]
            lines.append(
                _description(value, "  ", index == 0)
                + "  "
                + value.name
                + "".join(f" {d}" for d in value_directives)
            )
        return header + _on_new_lines(directives, bool(lines)) + _block(lines)
    fields = [
        _field(f, index, merged.kind == "input") for index, f in enumerate(merged.fields.values())
    ]
    return header + _on_new_lines(directives, bool(fields)) + _block(fields)


def print_supergraph(schema: MergedSchema) -> str:
    version = join_version(schema.federation_version)
    links = [
        '@link(url: "https://specs.apollo.dev/link/v1.0")',
        f'@link(url: "https://specs.apollo.dev/join/v{version[0]}.{version[1]}", for: EXECUTION)',
    ]
    directives, spec_types = _join_definitions(version)
    for spec in schema.specs:
        if spec == "tag":
            links.append('@link(url: "https://specs.apollo.dev/tag/v0.3")')
            directives["tag"] = _TAG
        elif spec == "inaccessible":
            links.append('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')
            directives["inaccessible"] = _INACCESSIBLE
        elif spec in _ACCESS_CONTROL:
            links.append(f'@link(url: "https://specs.apollo.dev/{spec}/v0.1", for: SECURITY)')
            directive, scalar = _ACCESS_CONTROL[spec]
            directives[spec] = directive
            if scalar is not None:
                spec_types[scalar] = f"scalar {scalar}"
        elif spec == "context":
            links.append('@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)')
            directives["context"] = (
                "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION"
            )
            directives["context__fromContext"] = (
                "directive @context__fromContext(field: context__ContextFieldValue) on "
                "ARGUMENT_DEFINITION"
            )
            spec_types["context__ContextFieldValue"] = "scalar context__ContextFieldValue"
        elif spec == "cost":
            list_size = "listSize" if _applies(schema, "listSize") else "cost__listSize"
            imports = ', import: ["@listSize"]' if list_size == "listSize" else ""
            links.append(f'@link(url: "https://specs.apollo.dev/cost/v0.1"{imports})')
            directives["cost"] = _COST
            directives[list_size] = _LIST_SIZE.format(name=list_size)
    roots = [
        f"  {operation}: {name}"
        for operation, name in (
            ("query", "Query"),
            ("mutation", "Mutation"),
            ("subscription", "Subscription"),
        )
        if name in schema.types
    ]
    imports_by_url: dict[str, list[str]] = {}
    for composed in schema.composed.values():
        imports_by_url.setdefault(composed.link_url, []).append(composed.link_import)
        directives[composed.name] = composed.definition
    for url, imported in imports_by_url.items():
        links.append(f"@link(url: {_string(url)}, import: [{', '.join(imported)}])")
    description = "" if schema.description is None else _block_string(schema.description, "") + "\n"
    parts = [description + "schema\n  " + "\n  ".join(links) + "\n{\n" + "\n".join(roots) + "\n}"]
    for merged_directive in schema.directives.values():
        directives[merged_directive.name] = (
            _description(merged_directive)
            + f"directive @{merged_directive.name}"
            + _arguments(list(merged_directive.args.values()), "")
            + (" repeatable" if merged_directive.repeatable else "")
            + " on "
            + " | ".join(merged_directive.locations)
        )
    parts += [directives[name] for name in _sorted_names(list(directives))]
    graph_values = [
        f"  {g.enum_name} @join__graph(name: {_string(g.name)}, url: {_string(g.url)})"
        for g in schema.graphs
    ]
    printed_types = dict(spec_types)
    printed_types["join__Graph"] = "enum join__Graph {\n" + "\n".join(graph_values) + "\n}"
    for name, merged in schema.types.items():
        printed_types[name] = _type(merged)
    parts += [printed_types[name] for name in _sorted_names(list(printed_types))]
    return "\n\n".join(parts)
