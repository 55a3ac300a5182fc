"""Our gateway answers every operation as Apollo's gateway does, on the same live subgraphs:
the hand-written corpus in `operations/` and operations generated at random from the schema.

Comparison rules are in `comparison.py`; the first differing operations are printed with a diff.

Mutations change the data both gateways read, so they run after every read of the same batch,
one at a time, first through Apollo's gateway and then through ours. Each is written so that its
second run answers like its first: it sets values that are already set once the first run is
through (`mutation_same_update_twice_is_idempotent`), or is refused and writes nothing (no
token, another centre's offer, invalid input, unknown id), or creates a record, in which case
the sidecar lists the paths of generated values (the new id) that are blanked before comparing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from graphql import GraphQLSchema, parse, validate

from events.demo.load import demo_teacher
from tests.gateway.differential.comparison import Outcome, summary
from tests.gateway.differential.gateways import Gateway
from tests.gateway.differential.operations import Operation, load_corpus
from tests.gateway.differential.random_operations import OperationGenerator
from tests.gateway.differential.runner import compare_all
from tests.gateway.differential.seeded_data import value_pools
from tests.gateway.live_stack import LiveStack

pytestmark = pytest.mark.slow

RANDOM_SEED = 2026
RANDOM_OPERATIONS = 500
RANDOM_OPERATIONS_OWN_COMPOSITION = 150
SHOWN = 5

TokenFor = Callable[[Operation], str | None]


def _assert_all_agree(outcomes: list[Outcome], reference: Gateway, ours: Gateway) -> None:
    if any(not o.agrees for o in outcomes):
        pytest.fail(summary(outcomes, reference.name, ours.name, shown=SHOWN), pytrace=False)


async def _random_operations(
    live_stack: LiveStack, api_schema: GraphQLSchema, count: int
) -> list[Operation]:
    pools = await value_pools(live_stack, teacher=demo_teacher(1))
    return OperationGenerator(api_schema, pools, seed=RANDOM_SEED).operations(count)


def test_the_hand_written_corpus_covers_what_portals_send() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 40
    text = "\n".join(op.query for op in corpus)
    for feature in ("fragment ", "... on ", "@skip(", "@include(", "__typename", "__schema",
                    "$", "after: $after", "mutation"):  # fmt: skip
        assert feature in text, f"no operation uses {feature!r}"
    assert any(op.role for op in corpus) and any(op.role is None for op in corpus)


async def test_random_operations_are_valid_and_the_same_on_every_run(
    live_stack: LiveStack, api_schema: GraphQLSchema
) -> None:
    first = await _random_operations(live_stack, api_schema, RANDOM_OPERATIONS)
    again = await _random_operations(live_stack, api_schema, RANDOM_OPERATIONS)
    assert first == again
    for operation in first:
        errors = validate(api_schema, parse(operation.query))
        assert not errors, f"{operation.describe()}\n{errors}"
    # Small selections may come out alike; most must differ.
    assert len({op.query for op in first}) >= 0.9 * len(first)


async def test_hand_written_operations_get_the_same_answers_as_from_apollo(
    apollo: Gateway, ours: Gateway, token_for: TokenFor
) -> None:
    outcomes = await compare_all(load_corpus(), apollo, ours, token_for)
    _assert_all_agree(outcomes, apollo, ours)


async def test_random_operations_get_the_same_answers_as_from_apollo(
    live_stack: LiveStack,
    api_schema: GraphQLSchema,
    apollo: Gateway,
    ours: Gateway,
    token_for: TokenFor,
) -> None:
    operations = await _random_operations(live_stack, api_schema, RANDOM_OPERATIONS)
    outcomes = await compare_all(operations, apollo, ours, token_for)
    # Most random operations must find data, or the comparison would prove little.
    with_data = sum(1 for o in outcomes if o.reference.get("data"))
    assert with_data >= 0.6 * len(outcomes), f"only {with_data} operations returned data"
    _assert_all_agree(outcomes, apollo, ours)


async def test_on_its_own_composition_ours_answers_as_apollo_does(
    live_stack: LiveStack,
    api_schema: GraphQLSchema,
    apollo: Gateway,
    ours_own_composition: Gateway,
    token_for: TokenFor,
) -> None:
    operations = load_corpus() + await _random_operations(
        live_stack, api_schema, RANDOM_OPERATIONS_OWN_COMPOSITION
    )
    outcomes = await compare_all(operations, apollo, ours_own_composition, token_for)
    _assert_all_agree(outcomes, apollo, ours_own_composition)
