"""What @inaccessible may hide: nothing the API schema still needs. A visible field cannot return a
hidden type, a required argument cannot be hidden, a default value cannot use a hidden enum value,
and a visible type cannot be left with no visible fields, members or values."""

from __future__ import annotations

from collections.abc import Iterator

from graphql.language import EnumValueNode, ListValueNode, ObjectValueNode, ValueNode

from gateway.composition.errors import CompositionIssue, quoted_list
from gateway.composition.model import named_type
from gateway.composition.supergraph_model import MergedField, MergedSchema, MergedType


def check_inaccessible(schema: MergedSchema) -> list[CompositionIssue]:
    return list(_Checker(schema).issues())


class _Checker:
    def __init__(self, schema: MergedSchema) -> None:
        self.schema = schema
        self.subgraph_names = {g.enum_name: g.name for g in schema.graphs}

    def hidden(self, type_name: str) -> bool:
        found = self.schema.types.get(type_name)
        return found is not None and found.inaccessible

    def subgraphs(self, merged: MergedType, field: MergedField | None = None) -> list[str]:
        graphs = [j.graph for j in field.joins if j.graph] if field and field.joins else []
        graphs = graphs or [j.graph for j in merged.join_types]
        return list(dict.fromkeys(self.subgraph_names[g] for g in graphs))

    def issue(self, code: str, message: str, subgraphs: list[str]) -> CompositionIssue:
        return CompositionIssue(code, f"{message} (in {quoted_list(subgraphs)})", tuple(subgraphs))

    def issues(self) -> Iterator[CompositionIssue]:
        query = self.schema.types.get("Query")
        if query is not None and query.inaccessible:
            yield self.issue(
                "QUERY_ROOT_TYPE_INACCESSIBLE",
                'Type "Query" is @inaccessible but is the query root type, which must be in the '
                "API schema.",
                self.subgraphs(query),
            )
        for merged in self.schema.types.values():
            if not merged.inaccessible:
                yield from self._visible_type(merged)

    def _visible_type(self, merged: MergedType) -> Iterator[CompositionIssue]:
        if merged.kind in ("object", "interface", "input"):
            visible = [f for f in merged.fields.values() if not f.inaccessible]
            if merged.fields and not visible:
                kind = "input fields" if merged.kind == "input" else "fields"
                yield self.issue(
                    "ONLY_INACCESSIBLE_CHILDREN",
                    f'Type "{merged.name}" is in the API schema but all of its {kind} are '
                    "@inaccessible.",
                    self.subgraphs(merged),
                )
            for field in merged.fields.values():
                yield from self._field(merged, field)
        elif merged.kind == "union" and merged.members:
            if all(self.hidden(m) for m in merged.members):
                yield self.issue(
                    "ONLY_INACCESSIBLE_CHILDREN",
                    f'Type "{merged.name}" is in the API schema but all of its members are '
                    "@inaccessible.",
                    self.subgraphs(merged),
                )
        elif merged.kind == "enum" and all(v.inaccessible for v in merged.values.values()):
            yield self.issue(
                "ONLY_INACCESSIBLE_CHILDREN",
                f'Type "{merged.name}" is in the API schema but all of its values are '
                "@inaccessible.",
                self.subgraphs(merged),
            )

    def _field(self, merged: MergedType, field: MergedField) -> Iterator[CompositionIssue]:
        coordinate = f"{merged.name}.{field.name}"
        where = self.subgraphs(merged, field)
        if field.inaccessible:
            if merged.kind == "input" and field.type.endswith("!") and field.default is None:
                yield self.issue(
                    "REQUIRED_INACCESSIBLE",
                    f'Input field "{coordinate}" is @inaccessible but is a required input field '
                    "of its type.",
                    where,
                )
            for interface_name in merged.interfaces:
                interface = self.schema.types.get(interface_name)
                if interface is None or interface.inaccessible:
                    continue
                implemented = interface.fields.get(field.name)
                if implemented is not None and not implemented.inaccessible:
                    yield self.issue(
                        "IMPLEMENTED_BY_INACCESSIBLE",
                        f'Field "{coordinate}" is @inaccessible but implements the interface '
                        f'field "{interface_name}.{field.name}", which is in the API schema.',
                        where,
                    )
            return
        if self.hidden(named_type(field.type)):
            yield self._referenced(named_type(field.type), coordinate, where)
        if field.default is not None:
            yield from self._default(field.type, field.default, coordinate, where)
        for argument in field.args.values():
            argument_coordinate = f"{coordinate}({argument.name}:)"
            if argument.inaccessible:
                if argument.type.endswith("!") and argument.default is None:
                    yield self.issue(
                        "REQUIRED_INACCESSIBLE",
                        f'Argument "{argument_coordinate}" is @inaccessible but is a required '
                        "argument of its field.",
                        where,
                    )
                continue
            if self.hidden(named_type(argument.type)):
                yield self._referenced(named_type(argument.type), argument_coordinate, where)
            if argument.default is not None:
                yield from self._default(
                    argument.type, argument.default, argument_coordinate, where
                )

    def _referenced(self, type_name: str, referencer: str, where: list[str]) -> CompositionIssue:
        return self.issue(
            "REFERENCED_INACCESSIBLE",
            f'Type "{type_name}" is @inaccessible but is referenced by "{referencer}", which is '
            "in the API schema.",
            where,
        )

    def _default(
        self, type_ref: str, value: ValueNode, referencer: str, where: list[str]
    ) -> Iterator[CompositionIssue]:
        merged = self.schema.types.get(named_type(type_ref))
        if merged is None:
            return
        if isinstance(value, ListValueNode):
            for item in value.values or ():
                yield from self._default(named_type(type_ref), item, referencer, where)
        elif isinstance(value, EnumValueNode) and merged.kind == "enum":
            enum_value = merged.values.get(value.value)
            if enum_value is not None and enum_value.inaccessible:
                yield self.issue(
                    "DEFAULT_VALUE_USES_INACCESSIBLE",
                    f'Enum value "{merged.name}.{value.value}" is @inaccessible but is used in '
                    f'the default value of "{referencer}", which is in the API schema.',
                    where,
                )
        elif isinstance(value, ObjectValueNode) and merged.kind == "input":
            for object_field in value.fields or ():
                input_field = merged.fields.get(object_field.name.value)
                if input_field is None:
                    continue
                if input_field.inaccessible:
                    yield self.issue(
                        "DEFAULT_VALUE_USES_INACCESSIBLE",
                        f'Input field "{merged.name}.{input_field.name}" is @inaccessible but is '
                        f'used in the default value of "{referencer}", which is in the API '
                        "schema.",
                        where,
                    )
                else:
                    yield from self._default(
                        input_field.type, object_field.value, referencer, where
                    )
