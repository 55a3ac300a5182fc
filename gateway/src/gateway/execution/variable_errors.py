"""Request errors worded as graphql-js 16, which Apollo Gateway runs on, words them: clients
match on these messages, and graphql-core words some differently and quotes names with `'`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_VARIABLE = re.compile(
    r"^Variable '\$(?P<name>\w+)' has invalid value(?: at (?P<path>\S+))?: (?P<inner>.*)$", re.S
)
_NOT_PROVIDED = re.compile(
    r"^Expected a value of non-null type '(?P<type>[^']+)' to be provided\.$"
)
_NULL = re.compile(r"^Expected value of non-null type '(?P<type>[^']+)' not to be None\.$")
_UNKNOWN_FIELD = re.compile(
    r"^Expected value of type '(?P<type>[^']+)' not to include unknown field '(?P<field>[^']+)'.*$",
    re.S,
)
_NOT_OBJECT = re.compile(r"^Expected value of type '(?P<type>[^']+)' to be an object.*$", re.S)
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_QUOTED_NAME = re.compile(r"'([$@_A-Za-z][_0-9A-Za-z.!\[\]():]*)'")


def inspect(value: Any) -> str:
    """A value as graphql-js's `inspect` prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(inspect(item) for item in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{key}: {inspect(item)}" for key, item in value.items()) + " }"
    return str(value)


def _inner(message: str) -> str:
    if found := _NULL.match(message):
        return f'Expected non-nullable type "{found["type"]}" not to be null.'
    if found := _UNKNOWN_FIELD.match(message):
        return f'Field "{found["field"]}" is not defined by type "{found["type"]}".'
    if found := _NOT_OBJECT.match(message):
        return f'Expected type "{found["type"]}" to be an object.'
    return _QUOTED.sub(lambda m: json.dumps(m.group(1), ensure_ascii=False), message)


def reword(message: str, variables: Mapping[str, Any]) -> str:
    found = _VARIABLE.match(message)
    if found is None:
        return message
    name, path, inner = found["name"], found["path"], found["inner"]
    if path is None:
        if missing := _NOT_PROVIDED.match(inner):
            return f'Variable "${name}" of required type "{missing["type"]}" was not provided.'
        if null := _NULL.match(inner):
            return f'Variable "${name}" of non-null type "{null["type"]}" must not be null.'
    where = f' at "{name}{path}"' if path else ""
    value = inspect(variables.get(name))
    return f'Variable "${name}" got invalid value {value}{where}; {_inner(inner)}'


def requote(message: str) -> str:
    """Names quoted with `"`, as graphql-js does, in a validation message."""
    return _QUOTED_NAME.sub(r'"\1"', message)
