"""Query plans: which subgraphs are asked for what, in which order, with which keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.execution import Engine, GraphQLRequestError
from gateway.planning import FetchNode, QueryPlan
from shared.node_peers import SubgraphSdl
from tests.gateway.engine.conftest import Subgraphs, engine_for


def shape(plan: QueryPlan) -> Any:
    """The plan as nested (kind, ...) tuples: subgraphs and paths, not operation texts."""

    def walk(node: dict[str, Any]) -> Any:
        if node["kind"] == "Fetch":
            return node["serviceName"]
        if node["kind"] == "Flatten":
            return ("Flatten", ".".join(node["path"]), walk(node["node"]))
        return (node["kind"], *[walk(child) for child in node["nodes"]])

    plan_dict = plan.to_dict()
    return None if plan_dict is None else walk(plan_dict)


def fetch_to(plan: QueryPlan, subgraph: str, index: int = 0) -> FetchNode:
    return [f for f in plan.fetches() if f.subgraph == subgraph][index]


def representation_keys(fetch: FetchNode, type_name: str) -> list[str]:
    assert fetch.representations is not None
    return [field.key for field in fetch.representations[type_name].fields]


# pdnet's own subgraphs


async def test_centres_with_events_and_kits_fetch_both_extensions_in_parallel(
    pdnet: Subgraphs,
) -> None:
    plan = pdnet.engine.plan(
        "{ centres { nodes { name events { totalCount } kits { totalCount } } } }"
    )
    assert shape(plan) == (
        "Sequence",
        "directory",
        (
            "Parallel",
            ("Flatten", "centres.nodes.@", "events"),
            ("Flatten", "centres.nodes.@", "resources"),
        ),
    )
    directory = fetch_to(plan, "directory")
    assert directory.operation == "query{centres {nodes {name __typename id}}}"
    events = fetch_to(plan, "events")
    assert "_entities(representations: $representations)" in events.operation
    assert "... on Centre {events {totalCount}}" in events.operation
    assert representation_keys(events, "Centre") == ["__typename", "id"]


async def test_root_fields_are_grouped_per_subgraph_and_run_in_parallel(pdnet: Subgraphs) -> None:
    plan = pdnet.engine.plan(
        "{ centres { totalCount } networks { totalCount } events { totalCount } }"
    )
    assert shape(plan) == ("Parallel", "directory", "events")
    assert fetch_to(plan, "directory").operation == (
        "query{centres {totalCount} networks {totalCount}}"
    )


async def test_a_field_of_an_entity_found_in_another_subgraph_is_one_more_step(
    pdnet: Subgraphs,
) -> None:
    plan = pdnet.engine.plan(
        "{ centres { nodes { events { nodes { title hostCentre { name } } } } } }"
    )
    assert shape(plan) == (
        "Sequence",
        "directory",
        ("Flatten", "centres.nodes.@", "events"),
        ("Flatten", "centres.nodes.@.events.nodes.@.hostCentre", "directory"),
    )


async def test_variables_are_sent_only_to_the_subgraphs_that_use_them(pdnet: Subgraphs) -> None:
    plan = pdnet.engine.plan(
        "query Find($country: String, $kits: Int!, $events: Int!) {"
        " centres(filter: {country: $country}) { nodes { events(first: $events) { totalCount } } }"
        " kits(first: $kits) { totalCount } }",
        "Find",
    )
    assert fetch_to(plan, "directory").variable_usages == ("country",)
    assert fetch_to(plan, "resources").variable_usages == ("kits",)
    events = fetch_to(plan, "events")
    assert events.variable_usages == ("events",)
    assert events.operation.startswith(
        "query Find__events__1($representations: [_Any!]!, $events: Int!)"
    )


async def test_skip_and_include_decide_which_subgraphs_are_asked(pdnet: Subgraphs) -> None:
    query = (
        "query($withEvents: Boolean!) { centres { nodes { name"
        " events @include(if: $withEvents) { totalCount } } } }"
    )
    assert shape(pdnet.engine.plan(query, variables={"withEvents": False})) == "directory"
    assert shape(pdnet.engine.plan(query, variables={"withEvents": True})) == (
        "Sequence",
        "directory",
        ("Flatten", "centres.nodes.@", "events"),
    )


# Features pdnet's subgraphs do not use


def test_requires_fields_are_fetched_first_and_sent_in_the_representation(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan("{ kits { shippingCost } }")
    assert shape(plan) == ("Sequence", "catalogue", ("Flatten", "kits.@", "stores"))
    assert "weightGrams" in fetch_to(plan, "catalogue").operation
    assert representation_keys(fetch_to(plan, "stores"), "Kit") == [
        "__typename",
        "id",
        "weightGrams",
    ]


def test_a_shared_root_field_is_asked_of_the_subgraph_that_resolves_most_below_it(
    feature_engine: Engine,
) -> None:
    assert shape(feature_engine.plan('{ kit(id: "k1") { name title } }')) == "catalogue"
    assert shape(feature_engine.plan('{ kit(id: "k1") { name stock } }')) == "stores"


def test_a_field_with_requires_takes_its_own_fetch_even_where_it_is_resolved(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan('{ kit(id: "k1") { stock name shippingCost } }')
    assert shape(plan) == (
        "Sequence",
        "stores",
        ("Flatten", "kit", "catalogue"),
        ("Flatten", "kit", "stores"),
    )
    assert "... on Kit {weightGrams}" in fetch_to(plan, "catalogue").operation
    assert representation_keys(fetch_to(plan, "stores", 1), "Kit") == [
        "__typename",
        "id",
        "weightGrams",
    ]


def test_provided_fields_come_with_the_field_that_provides_them(feature_engine: Engine) -> None:
    plan = feature_engine.plan("{ latestReviews { body author { name } } }")
    assert shape(plan) == "reviews"
    plan = feature_engine.plan("{ latestReviews { body author { name school } } }")
    assert shape(plan) == (
        "Sequence",
        "reviews",
        ("Flatten", "latestReviews.@.author", "people"),
    )
    assert "... on Teacher {school}" in fetch_to(plan, "people").operation


def test_shareable_fields_come_from_the_subgraph_already_asked(feature_engine: Engine) -> None:
    assert shape(feature_engine.plan("{ kits { name } }")) == "catalogue"
    assert shape(feature_engine.plan("{ loans { kit { name } } }")) == "stores"


def test_an_overridden_field_is_fetched_from_the_subgraph_that_took_it_over(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan("{ kits { stock } }")
    assert shape(plan) == ("Sequence", "catalogue", ("Flatten", "kits.@", "stores"))


def test_a_composite_key_is_sent_whole(feature_engine: Engine) -> None:
    plan = feature_engine.plan("{ loans { returnedOn } }")
    assert shape(plan) == ("Sequence", "stores", ("Flatten", "loans.@", "reviews"))
    assert representation_keys(fetch_to(plan, "reviews"), "Loan") == [
        "__typename",
        "centreCode",
        "number",
    ]


def test_a_key_the_current_subgraph_lacks_is_fetched_from_a_third_subgraph_first(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan("{ latestReviews { author { name certificates } } }")
    assert shape(plan) == (
        "Sequence",
        "reviews",
        ("Flatten", "latestReviews.@.author", "people"),
        ("Flatten", "latestReviews.@.author", "certificates"),
    )
    assert "... on Teacher {login}" in fetch_to(plan, "people").operation
    assert representation_keys(fetch_to(plan, "certificates"), "Teacher") == [
        "__typename",
        "login",
    ]


def test_interface_implementations_found_in_other_subgraphs_are_fetched_per_type(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan(
        "{ materials { title ... on Booklet { pages } ... on Kit { stock } } }"
    )
    assert shape(plan) == ("Sequence", "catalogue", ("Flatten", "materials.@", "stores"))
    catalogue = fetch_to(plan, "catalogue").operation
    assert catalogue.startswith("query{materials {__typename ... on Booklet {")
    stores = fetch_to(plan, "stores")
    assert "... on Booklet {pages} ... on Kit {stock}" in stores.operation
    assert set(stores.representations or {}) == {"Booklet", "Kit"}


def test_fields_of_an_interface_object_are_fetched_as_the_interface(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan("{ materials { title recommendedBy { name } } }")
    assert shape(plan) == ("Sequence", "catalogue", ("Flatten", "materials.@", "people"))
    people = fetch_to(plan, "people")
    assert "... on Material {recommendedBy {name}}" in people.operation
    assert people.representations is not None
    assert {t.typename for t in people.representations.values()} == {"Material"}


def test_an_interface_object_returned_by_a_subgraph_gets_its_object_types_from_another(
    feature_engine: Engine,
) -> None:
    plan = feature_engine.plan(
        "{ recommended { recommendedBy { name } ... on Kit { stock } ... on Booklet { title } } }"
    )
    assert shape(plan) == (
        "Sequence",
        "people",
        ("Flatten", "recommended.@", "catalogue"),
        ("Flatten", "recommended.@", "stores"),
    )
    assert fetch_to(plan, "people").operation == (
        "query{recommended {__typename recommendedBy {name} id}}"
    )
    catalogue = fetch_to(plan, "catalogue").operation
    assert "... on Material {__typename ... on Booklet {title" in catalogue


def test_union_members_are_planned_by_type_condition(feature_engine: Engine) -> None:
    plan = feature_engine.plan(
        '{ search(term: "la") { ... on Kit { shippingCost } ... on Booklet { title } } }'
    )
    assert shape(plan) == ("Sequence", "catalogue", ("Flatten", "search.@", "stores"))
    assert "... on Booklet {title" in fetch_to(plan, "catalogue").operation


def test_mutation_fields_run_one_after_another_in_the_order_asked(feature_engine: Engine) -> None:
    plan = feature_engine.plan(
        'mutation { first: reserveKit(kitId: "k1") { number kit { reviews { rating } } }'
        ' draft: draftReview(kitId: "k1", body: "Good", rating: 4) { body }'
        ' second: reserveKit(kitId: "k2") { number } }'
    )
    assert shape(plan) == (
        "Sequence",
        "stores",
        ("Flatten", "first.kit", "reviews"),
        "reviews",
        "stores",
    )
    assert fetch_to(plan, "stores").operation.startswith("mutation{first: reserveKit")
    # A mutation's fetch is never sent twice on a reused connection.
    assert fetch_to(plan, "stores").writes


def test_inaccessible_fields_cannot_be_asked_for(feature_engine: Engine) -> None:
    with pytest.raises(GraphQLRequestError) as raised:
        feature_engine.plan("{ kits { internalCode } }")
    assert raised.value.errors[0]["message"] == ('Cannot query field "internalCode" on type "Kit".')


def test_plans_are_cached_per_document_operation_and_conditions(feature_engine: Engine) -> None:
    query = "query($all: Boolean!) { kits { name stock @include(if: $all) } }"
    first = feature_engine.plan(query, variables={"all": True})
    assert feature_engine.plan(query, variables={"all": True}) is first
    assert feature_engine.plan(query, variables={"all": False}) is not first


REQUIRING_FRAGMENTS = [
    SubgraphSdl(
        "kits",
        "http://kits.test/graphql",
        """extend schema @link(url: "https://specs.apollo.dev/federation/v2.5",
             import: ["@key", "@shareable"])
        type Query { kit: Kit }
        type Kit @key(fields: "id") { id: ID! contents: [Part!]! }
        interface Part { label: String! }
        type Sensor implements Part @shareable { label: String! range: Int! }
        type Cable implements Part @shareable { label: String! length: Int! }""",
    ),
    SubgraphSdl(
        "packing",
        "http://packing.test/graphql",
        """extend schema @link(url: "https://specs.apollo.dev/federation/v2.5",
             import: ["@key", "@shareable", "@external", "@requires"])
        type Kit @key(fields: "id") {
          id: ID!
          contents: [Part!]! @external
          boxSize: String! @requires(fields:
            "contents { label ... on Sensor { range } ... on Cable { length } }")
        }
        interface Part { label: String! }
        type Sensor implements Part @shareable { label: String! range: Int! }
        type Cable implements Part @shareable { label: String! length: Int! }""",
    ),
]


def test_requires_with_fragments_fetch_each_object_types_fields_and_send_their_typename(
    pdnet_root: Path,
) -> None:
    engine = engine_for(REQUIRING_FRAGMENTS, pdnet_root / "tests" / "peers")
    plan = engine.plan("{ kit { boxSize } }")
    assert shape(plan) == ("Sequence", "kits", ("Flatten", "kit", "packing"))
    assert fetch_to(plan, "kits").operation == (
        "query{kit {__typename id contents {__typename label"
        " ... on Sensor {range} ... on Cable {length}}}}"
    )
    packing = fetch_to(plan, "packing")
    assert packing.representations is not None
    contents = packing.representations["Kit"].fields[2]
    assert contents.key == "contents"
    assert contents.selection is not None
    assert [f.key for f in contents.selection.fields] == ["__typename", "label"]
    assert [types for types, _ in contents.selection.fragments] == [
        frozenset({"Sensor"}),
        frozenset({"Cable"}),
    ]
