"""Shapes the merged subgraph data into exactly the response the client's operation asks for:
its aliases, fragments, `__typename` and field order, with nulls in non-null positions carried
up to the nearest nullable parent as GraphQL execution does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from gateway.planning import INTROSPECTION_FIELDS, FieldCollector

# A null that must reach the nearest nullable parent; the error is already recorded.
_INVALID = object()
# A null standing where a value failed; its error is already recorded.
_NULLED = object()

Errors = list[dict[str, Any]]
PathList = list[str | int]


# How a field's value is completed on the fast path.
_TYPENAME, _INTROSPECTION, _LEAF, _COMPOSITE = range(4)


class _Bail(Exception):
    """The fast path met something needing an error; the careful path takes over."""


class ShapeField:
    __slots__ = (
        "accepts",
        "is_introspection",
        "key",
        "kind",
        "list_items",
        "name",
        "non_null",
        "parent",
        "selection",
        "static_name",
        "type",
    )

    def __init__(
        self,
        key: str,
        name: str,
        parent: str,
        type_: GraphQLOutputType | None,
        selection: ShapeSelection | None,
    ) -> None:
        self.key = key
        self.name = name
        self.parent = parent
        self.type = type_
        self.selection = selection
        self.is_introspection = name in INTROSPECTION_FIELDS
        named = get_named_type(type_) if type_ is not None else None
        self.accepts = _leaf_check(named)
        self.static_name = named.name if named is not None else parent
        if type_ is None:
            self.kind = _TYPENAME
        elif self.is_introspection:
            self.kind = _INTROSPECTION
        else:
            self.kind = _COMPOSITE if selection is not None else _LEAF
        self.non_null = isinstance(type_, GraphQLNonNull)
        # For each list level, from the outside in: whether its items are non-null.
        items: list[bool] = []
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        while isinstance(inner, GraphQLList):
            inner = inner.of_type
            items.append(isinstance(inner, GraphQLNonNull))
            if isinstance(inner, GraphQLNonNull):
                inner = inner.of_type
        self.list_items = tuple(items)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31


def _is_float(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


_BUILT_IN_CHECKS: dict[str, Callable[[Any], bool]] = {
    "Int": _is_int,
    "Float": _is_float,
    "String": _is_string,
    "Boolean": _is_boolean,
    "ID": _is_id,
}


def _leaf_check(named: Any) -> Callable[[Any], bool] | None:
    """What a subgraph's value for a leaf must be, as Apollo Gateway checks it; custom
    scalars take anything."""
    if isinstance(named, GraphQLEnumType):
        values = frozenset(named.values)
        return lambda value: isinstance(value, str) and value in values
    if named is None:
        return None
    return _BUILT_IN_CHECKS.get(named.name)


class ShapeSelection:
    """The client's selection sets at one position, with its fields per runtime type."""

    __slots__ = ("_by_type", "collector", "schema", "selection_sets")

    def __init__(
        self,
        schema: GraphQLSchema,
        collector: FieldCollector,
        selection_sets: Sequence[SelectionSetNode],
    ) -> None:
        self.schema = schema
        self.collector = collector
        self.selection_sets = selection_sets
        self._by_type: dict[str, list[ShapeField]] = {}

    def fields_for(self, type_name: str) -> list[ShapeField]:
        fields = self._by_type.get(type_name)
        if fields is None:
            fields = self._by_type[type_name] = self._compile(type_name)
        return fields

    def _compile(self, type_name: str) -> list[ShapeField]:
        object_type = self.schema.type_map.get(type_name)
        compiled: list[ShapeField] = []
        for key, nodes in self.collector.collect(self.selection_sets, type_name).items():
            name = nodes[0].name.value
            if name == "__typename":
                compiled.append(ShapeField(key, name, type_name, None, None))
                continue
            if name == "__schema":
                definition = SchemaMetaFieldDef
            elif name == "__type":
                definition = TypeMetaFieldDef
            elif isinstance(object_type, GraphQLObjectType) and name in object_type.fields:
                definition = object_type.fields[name]
            else:
                continue
            selection = None
            if is_composite_type(get_named_type(definition.type)):
                sets = [node.selection_set for node in nodes if node.selection_set is not None]
                selection = ShapeSelection(self.schema, self.collector, sets)
            compiled.append(ShapeField(key, name, type_name, definition.type, selection))
        return compiled


def _describe(path: PathList, type_: Any, parent: str) -> str:
    last = path[-1]
    if isinstance(last, str):
        return f"field {parent}.{last}"
    return f"array element of type {type_} at index {last}"


