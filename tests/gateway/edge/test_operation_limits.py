"""How deep, how aliased and how costly an operation counts as, before anything runs."""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, parse

from gateway.operation_limits import Limits, check_limits

LIMITS = Limits(max_depth=5, max_aliases=2, max_cost=1000, default_page_size=50)


def _exceeded(query: str, variables: dict[str, Any] | None = None) -> dict[str, int]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return {e.code: e.actual for e in check_limits(document, operation, variables or {}, LIMITS)}


def test_page_sizes_multiply_the_cost_of_what_is_inside_them() -> None:
    # 1 + 10 x (1 nodes + 1 events + 20 x (1 nodes + 1 id)) = 421
    assert (
        _exceeded("{ centres(first: 10) { nodes { events(first: 20) { nodes { id } } } } }") == {}
    )
    over = _exceeded("{ centres(first: 30) { nodes { events(first: 20) { nodes { id } } } } }")
    assert over == {"QUERY_TOO_COSTLY": 1 + 30 * (2 + 20 * 2)}


def test_page_sizes_come_from_variables_and_connections_without_one_count_a_default_page() -> None:
    query = "query($n: Int) { centres(first: $n) { nodes { id } } }"
    assert _exceeded(query, {"n": 400}) == {}  # 1 + 400 x 2 = 801
    assert _exceeded(query, {"n": 600}) == {"QUERY_TOO_COSTLY": 1201}
    # No `first`: the subgraph's own default page, assumed to be default_page_size.
    assert _exceeded("{ centres { nodes { id name } } }") == {}  # 1 + 50 x 3 = 151
    assert _exceeded("{ centres { nodes { events { nodes { id } } } } }") == {
        "QUERY_TOO_COSTLY": 1 + 50 * (2 + 50 * 2)
    }


def test_fragments_count_where_they_are_spread_and_cycles_do_not_hang() -> None:
    deep = "{ a { ...F } } fragment F on A { b { c { d { e { f } } } } }"
    assert _exceeded(deep) == {"QUERY_TOO_DEEP": 6}
    cyclic = "{ a { ...F } } fragment F on A { b { ...F } }"
    assert _exceeded(cyclic) == {}


def test_aliases_are_counted_wherever_they_are() -> None:
    assert _exceeded("{ x: a { y: b } c }") == {}
    assert _exceeded("{ x: a { y: b z: c } }") == {"TOO_MANY_ALIASES": 3}
