"""Our composition against Apollo's on a corpus of small subgraph sets, one per federation
feature: the same API schema through Apollo Gateway, and the same error codes when they break."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gateway.composition import CompositionError, compose
from gateway.supergraph import Supergraph
from tests.gateway.composition.corpus import (
    BROKEN,
    COMPOSING,
    ROUTER_ONLY,
    Case,
    case_names,
    load_case,
    run_apollo,
    sorted_schema,
)

COMPOSING_CASES = case_names(COMPOSING)
BROKEN_CASES = case_names(BROKEN)
ROUTER_ONLY_CASES = case_names(ROUTER_ONLY)
ALL_SETS = ((COMPOSING, COMPOSING_CASES), (BROKEN, BROKEN_CASES), (ROUTER_ONLY, ROUTER_ONLY_CASES))


@pytest.fixture(scope="module")
def ours() -> dict[str, str | CompositionError]:
    results: dict[str, str | CompositionError] = {}
    for root, names in ALL_SETS:
        for name in names:
            try:
                results[f"{root.name}/{name}"] = compose(load_case(root / name))
            except CompositionError as exc:
                results[f"{root.name}/{name}"] = exc
    return results


@pytest.fixture(scope="module")
def apollo(ours: dict[str, str | CompositionError], pdnet_root: Path) -> dict[str, dict[str, Any]]:
    cases = []
    for root, names in ALL_SETS:
        for name in names:
            case_id = f"{root.name}/{name}"
            supergraph = ours[case_id]
            cases.append(
                Case(
                    case_id,
                    load_case(root / name),
                    supergraph if isinstance(supergraph, str) else None,
                )
            )
    return run_apollo(cases, pdnet_root / "tests" / "peers")


def test_the_corpus_covers_at_least_15_composing_and_10_broken_sets() -> None:
    assert len(COMPOSING_CASES) >= 15
    assert len(BROKEN_CASES) >= 10


@pytest.mark.parametrize("name", COMPOSING_CASES)
def test_apollo_gateway_serves_the_same_api_schema_from_our_supergraph_as_from_apollos(
    name: str, ours: dict[str, str | CompositionError], apollo: dict[str, dict[str, Any]]
) -> None:
    case_id = f"cases/{name}"
    supergraph = ours[case_id]
    assert isinstance(supergraph, str), f"we refused a set Apollo composes: {supergraph}"
    result = apollo[case_id]
    assert result["apollo"]["errors"] is None, result["apollo"]["errors"]
    assert result["given"]["loadError"] is None, result["given"]["loadError"]
    assert sorted_schema(result["given"]["apiSchema"]) == sorted_schema(
        result["apollo"]["apiSchema"]
    )


@pytest.mark.parametrize("name", COMPOSING_CASES)
def test_our_supergraph_prints_as_apollos_composition_prints_it(
    name: str, ours: dict[str, str | CompositionError], apollo: dict[str, dict[str, Any]]
) -> None:
    # Byte for byte: tools that diff or hash supergraphs see no change when switching composer.
    assert ours[f"cases/{name}"] == apollo[f"cases/{name}"]["apollo"]["supergraphSdl"]


@pytest.mark.parametrize("name", COMPOSING_CASES)
def test_our_gateway_loads_our_supergraph_into_the_api_schema_apollo_derives(
    name: str, ours: dict[str, str | CompositionError], apollo: dict[str, dict[str, Any]]
) -> None:
    supergraph = ours[f"cases/{name}"]
    assert isinstance(supergraph, str)
    loaded = Supergraph.from_sdl(supergraph)
    assert sorted_schema(loaded.print_api_schema()) == sorted_schema(
        apollo[f"cases/{name}"]["apollo"]["apiSchema"]
    )
    subgraphs = {s.name: s.url for s in load_case(COMPOSING / name)}
    assert loaded.subgraph_urls == subgraphs


@pytest.mark.parametrize("name", BROKEN_CASES)
def test_a_broken_set_fails_with_apollos_error_codes_naming_the_subgraphs(
    name: str, ours: dict[str, str | CompositionError], apollo: dict[str, dict[str, Any]]
) -> None:
    case_id = f"broken/{name}"
    apollo_errors = apollo[case_id]["apollo"]["errors"]
    assert apollo_errors, "Apollo composes this set, so it does not belong with the broken ones"
    error = ours[case_id]
    assert isinstance(error, CompositionError), "we composed a set Apollo refuses"
    assert {i.code for i in error.issues} == {e["code"] for e in apollo_errors}
    names = {s.name for s in load_case(BROKEN / name)}
    for issue in error.issues:
        assert issue.subgraphs, issue
        assert set(issue.subgraphs) <= names, issue
        mentioned = set(re.findall(r'"([^"]+)"|\[([^\]]+)\]', issue.message))
        assert any(s in {a or b for a, b in mentioned} for s in issue.subgraphs), issue


@pytest.mark.parametrize("name", BROKEN_CASES)
def test_a_broken_set_is_explained_in_apollos_words(
    name: str, ours: dict[str, str | CompositionError], apollo: dict[str, dict[str, Any]]
) -> None:
    # Ours may add which subgraphs an element comes from where Apollo's message does not say.
    error = ours[f"broken/{name}"]
    assert isinstance(error, CompositionError)
    messages = [issue.message for issue in error.issues]
    for expected in apollo[f"broken/{name}"]["apollo"]["errors"]:
        assert any(m.startswith(expected["message"]) for m in messages), (expected, messages)


@pytest.mark.parametrize("name", ROUTER_ONLY_CASES)
def test_a_supergraph_with_access_control_prints_as_apollos_and_loads_in_our_gateway(
    name: str, ours: dict[str, str | CompositionError], apollo: dict[str, dict[str, Any]]
) -> None:
    # @authenticated, @requiresScopes and @policy reach the supergraph, so a router enforcing
    # them sees every subgraph's demands, combined as Apollo combines them.
    supergraph = ours[f"router-only/{name}"]
    assert isinstance(supergraph, str), supergraph
    assert supergraph == apollo[f"router-only/{name}"]["apollo"]["supergraphSdl"]
    assert Supergraph.from_sdl(supergraph).subgraph_urls == {
        s.name: s.url for s in load_case(ROUTER_ONLY / name)
    }