class Shaper:
    def __init__(
        self,
        schema: GraphQLSchema,
        collector: FieldCollector,
        root: GraphQLObjectType,
        selection_set: SelectionSetNode,
    ) -> None:
        self.schema = schema
        self.root_name = root.name
        self.root = ShapeSelection(schema, collector, [selection_set])

    def shape(self, data: dict[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
        try:
            return self._fast_object(data, self.root_name, self.root), []
        except _Bail:
            pass
        errors: Errors = []
        shaped = self._object(data, self.root_name, self.root, [], errors)
        if shaped is _INVALID:
            return None, errors
        return shaped, errors

    # The fast path: no paths kept, no errors made; it gives up at the first problem.

    def _fast_object(
        self, value: dict[str, Any], type_name: str, selection: ShapeSelection
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in selection.fields_for(type_name):
            kind = field.kind
            if kind == _TYPENAME:
                out[field.key] = type_name
                continue
            item = value.get(field.key)
            if item is None:
                if field.non_null:
                    raise _Bail
                out[field.key] = None
            elif kind == _INTROSPECTION:
                out[field.key] = item
            elif field.list_items:
                out[field.key] = self._fast_list(item, field, 0)
            elif kind == _LEAF:
                if field.accepts is not None and not field.accepts(item):
                    raise _Bail
                out[field.key] = item
            else:
                out[field.key] = self._fast_composite(item, field)
        return out

    def _fast_list(self, value: Any, field: ShapeField, depth: int) -> list[Any]:
        if not isinstance(value, list):
            raise _Bail
        items_non_null = field.list_items[depth]
        if depth + 1 < len(field.list_items):
            nested: list[Any] = []
            for item in value:
                if item is None:
                    if items_non_null:
                        raise _Bail
                    nested.append(None)
                else:
                    nested.append(self._fast_list(item, field, depth + 1))
            return nested
        if field.kind == _LEAF:
            if items_non_null and None in value:
                raise _Bail
            accepts = field.accepts
            if accepts is not None and not all(item is None or accepts(item) for item in value):
                raise _Bail
            return value
        out: list[Any] = []
        for item in value:
            if item is None:
                if items_non_null:
                    raise _Bail
                out.append(None)
            else:
                out.append(self._fast_composite(item, field))
        return out

    def _fast_composite(self, value: Any, field: ShapeField) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Bail
        runtime = field.static_name
        typename = value.get("__typename")
        if typename is not None and typename != runtime:
            if not isinstance(self.schema.type_map.get(typename), GraphQLObjectType):
                raise _Bail
            runtime = typename
        assert field.selection is not None
        return self._fast_object(value, runtime, field.selection)

    # The careful path: GraphQL's null propagation, with an error for each null it explains.

    def _object(
        self,
        value: dict[str, Any],
        type_name: str,
        selection: ShapeSelection,
        path: PathList,
        errors: Errors,
    ) -> Any:
        out: dict[str, Any] = {}
        for field in selection.fields_for(type_name):
            if field.type is None:
                out[field.key] = type_name
                continue
            if field.is_introspection:
                out[field.key] = value.get(field.key)
                continue
            path.append(field.key)
            completed = self._complete(value.get(field.key), field.type, field, path, errors)
            path.pop()
            if completed is _INVALID:
                return _INVALID
            out[field.key] = None if completed is _NULLED else completed
        return out

    def _complete(
        self, value: Any, type_: Any, field: ShapeField, path: PathList, errors: Errors
    ) -> Any:
        if isinstance(type_, GraphQLNonNull):
            completed = self._complete(value, type_.of_type, field, path, errors)
            if completed is None:
                errors.append(
                    {
                        "message": "Cannot return null for non-nullable "
                        f"{_describe(path, type_.of_type, field.parent)}.",
                        "path": list(path),
                        "extensions": {"code": "INVALID_GRAPHQL"},
                    }
                )
                return _INVALID
            return _INVALID if completed is _NULLED else completed
        if value is None:
            return None
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                return self._invalid(field, path, errors)
            items: list[Any] = []
            nullify = False
            for index, item in enumerate(value):
                path.append(index)
                completed = self._complete(item, type_.of_type, field, path, errors)
                path.pop()
                if completed is _INVALID:
                    nullify = True
                items.append(None if completed is _NULLED or completed is _INVALID else completed)
            return _NULLED if nullify else items
        if field.selection is not None:
            if not isinstance(value, dict):
                return self._invalid(field, path, errors)
            runtime = type_.name
            typename = value.get("__typename")
            if typename is not None and typename != runtime:
                found = self.schema.type_map.get(typename)
                if not isinstance(found, GraphQLObjectType):
                    errors.append(
                        {
                            "message": "Invalid __typename found for object at "
                            f"{_describe(path, type_, field.parent)}.",
                            "path": list(path),
                            "extensions": {"code": "INVALID_GRAPHQL"},
                        }
                    )
                    return _NULLED
                runtime = typename
            shaped = self._object(value, runtime, field.selection, path, errors)
            return _NULLED if shaped is _INVALID else shaped
        if field.accepts is not None and not field.accepts(value):
            return self._invalid(field, path, errors)
        return value

    def _invalid(self, field: ShapeField, path: PathList, errors: Errors) -> Any:
        errors.append(
            {
                "message": f"Invalid value found for {_describe(path, field.type, field.parent)}.",
                "path": list(path),
                "extensions": {"code": "INVALID_GRAPHQL"},
            }
        )
        return _NULLED
