"""Base classes and field types for request and response bodies.

The OpenAPI document is a contract that clients and contract fuzzers hold us to, so what a
model documents and what it accepts must be the same thing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, model_validator

_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_only(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; the API promises ISO 8601 only.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_INSTANT.match(value):
        raise ValueError("expected an ISO 8601 timestamp with offset, e.g. 2026-01-01T00:00:00Z")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
"""A timestamp that must carry its UTC offset."""


UNSTORABLE = "text contains a NUL character or invalid Unicode"


def is_storable(text: str) -> bool:
    """PostgreSQL text cannot hold NUL, and UTF-8 cannot hold lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_unstorable(value: Any, path: str = "body") -> str | None:
    """The path of the first string (or key) in a JSON value that PostgreSQL cannot store."""
    if isinstance(value, str):
        return None if is_storable(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not is_storable(key):
                return f"{path}.<key>"
            found = first_unstorable(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unstorable(item, f"{path}.{index}")
            if found:
                return found
    return None


def document_omittable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    properties = schema.get("properties", {})
    for name in getattr(model, "__omittable__", ()):
        prop = properties.get(name)
        if not prop or "anyOf" not in prop:
            continue
        branches = [b for b in prop["anyOf"] if b != {"type": "null"}]
        if len(branches) == 1:
            rest = {k: v for k, v in prop.items() if k not in {"anyOf", "default"}}
            properties[name] = {**branches[0], **rest}


class StrictModel(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a 422, not a silently ignored value.

    Fields named in `__omittable__` may be left out but not sent as null (e.g. a PATCH may
    skip `name` but cannot clear it); the OpenAPI document says so too.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=document_omittable)

    __omittable__: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        unstorable = first_unstorable(data)
        if unstorable is not None:
            raise ValueError(f"{unstorable}: {UNSTORABLE}")
        return data

    @model_validator(mode="after")
    def _omittable_not_null(self) -> Any:
        for name in self.__omittable__:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may be left out but cannot be null")
        return self
