"""Shaping merged subgraph data into the client's response: what happens to values a subgraph
should not have given, as Apollo Gateway's result shaping does it."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, OperationDefinitionNode, parse

from gateway.execution import Engine
from gateway.execution.shaping import Shaper
from gateway.planning import FieldCollector


def shape(engine: Engine, query: str, data: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    schema = engine.supergraph.api_schema
    [operation] = parse(query).definitions
    assert isinstance(operation, OperationDefinitionNode)
    root = schema.query_type
    assert isinstance(root, GraphQLObjectType)
    return Shaper(schema, FieldCollector(schema, {}, {}), root, operation.selection_set).shape(data)


def test_a_value_of_the_wrong_type_is_nulled_with_an_error(feature_engine: Engine) -> None:
    data, errors = shape(
        feature_engine,
        '{ kit(id: "k1") { name stock } teacher(id: "t1") { name } }',
        {"kit": {"name": "Set", "stock": "three"}, "teacher": {"name": "Aino"}},
    )
    assert data == {"kit": None, "teacher": {"name": "Aino"}}
    assert errors == [
        {
            "message": "Invalid value found for field Kit.stock.",
            "path": ["kit", "stock"],
            "extensions": {"code": "INVALID_GRAPHQL"},
        }
    ]


def test_a_null_list_item_where_items_are_non_null_nulls_the_nearest_nullable_field(
    feature_engine: Engine,
) -> None:
    data, errors = shape(
        feature_engine,
        '{ kit(id: "k1") { reviews { rating } } loans { number } }',
        {
            "kit": {"reviews": [{"rating": 5}, None]},
            "loans": [{"number": 1}],
        },
    )
    assert data == {"kit": {"reviews": None}, "loans": [{"number": 1}]}
    assert [error["message"] for error in errors] == [
        "Cannot return null for non-nullable array element of type Review at index 1."
    ]
    assert errors[0]["path"] == ["kit", "reviews", 1]


def test_a_missing_non_null_field_under_a_non_null_root_field_nulls_the_data(
    feature_engine: Engine,
) -> None:
    data, errors = shape(feature_engine, "{ kits { name } }", {"kits": [{"title": "x"}]})
    assert data is None
    assert errors[0]["message"] == "Cannot return null for non-nullable field Kit.name."
    assert errors[0]["path"] == ["kits", 0, "name"]


def test_an_unknown_typename_is_refused_where_an_abstract_type_is_expected(
    feature_engine: Engine,
) -> None:
    data, errors = shape(
        feature_engine,
        "{ materials { title } }",
        {
            "materials": [
                {"__typename": "Poster", "title": "A"},
                {"__typename": "Kit", "title": "B"},
            ]
        },
    )
    assert data is None
    assert errors[0]["message"] == (
        "Invalid __typename found for object at array element of type Material at index 0."
    )
    assert len(errors) == 1
