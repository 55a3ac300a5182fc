"""Whatever a subgraph sends, composition answers with a supergraph or a CompositionError that
says what is wrong; it never fails with anything else."""

from __future__ import annotations

import re

import pytest

from gateway.composition import CompositionError, CompositionIssue, SubgraphDefinition, compose
from tests.gateway.composition.corpus import COMPOSING, case_names, load_case

_TOKENS = re.compile(r'"""[\s\S]*?"""|"[^"]*"|\S+')
LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)


def compose_or_issues(subgraphs: list[SubgraphDefinition]) -> str | list[CompositionIssue]:
    try:
        return compose(subgraphs)
    except CompositionError as exc:
        issues = exc.issues
    assert issues, "a CompositionError must say what is wrong"
    return issues


@pytest.mark.parametrize("name", case_names(COMPOSING))
def test_a_subgraph_with_any_one_token_missing_composes_or_is_refused_with_issues(
    name: str,
) -> None:
    subgraphs = load_case(COMPOSING / name)
    for index, subgraph in enumerate(subgraphs):
        tokens = _TOKENS.findall(subgraph.sdl)
        # Every third token keeps the run short while still cutting into every construct.
        for cut in range(index % 3, len(tokens), 3):
            damaged = SubgraphDefinition(
                subgraph.name, subgraph.url, " ".join(tokens[:cut] + tokens[cut + 1 :])
            )
            compose_or_issues([*subgraphs[:index], damaged, *subgraphs[index + 1 :]])


@pytest.mark.parametrize(
    ("sdl", "expected"),
    [
        ("", "Syntax Error"),
        ("query { a }", "cannot contain operations"),
        (LINK + "type Query { a: Int } type Query { b: Int }", 'only one type named "Query"'),
        (LINK + "type Query { a: T } type T @key(fields: 1) { id: ID }", "@key(fields:)"),
        ("extend schema @link(url: 5)\ntype Query { a: Int }", "@link(url:)"),
        (LINK + "interface I implements I { a: Int } type Query { a: I }", "I"),
        (LINK + "input I { a: I! } type Query { a(i: I): Int }", "I"),
        (LINK + "schema { query: Root } type Query { a: Int }", '"Root"'),
        (LINK + 'type Query { a: T } type T @key(fields: "...F") { id: ID }', "Fragment"),
    ],
)
def test_a_malformed_subgraph_is_refused_as_invalid_graphql_naming_the_subgraph(
    sdl: str, expected: str
) -> None:
    issues = compose_or_issues([SubgraphDefinition("shop", "http://shop.example/graphql", sdl)])
    assert isinstance(issues, list), "a malformed subgraph must not compose"
    assert all("shop" in issue.subgraphs for issue in issues)
    assert any(expected in issue.message and "[shop]" in issue.message for issue in issues), issues


def test_no_subgraphs_and_repeated_names_are_refused() -> None:
    with pytest.raises(CompositionError) as none:
        compose([])
    assert none.value.issues[0].code == "NO_SUBGRAPHS"
    twice = SubgraphDefinition(
        "shop", "http://shop.example/graphql", LINK + "type Query { a: Int }"
    )
    with pytest.raises(CompositionError) as repeated:
        compose([twice, twice])
    assert repeated.value.issues[0].subgraphs == ("shop",)
