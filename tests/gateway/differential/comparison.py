"""How two gateways' answers are compared, and how a difference is shown.

`data` must be identical, key order included (a response follows the order of the selection
set). `errors` must be equivalent: the same number, with the same messages and paths in any
order. Locations and extensions are not compared: Apollo adds `serviceName` and its own codes
(`DOWNSTREAM_SERVICE_ERROR`, `GRAPHQL_VALIDATION_FAILED`), which are Apollo's vocabulary, not
the answer. Whether `data` is present at all (absent for parse, validation and variable errors)
is compared.

Numbers are compared as JSON numbers: `1` and `1.0` are equal. Message wording is compared
exactly, except where the two differ on purpose, listed in
`_SAME_MEANING`: graphql-js validation has no rule for an operation type the schema lacks, so
Apollo's query planner words that refusal itself; graphql-core's executor words it its own way.
Both say the schema has no root type for the operation; the check is that both refuse it.
And graphql-core, which our gateway validates with, quotes names in its messages with `'`
where graphql-js writes `"` (`Cannot query field 'nam' on type 'Centre'.`): quote characters
are not compared, on both sides alike.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from tests.gateway.differential.operations import Operation

_SAME_MEANING = [
    (
        re.compile(
            r'^(The schema has no "(?P<a>\w+)" root type defined'
            r"|Schema is not configured (to execute|for) (?P<b>\w+) operations?\.?"
            r"|The (?P<c>\w+) operation is not supported by the schema\.)$"
        ),
        "the schema has no {} root type",
    ),
]


def normalise_message(message: Any) -> str:
    text = str(message)
    for pattern, canonical in _SAME_MEANING:
        found = pattern.match(text)
        if found:
            kind = found.group("a") or found.group("b") or found.group("c")
            return canonical.format(kind.lower())
    # graphql-core quotes names with ' where graphql-js uses "; the words are the same.
    return text.replace("'", '"')


def _numbers_as_json_sees_them(value: Any) -> Any:
    """JSON has one number type: `1` and `1.0` are the same number (JavaScript prints the
    first, Python the second)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers_as_json_sees_them(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_json_sees_them(v) for v in value]
    return value


def _generated_blanked(data: Any, paths: tuple[tuple[str | int, ...], ...]) -> Any:
    """A copy of `data` with the values at `paths` (ids each run makes anew) blanked."""
    if not paths or not isinstance(data, dict):
        return data
    copy = json.loads(json.dumps(data))
    for path in paths:
        parent: Any = copy
        for step in path[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        if isinstance(parent, dict) and path[-1] in parent and parent[path[-1]] is not None:
            parent[path[-1]] = "<generated>"
    return copy


def normalised(
    body: dict[str, Any], generated: tuple[tuple[str | int, ...], ...] = ()
) -> dict[str, Any]:
    """What is compared of one response body."""
    errors = body.get("errors") or []
    shaped = [
        {"message": normalise_message(e.get("message")), "path": e.get("path")}
        if isinstance(e, dict)
        else {"malformed": repr(e)}
        for e in errors
    ]
    shaped.sort(key=lambda e: json.dumps(e, sort_keys=True))
    data = _numbers_as_json_sees_them(_generated_blanked(body.get("data"), generated))
    # Errors first: a diff shows them before a long `data`.
    result: dict[str, Any] = {"errors": shaped, "has_data": "data" in body, "data": data}
    if "non_json_response" in body:
        result["non_json_response"] = body["non_json_response"]
    return result


def same(
    reference: dict[str, Any],
    ours: dict[str, Any],
    generated: tuple[tuple[str | int, ...], ...] = (),
) -> bool:
    # json.dumps without sort_keys keeps the key order, so field order counts.
    return json.dumps(normalised(reference, generated)) == json.dumps(normalised(ours, generated))


@dataclass(frozen=True)
class Outcome:
    operation: Operation
    reference: dict[str, Any]
    ours: dict[str, Any]

    @property
    def agrees(self) -> bool:
        return same(self.reference, self.ours, self.operation.generated)

    def report(self, reference_name: str, ours_name: str, *, max_lines: int = 60) -> str:
        diff = list(
            difflib.unified_diff(
                json.dumps(
                    normalised(self.reference, self.operation.generated), indent=1
                ).splitlines(),
                json.dumps(normalised(self.ours, self.operation.generated), indent=1).splitlines(),
                fromfile=reference_name,
                tofile=ours_name,
                lineterm="",
                n=2,
            )
        )
        if len(diff) > max_lines:
            diff = [*diff[:max_lines], f"... {len(diff) - max_lines} more diff lines"]
        return self.operation.describe() + "\n" + "\n".join(diff)


def summary(outcomes: list[Outcome], reference_name: str, ours_name: str, *, shown: int) -> str:
    differing = [o for o in outcomes if not o.agrees]
    head = (
        f"{len(differing)} of {len(outcomes)} operations answered differently by {ours_name} "
        f"and {reference_name}"
    )
    if not differing:
        return head
    names = ", ".join(o.operation.name for o in differing[:40])
    more = f" and {len(differing) - 40} more" if len(differing) > 40 else ""
    parts = [f"{head}: {names}{more}"]
    for outcome in differing[:shown]:
        parts.append("=" * 100)
        parts.append(outcome.report(reference_name, ours_name))
    return "\n".join(parts)
