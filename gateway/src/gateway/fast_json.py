"""JSON for the request path: orjson where it can, the standard library where it cannot.

orjson refuses a few things the standard library takes (integers beyond 64 bits, `NaN` and
`Infinity` in input, keys that are not strings); those fall back, so what the gateway accepts
and answers is the same either way, only cheaper in the common case.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    """Raises ValueError for what is not JSON, like `json.loads`."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
