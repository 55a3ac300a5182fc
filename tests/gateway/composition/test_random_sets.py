"""Our composition and Apollo's agree on a hundred random subgraph sets: the same supergraph when
both compose, the same error codes when both refuse, never one composing what the other refuses."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from gateway.composition import CompositionError, SubgraphDefinition, compose
from tests.gateway.composition.corpus import Case, run_apollo, sorted_schema
from tests.gateway.composition.random_sets import random_subgraph_set

SETS = 100


@pytest.fixture(scope="module")
def random_sets() -> list[list[SubgraphDefinition]]:
    rng = random.Random(20261124)
    return [random_subgraph_set(rng) for _ in range(SETS)]


@pytest.fixture(scope="module")
def outcomes(
    random_sets: list[list[SubgraphDefinition]], pdnet_root: Path
) -> list[tuple[str | CompositionError, dict[str, Any]]]:
    ours: list[str | CompositionError] = []
    for subgraphs in random_sets:
        try:
            ours.append(compose(subgraphs))
        except CompositionError as exc:
            ours.append(exc)
    cases = [
        Case(str(index), subgraphs, result if isinstance(result, str) else None)
        for index, (subgraphs, result) in enumerate(zip(random_sets, ours, strict=True))
    ]
    apollo = run_apollo(cases, pdnet_root / "tests" / "peers")
    return [(result, apollo[str(index)]) for index, result in enumerate(ours)]


def test_the_random_sets_include_both_composing_and_broken_ones(
    outcomes: list[tuple[str | CompositionError, dict[str, Any]]],
) -> None:
    composed = sum(1 for _, apollo in outcomes if apollo["apollo"]["errors"] is None)
    assert 5 <= composed <= SETS - 5


@pytest.mark.parametrize("index", range(SETS))
def test_a_random_set_composes_or_fails_exactly_as_with_apollo(
    index: int,
    outcomes: list[tuple[str | CompositionError, dict[str, Any]]],
    random_sets: list[list[SubgraphDefinition]],
) -> None:
    ours, apollo = outcomes[index]
    expected_errors = apollo["apollo"]["errors"]
    sdls = "\n\n".join(f"# {s.name}\n{s.sdl}" for s in random_sets[index])
    if expected_errors:
        assert isinstance(ours, CompositionError), f"we composed what Apollo refuses:\n{sdls}"
        assert {i.code for i in ours.issues} == {e["code"] for e in expected_errors}, sdls
        return
    assert isinstance(ours, str), f"we refused what Apollo composes: {ours}\n{sdls}"
    assert ours == apollo["apollo"]["supergraphSdl"], sdls
    assert apollo["given"]["loadError"] is None
    assert sorted_schema(apollo["given"]["apiSchema"]) == sorted_schema(
        apollo["apollo"]["apiSchema"]
    )
