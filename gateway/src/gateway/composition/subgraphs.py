"""Reads one subgraph's SDL into the composer's model: federation directives resolved to their
canonical names, federation's own types and fields removed, root types under their default names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import GraphQLSyntaxError
from graphql.language import (
    BooleanValueNode,
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueDefinitionNode,
    ExecutableDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
)

from gateway.composition.composed_directives import ComposeError, print_application, read_composed
from gateway.composition.errors import CompositionIssue
from gateway.composition.fieldsets import FieldSetError, syntax_error_message, targets
from gateway.composition.links import (
    FEDERATION_DIRECTIVES,
    DirectiveNames,
    LinkError,
    read_links,
)
from gateway.composition.model import (
    DEFAULT_ROOT_NAMES,
    EXECUTABLE_LOCATIONS,
    KIND_NAMES,
    Applied,
    Argument,
    DirectiveDef,
    EnumValue,
    Field,
    Key,
    Subgraph,
    TypeDef,
    TypeKind,
    named_type,
)
from gateway.composition.printing import print_type_reference, print_value
from gateway.composition.subgraph_checks import used_fields

# Federation's own machinery in a subgraph SDL, none of which reaches the supergraph.
_FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "FieldSet"})
_FEDERATION_QUERY_FIELDS = frozenset({"_service", "_entities"})
_BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})

_KINDS: dict[type, TypeKind] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}


@dataclass(frozen=True, slots=True)
class SubgraphDefinition:
    """A subgraph as the gateway knows it: its name, where it answers, and its SDL."""

    name: str
    url: str
    sdl: str


class _Invalid(Exception):
    def __init__(self, message: str, code: str = "INVALID_GRAPHQL") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def read_subgraph(definition: SubgraphDefinition) -> Subgraph | CompositionIssue:
    """The subgraph's model, or the INVALID_GRAPHQL issue that stops it being read."""
    try:
        document = parse(definition.sdl, no_location=True)
    except GraphQLSyntaxError as exc:
        return _invalid(definition.name, syntax_error_message(exc))
    try:
        return _Reader(definition, document).read()
    except (_Invalid, LinkError) as exc:
        return _invalid(definition.name, str(exc), exc.code)
    except ComposeError as exc:
        return _invalid(definition.name, str(exc), "DIRECTIVE_COMPOSITION_ERROR")


def _invalid(subgraph: str, message: str, code: str = "INVALID_GRAPHQL") -> CompositionIssue:
    return CompositionIssue(code, f"[{subgraph}] {message}", (subgraph,))


def _unknown_directive(name: str, fed1: bool) -> str:
    message = f'Unknown directive "@{name}".'
    if name in FEDERATION_DIRECTIVES and fed1:
        message += (
            f' If you meant the "@{name}" federation 2 directive, note that this schema is a '
            "federation 1 schema. To be a federation 2 schema, it needs to @link to the "
            "federation specifcation v2."
        )
    elif name in FEDERATION_DIRECTIVES:
        message += (
            f' If you meant the "@{name}" federation directive, you should use fully-qualified '
            f'name "@federation__{name}" or add "@{name}" to the `import` argument of the @link '
            "to the federation specification."
        )
    return message


def _description(node: object) -> str | None:
    description = getattr(node, "description", None)
    return description.value if isinstance(description, StringValueNode) else None


def _string_argument(directive: ConstDirectiveNode, name: str) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            if not isinstance(argument.value, StringValueNode):
                raise _Invalid(f"@{directive.name.value}({name}:) must be a string")
            return argument.value.value
    return None


def _bool_argument(directive: ConstDirectiveNode, name: str, default: bool) -> bool:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            if not isinstance(argument.value, BooleanValueNode):
                raise _Invalid(f"@{directive.name.value}({name}:) must be a boolean")
            return argument.value.value
    return default


