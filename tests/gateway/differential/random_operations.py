"""Operations generated at random from the API schema, valid by construction.

Root fields, nested selections down to a bounded depth, aliases, inline and named fragments,
`@skip`/`@include` with literals and variables, `__typename`, arguments given inline or as
variables, sometimes an `Accept-Language` header or the demo teacher's token. Argument values
come from the schema's types and from the seeded data (real ids, countries, subjects...), so
most operations find something. Operation N of seed S is always the same text given the same
schema and data.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from graphql.pyutils import Undefined

from tests.gateway.differential.operations import Operation

MAX_DEPTH = 4
MAX_FIELDS_PER_SELECTION = 4
PAGE_SIZES = (1, 2, 3, 4)


@dataclass(frozen=True)
class ValuePools:
    """Values from the seeded data: ids by entity type, strings by argument name."""

    ids: dict[str, list[str]]
    strings: dict[str, list[str]]
    points: list[tuple[float, float]]
    teacher: str


@dataclass
class _Document:
    rng: random.Random
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)
    """name -> (GraphQL type, value)"""
    fragments: list[str] = field(default_factory=list)

    def variable(self, type_text: str, value: Any) -> str:
        name = f"v{len(self.variables)}"
        self.variables[name] = (type_text, value)
        return f"${name}"


class OperationGenerator:
    def __init__(self, schema: GraphQLSchema, pools: ValuePools, *, seed: int) -> None:
        self.schema = schema
        self.pools = pools
        self.seed = seed

    def operations(self, count: int) -> list[Operation]:
        return [self.operation(index) for index in range(count)]

    def operation(self, index: int) -> Operation:
        rng = random.Random(self.seed * 1_000_003 + index)
        document = _Document(rng)
        query_type = self.schema.query_type
        assert query_type is not None
        roots = self._pick_fields(rng, query_type, rng.randint(1, 2))
        body = self._selection_set(document, query_type, roots, depth=0)
        definitions = "".join(
            f", ${name}: {type_text}" for name, (type_text, _) in document.variables.items()
        )
        header = f"query Random{index}({definitions[2:]})" if definitions else "query"
        text = "\n\n".join([f"{header} {body}", *document.fragments])
        # Mostly anonymous; the demo teacher, whose own data is seeded, for most operations
        # on the caller's own records (the rest show the refusal) and a tenth of the others.
        own = any(name.startswith(("my", "teacher")) for name, _ in roots)
        role = "teacher" if rng.random() < (0.9 if own else 0.1) else None
        # Texts come in the caller's language: the header must reach every subgraph.
        languages = ["fi", "fr", "de-AT,de;q=0.9", "it-IT,it;q=0.9,en;q=0.5", "sv"]
        headers = {"Accept-Language": rng.choice(languages)} if rng.random() < 0.2 else {}
        return Operation(
            name=f"random-{self.seed}-{index}",
            headers=headers,
            query=text,
            variables={name: _json(value) for name, (_, value) in document.variables.items()}
            or None,
            role=role,
            sub=self.pools.teacher if role else None,
        )

    # -- selections ---------------------------------------------------------------------------

    def _pick_fields(
        self, rng: random.Random, parent: GraphQLObjectType, count: int
    ) -> list[tuple[str, GraphQLField]]:
        fields = sorted(parent.fields.items())
        return [rng.choice(fields) for _ in range(count)]

    def _selection_set(
        self,
        document: _Document,
        parent: GraphQLObjectType,
        chosen: list[tuple[str, GraphQLField]],
        *,
        depth: int,
    ) -> str:
        rng = document.rng
        parts: list[str] = []
        used_keys: set[str] = set()
        for name, graphql_field in chosen:
            head_and_body = self._field(document, name, graphql_field, depth=depth)
            if head_and_body is None:
                continue
            head, body = head_and_body
            key = name
            if name in used_keys or rng.random() < 0.15:
                key = f"{name}{len(used_keys)}x"
                head = f"{key}: {head}"
            used_keys.add(key)
            if rng.random() < 0.08:
                head = f"{head} {self._directive(document)}"
            parts.append(self._wrapped(document, parent, f"{head} {body}".rstrip()))
        if rng.random() < 0.2:
            parts.insert(rng.randint(0, len(parts)), "__typename")
        if not any("@" not in p for p in parts):
            # Everything may be skipped by directives; one plain leaf keeps the set non-empty.
            parts.append("__typename")
        return "{ " + " ".join(parts) + " }"

    def _wrapped(self, document: _Document, parent: GraphQLObjectType, selection: str) -> str:
        """The selection as is, or in an inline or named fragment."""
        rng = document.rng
        roll = rng.random()
        if roll < 0.08:
            condition = f" on {parent.name}" if rng.random() < 0.7 else ""
            directive = f" {self._directive(document)}" if rng.random() < 0.3 else ""
            return f"...{condition}{directive} {{ {selection} }}"
        if roll < 0.14:
            name = f"F{len(document.fragments)}"
            document.fragments.append(f"fragment {name} on {parent.name} {{ {selection} }}")
            return f"...{name}"
        return selection

    def _directive(self, document: _Document) -> str:
        rng = document.rng
        which = rng.choice(["include", "skip"])
        value = rng.random() < 0.5
        condition = (
            document.variable("Boolean!", value) if rng.random() < 0.5 else json.dumps(value)
        )
        return f"@{which}(if: {condition})"

    def _field(
        self, document: _Document, name: str, graphql_field: GraphQLField, *, depth: int
    ) -> tuple[str, str] | None:
        """`name(arguments)` and its selection set ("" for a leaf), or None to leave it out."""
        named = get_named_type(graphql_field.type)
        if isinstance(named, GraphQLObjectType) and depth >= MAX_DEPTH:
            return None
        before = dict(document.variables)
        arguments = self._arguments(document, graphql_field)
        if arguments is None:
            document.variables = before  # no variable may be left unused
            return None
        if isinstance(named, GraphQLObjectType):
            count = document.rng.randint(1, min(MAX_FIELDS_PER_SELECTION, len(named.fields)))
            chosen = self._pick_fields(document.rng, named, count)
            inner = self._selection_set(document, named, chosen, depth=depth + 1)
            return f"{name}{arguments}", inner
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            return f"{name}{arguments}", "{ __typename }"
        return f"{name}{arguments}", ""

    # -- arguments ----------------------------------------------------------------------------

    def _arguments(self, document: _Document, graphql_field: GraphQLField) -> str | None:
        """The argument list, or None when a required argument cannot be given a value."""
        rng = document.rng
        returned = get_named_type(graphql_field.type)
        parts = []
        dates = self._date_range(rng)
        for arg_name, argument in sorted(graphql_field.args.items()):
            required = _required(argument.type, argument.default_value)
            wanted = required or (arg_name == "first" and rng.random() < 0.9)
            wanted = wanted or (arg_name not in {"after", "first"} and rng.random() < 0.4)
            if not wanted:
                continue
            value = self._value(rng, arg_name, argument, returned, dates)
            if value is _NO_VALUE:
                if required:
                    return None
                continue
            if rng.random() < 0.2:
                literal = document.variable(str(argument.type), value)
            else:
                literal = _literal(value)
            parts.append(f"{arg_name}: {literal}")
        return f"({', '.join(parts)})" if parts else ""

    def _date_range(self, rng: random.Random) -> tuple[str, str]:
        start = rng.randint(1, 27)
        return f"2027-03-{start:02d}", f"2027-03-{start + rng.randint(0, 4):02d}"

    def _value(
        self,
        rng: random.Random,
        name: str,
        argument: GraphQLArgument | Any,
        returned: GraphQLNamedType,
        dates: tuple[str, str],
    ) -> Any:
        graphql_type = argument.type
        nullable = graphql_type
        if isinstance(nullable, GraphQLNonNull):
            nullable = nullable.of_type
        if isinstance(nullable, GraphQLList):
            item = self._leaf_value(rng, name, get_named_type(nullable), returned, dates)
            if item is _NO_VALUE:
                return _NO_VALUE
            return [item]
        named = get_named_type(graphql_type)
        if isinstance(named, GraphQLInputObjectType):
            return self._input_object(rng, named, returned, dates)
        return self._leaf_value(rng, name, named, returned, dates)

    def _input_object(
        self,
        rng: random.Random,
        input_type: GraphQLInputObjectType,
        returned: GraphQLNamedType,
        dates: tuple[str, str],
    ) -> Any:
        value: dict[str, Any] = {}
        for name, input_field in sorted(input_type.fields.items()):
            required = _required(input_field.type, input_field.default_value)
            # Filters narrow fast; one or two conditions still find something.
            if not required and rng.random() > 0.25:
                continue
            item = self._value(rng, name, input_field, returned, dates)
            if item is _NO_VALUE:
                if required:
                    return _NO_VALUE
                continue
            value[name] = item
        # Date ranges come whole: a start without an end is refused.
        for start, end in (("availableFrom", "availableTo"), ("from", "to")):
            if (start in value) != (end in value) and {start, end} <= set(input_type.fields):
                value[start], value[end] = dates
        return value

    def _leaf_value(
        self,
        rng: random.Random,
        name: str,
        named: GraphQLNamedType,
        returned: GraphQLNamedType,
        dates: tuple[str, str],
    ) -> Any:
        pools = self.pools
        if isinstance(named, GraphQLEnumType):
            return _Enum(rng.choice(sorted(named.values)))
        if not isinstance(named, GraphQLScalarType):
            return _NO_VALUE
        scalar = named.name
        if scalar == "ID":
            ids = pools.ids.get(returned.name) if name == "id" else _ids_named(pools, name)
            return rng.choice(ids) if ids else _NO_VALUE
        if scalar == "Int":
            if name in {"first", "last"}:
                return rng.choice(PAGE_SIZES)
            if name == "age":
                return rng.randint(6, 16)
            return rng.randint(1, 3)
        if scalar == "Float":
            lat, lon = rng.choice(pools.points)
            if name == "lat":
                return lat
            if name == "lon":
                return lon
            return float(rng.choice([25, 50, 100, 300]))
        if scalar == "Boolean":
            return rng.random() < 0.5
        if scalar == "Date":
            return dates[1] if name in {"to", "availableTo"} else dates[0]
        if scalar == "DateTime":
            return rng.choice(["2026-01-01T00:00:00+00:00", "2027-06-30T12:00:00+02:00"])
        if scalar == "String":
            if name == "teacherId":
                return pools.teacher
            values = pools.strings.get(name)
            return rng.choice(values) if values else _NO_VALUE
        return _NO_VALUE


def _ids_named(pools: ValuePools, name: str) -> list[str] | None:
    """Ids for an argument named after an entity: `centre` and `hostCentre` take centres,
    `offerId` takes exchange offers."""
    wanted = name.lower().removesuffix("id")
    for entity, ids in sorted(pools.ids.items()):
        if wanted.endswith(entity.lower()) or entity.lower().endswith(wanted):
            return ids
    return None


def _required(graphql_type: Any, default: Any) -> bool:
    return isinstance(graphql_type, GraphQLNonNull) and default in (None, Undefined)


class _NoValue:
    pass


_NO_VALUE: Any = _NoValue()


@dataclass(frozen=True)
class _Enum:
    name: str


def _json(value: Any) -> Any:
    if isinstance(value, _Enum):
        return value.name
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _literal(value: Any) -> str:
    if isinstance(value, _Enum):
        return value.name
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return json.dumps(value)
