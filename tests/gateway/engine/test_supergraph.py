"""The supergraph model read from Apollo's composition output, and the API schema built from it."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType

from gateway.execution import Engine
from gateway.supergraph import EntityKey, Supergraph, SupergraphError
from tests.gateway.engine.conftest import Subgraphs


def test_types_know_their_subgraphs_keys_and_where_each_field_resolves(
    feature_engine: Engine,
) -> None:
    types = feature_engine.supergraph.types
    kit = types["Kit"]
    assert set(kit.subgraphs) == {"catalogue", "stores", "reviews"}
    assert kit.keys["stores"] == [EntityKey("id", True)]
    assert types["Loan"].keys["reviews"] == [EntityKey("centreCode number", True)]
    assert kit.fields["name"].resolvable_in == ("catalogue", "stores")  # shareable
    assert kit.fields["weightGrams"].resolvable_in == ("catalogue",)
    assert kit.fields["weightGrams"].external_in == {"stores"}
    assert kit.fields["shippingCost"].requires == {"stores": "weightGrams"}
    assert kit.fields["stock"].resolvable_in == ("stores",)
    assert kit.fields["stock"].overridden_from == {"stores": "catalogue"}
    assert types["Review"].fields["author"].provides == {"reviews": "name"}
    assert types["Teacher"].fields["name"].external_in == {"reviews"}
    assert types["Kit"].implements == {"catalogue": {"Material"}}
    assert types["SearchResult"].union_members == {"catalogue": ("Kit", "Booklet")}


def test_possible_types_of_abstract_types_are_per_subgraph(feature_engine: Engine) -> None:
    supergraph = feature_engine.supergraph
    assert supergraph.possible_types_in("Material", "catalogue") == ["Booklet", "Kit"]
    assert supergraph.possible_types_in("Material", "stores") == []
    assert supergraph.possible_types_in("SearchResult", "catalogue") == ["Kit", "Booklet"]


def test_the_api_schema_has_no_join_machinery_and_no_inaccessible_elements(
    feature_engine: Engine,
) -> None:
    supergraph = feature_engine.supergraph
    printed = supergraph.print_api_schema()
    assert "join__" not in printed
    assert "link__" not in printed
    assert "@link" not in printed
    assert "inaccessible" not in printed
    kit = supergraph.api_schema.type_map["Kit"]
    assert isinstance(kit, GraphQLObjectType)
    assert "internalCode" not in kit.fields
    assert "shippingCost" in kit.fields
    teacher = supergraph.api_schema.type_map["Teacher"]
    assert isinstance(teacher, GraphQLObjectType)
    assert set(teacher.fields) == {"id", "login", "name", "school", "certificates"}
    assert supergraph.subgraph_urls["people"] == "http://people.test/graphql"


async def test_pdnet_centres_are_one_entity_extended_by_events_and_resources(
    pdnet: Subgraphs,
) -> None:
    centre = pdnet.supergraph.types["Centre"]
    assert set(centre.subgraphs) >= {"directory", "events", "resources"}
    assert centre.fields["name"].resolvable_in == ("directory",)
    assert centre.fields["events"].resolvable_in == ("events",)
    assert centre.fields["kits"].resolvable_in == ("resources",)
    assert set(centre.fields["id"].resolvable_in) >= {"directory", "events", "resources"}
    assert pdnet.supergraph.subgraph_urls["events"] == "http://events.test/graphql"


def test_an_sdl_without_join_graphs_is_refused() -> None:
    with pytest.raises(SupergraphError, match="not a supergraph"):
        Supergraph.from_sdl("type Query { hello: String }")


def test_an_sdl_that_does_not_parse_is_refused() -> None:
    with pytest.raises(SupergraphError, match="does not parse"):
        Supergraph.from_sdl("type Query {")