class _Reader:
    def __init__(self, definition: SubgraphDefinition, document: DocumentNode) -> None:
        self.definition = definition
        self.document = document
        schema_directives = [
            directive
            for node in document.definitions
            if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode)
            for directive in node.directives or ()
        ]
        self.names: DirectiveNames = read_links(schema_directives)
        self.types: dict[str, TypeDef] = {}
        self.directives: dict[str, DirectiveDef] = {}
        # Custom directives the subgraph defines; applying them is fine, they stay behind.
        self.defined_directives = {
            node.name.value
            for node in document.definitions
            if isinstance(node, DirectiveDefinitionNode)
        }
        self.description = next(
            (
                _description(node)
                for node in document.definitions
                if isinstance(node, SchemaDefinitionNode) and node.description is not None
            ),
            None,
        )
        self.uses_tag = False
        self.uses_inaccessible = False
        self.uses_cost = False
        self.uses_context = False
        self.access_control: list[str] = []
        self.composed = read_composed(document, self.names)
        # Keys written on an `extend type` (or on a type with @extends): their @external
        # fields are the type's own, only marked so in the Fed-1 way.
        self.extension_keys: list[tuple[TypeDef, Key]] = []

    def read(self) -> Subgraph:
        roots: dict[str, str] = {}
        for node in self.document.definitions:
            if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
                for operation in node.operation_types or ():
                    roots[operation.operation.value] = operation.type.name.value
            elif isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                self._read_type(node)
            elif isinstance(node, DirectiveDefinitionNode):
                self._read_directive(node)
            elif isinstance(node, ExecutableDefinitionNode):
                raise _Invalid("A subgraph schema cannot contain operations or fragments")
        for name in list(self.types):
            if name in _FEDERATION_TYPES or name.startswith(("federation__", "link__")):
                del self.types[name]
        self._rename_roots(roots)
        query = self.types.setdefault("Query", TypeDef(name="Query", kind="object"))
        query.has_definition = True
        for name in _FEDERATION_QUERY_FIELDS:
            query.fields.pop(name, None)
        self._check_references()
        self._unmark_extension_key_externals()
        version = self.names.federation_version or (2, 0)
        subgraph = Subgraph(
            name=self.definition.name,
            url=self.definition.url,
            types=self.types,
            federation_version=version,
            fed1=self.names.fed1,
            uses_tag=self.uses_tag,
            uses_inaccessible=self.uses_inaccessible,
            uses_cost=self.uses_cost,
            uses_context=self.uses_context,
            access_control=self.access_control,
            directives=self.directives,
            description=self.description,
            composed=self.composed,
        )
        if self.names.fed1:
            _upgrade_fed1(subgraph)
        return subgraph

    def _directives(self, node: object) -> list[tuple[str, ConstDirectiveNode]]:
        found = []
        for directive in getattr(node, "directives", None) or ():
            name = directive.name.value
            canonical = self.names.canonical(name)
            if canonical is not None:
                found.append((canonical, directive))
            elif name not in self.defined_directives:
                raise _Invalid(_unknown_directive(name, self.names.fed1))
        return found

    def _applied(self, target: Applied, node: object) -> None:
        target.description = target.description or _description(node)
        self._directives(node)  # refuses unknown directives
        for directive in getattr(node, "directives", None) or ():
            local = directive.name.value
            name = self.names.canonical(local)
            if name == "deprecated":
                reason = _string_argument(directive, "reason")
                text = "@deprecated"
                if reason is not None:
                    text += f"(reason: {print_value(StringValueNode(value=reason))})"
                target.directives.append(("deprecated", text, False))
            elif name == "inaccessible":
                target.inaccessible = True
                self.uses_inaccessible = True
            elif name == "tag":
                tag = _string_argument(directive, "name")
                if tag is None:
                    raise _Invalid("@tag needs a `name`")
                text = f"@tag(name: {print_value(StringValueNode(value=tag))})"
                target.directives.append(("tag", text, True))
                self.uses_tag = True
            elif name == "context":
                context = _string_argument(directive, "name")
                qualified = f"{self.definition.name}__{context}"
                text = f"@context(name: {print_value(StringValueNode(value=qualified))})"
                target.directives.append(("context", text, True))
                self.uses_context = True
            elif name in ("authenticated", "requiresScopes", "policy"):
                # Kept so that a router enforcing them sees what each subgraph demands.
                application = print_application(directive).replace(f"@{local}", f"@{name}", 1)
                target.directives.append((name, application, False))
                if name not in self.access_control:
                    self.access_control.append(name)
            elif name in ("cost", "listSize"):
                # Demand-control hints, kept for routers that price operations with them.
                application = print_application(directive).replace(f"@{local}", f"@{name}", 1)
                target.directives.append((name, application, False))
                self.uses_cost = True
            elif name is None and local in self.composed:
                repeatable = self.composed[local].repeatable
                target.directives.append((local, print_application(directive), repeatable))

    def _read_type(self, node: TypeDefinitionNode | TypeExtensionNode) -> None:
        kind = _KINDS.get(type(node))
        if kind is None:
            return
        name = node.name.value
        is_extension = isinstance(node, TypeExtensionNode)
        typedef = self.types.get(name)
        if typedef is None:
            typedef = self.types[name] = TypeDef(name=name, kind=kind)
        elif typedef.kind != kind:
            raise _Invalid(
                f'Type "{name}" is declared as both {KIND_NAMES[typedef.kind]} and '
                f"{KIND_NAMES[kind]}"
            )
        if not is_extension:
            if typedef.has_definition:
                raise _Invalid(f'There can be only one type named "{name}"')
            typedef.has_definition = True
        self._applied(typedef, node)
        shareable_here = external_here = False
        for directive_name, directive in self._directives(node):
            if directive_name == "key":
                fields = _string_argument(directive, "fields")
                if fields is None:
                    raise _Invalid(f'@key on "{name}" needs `fields`')
                given = any(a.name.value == "resolvable" for a in directive.arguments or ())
                key = Key(fields, _bool_argument(directive, "resolvable", True), given)
                typedef.keys.append(key)
                if is_extension:
                    self.extension_keys.append((typedef, key))
            elif directive_name == "extends":
                typedef.extends = True
            elif directive_name == "shareable":
                shareable_here = True
            elif directive_name == "external":
                external_here = True
            elif directive_name == "interfaceObject":
                typedef.interface_object = True
            elif directive_name == "specifiedBy":
                typedef.specified_by = _string_argument(directive, "url")
        for interface in getattr(node, "interfaces", None) or ():
            if interface.name.value not in typedef.interfaces:
                typedef.interfaces.append(interface.name.value)
        for member in getattr(node, "types", None) or ():
            if member.name.value not in typedef.members:
                typedef.members.append(member.name.value)
        for value_node in getattr(node, "values", None) or ():
            if isinstance(value_node, EnumValueDefinitionNode):
                value = typedef.values.setdefault(
                    value_node.name.value, EnumValue(name=value_node.name.value)
                )
                self._applied(value, value_node)
        for field_node in getattr(node, "fields", None) or ():
            if field_node.name.value in typedef.fields:
                raise _Invalid(f'Field "{name}.{field_node.name.value}" can only be defined once.')
            field = self._read_field(field_node)
            field.from_extension = is_extension
            field.shareable = field.shareable or shareable_here
            field.external = field.external or external_here
            typedef.fields[field.name] = field

    def _read_directive(self, node: DirectiveDefinitionNode) -> None:
        name = node.name.value
        if self.names.canonical(name) is not None or name in ("link", "core"):
            return
        locations = sorted(
            location.value
            for location in node.locations or ()
            if location.value in EXECUTABLE_LOCATIONS
        )
        if not locations:
            return  # Directives on the schema itself stay in the subgraph.
        if name in self.directives:
            raise _Invalid(f'There can be only one directive named "@{name}".')
        directive = DirectiveDef(name=name, repeatable=node.repeatable, locations=locations)
        directive.description = _description(node)
        directive.args = self._read_arguments(node.arguments)
        self.directives[name] = directive

    def _read_arguments(
        self, nodes: Sequence[InputValueDefinitionNode] | None
    ) -> dict[str, Argument]:
        arguments: dict[str, Argument] = {}
        for argument_node in nodes or ():
            argument = Argument(
                name=argument_node.name.value,
                type=print_type_reference(argument_node.type),
                default=argument_node.default_value,
            )
            self._applied(argument, argument_node)
            for name, directive in self._directives(argument_node):
                if name == "fromContext":
                    argument.from_context = self._context_reference(directive)
            arguments[argument.name] = argument
        return arguments

    def _context_reference(self, directive: ConstDirectiveNode) -> tuple[str, str]:
        reference = _string_argument(directive, "field") or ""
        matched = re.match(r"^\$(\w+)(.*)$", reference, re.DOTALL)
        if matched is None:
            raise _Invalid(f'@fromContext(field: "{reference}") must start with a $context name')
        self.uses_context = True
        return f"{self.definition.name}__{matched.group(1)}", matched.group(2)

    def _read_field(self, node: FieldDefinitionNode | InputValueDefinitionNode) -> Field:
        field = Field(name=node.name.value, type=print_type_reference(node.type))
        self._applied(field, node)
        if isinstance(node, InputValueDefinitionNode):
            field.default = node.default_value
            return field
        field.args = self._read_arguments(node.arguments)
        for name, directive in self._directives(node):
            if name == "external":
                field.external = True
            elif name == "shareable":
                field.shareable = True
            elif name == "requires":
                field.requires = _string_argument(directive, "fields")
            elif name == "provides":
                field.provides = _string_argument(directive, "fields")
            elif name == "override":
                field.override_from = _string_argument(directive, "from")
                field.override_label = _string_argument(directive, "label")
        return field

    def _rename_roots(self, roots: dict[str, str]) -> None:
        renames = {
            local: DEFAULT_ROOT_NAMES[operation]
            for operation, local in roots.items()
            if operation in DEFAULT_ROOT_NAMES and local != DEFAULT_ROOT_NAMES[operation]
        }
        if not renames:
            return

        def renamed(type_ref: str) -> str:
            name = named_type(type_ref)
            return type_ref.replace(name, renames[name]) if name in renames else type_ref

        for local, default in renames.items():
            if local not in self.types:
                raise _Invalid(f'The schema names "{local}" as a root type but does not define it')
            if default in self.types:
                operation = next(o for o, name in DEFAULT_ROOT_NAMES.items() if name == default)
                raise _Invalid(
                    f'The schema has a type named "{default}" but it is not set as the '
                    f'{operation} root type ("{local}" is instead): this is not supported by '
                    "federation. If a root type does not use its default name, there should be "
                    "no other type with that default name.",
                    f"ROOT_{operation.upper()}_USED",
                )
            typedef = self.types.pop(local)
            typedef.name = default
            self.types[default] = typedef
        for typedef in self.types.values():
            typedef.members = [renames.get(m, m) for m in typedef.members]
            typedef.interfaces = [renames.get(i, i) for i in typedef.interfaces]
            for field in typedef.fields.values():
                field.type = renamed(field.type)
                for argument in field.args.values():
                    argument.type = renamed(argument.type)

    def _check_references(self) -> None:
        def known(type_ref: str) -> None:
            name = named_type(type_ref)
            if name not in self.types and name not in _BUILT_IN_SCALARS:
                raise _Invalid(f"Unknown type {name}")

        for typedef in self.types.values():
            for name in (*typedef.members, *typedef.interfaces):
                known(name)
            for field in typedef.fields.values():
                known(field.type)
                for argument in field.args.values():
                    known(argument.type)

    def _unmark_extension_key_externals(self) -> None:
        subgraph = Subgraph(self.definition.name, self.definition.url, self.types, (2, 0), False)
        pending = list(self.extension_keys)
        pending += [(t, k) for t in self.types.values() if t.extends for k in t.keys]
        for typedef, key in pending:
            try:
                selected = targets(subgraph, typedef.name, key.fields)
            except FieldSetError:
                continue  # reported by the @key checks
            for target in selected:
                target.field.external = False


def _upgrade_fed1(subgraph: Subgraph) -> None:
    """Reads a Fed-1 subgraph the way Apollo upgrades it: any field may be resolved by several
    subgraphs, `extend type` is how an entity got fields, and unused @external fields go."""
    used = used_fields(subgraph)
    for typedef in subgraph.types.values():
        typedef.has_definition = True
        for name, field in list(typedef.fields.items()):
            if field.external and (typedef.name, name) not in used:
                del typedef.fields[name]
            elif typedef.kind == "object":
                field.shareable = True


def read_subgraphs(
    definitions: Sequence[SubgraphDefinition],
) -> tuple[list[Subgraph], list[CompositionIssue]]:
    subgraphs: list[Subgraph] = []
    issues: list[CompositionIssue] = []
    for definition in definitions:
        read = read_subgraph(definition)
        if isinstance(read, CompositionIssue):
            issues.append(read)
        else:
            subgraphs.append(read)
    return subgraphs, issues
