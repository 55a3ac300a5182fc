"""Query planning: a client operation becomes subgraph fetches in sequence and in parallel."""

from gateway.planning.building import PlanningError
from gateway.planning.fields import FieldCollector, is_included
from gateway.planning.plan import (
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    RepresentationField,
    RepresentationTemplate,
    SequenceNode,
)
from gateway.planning.planner import INTROSPECTION_FIELDS, QueryPlanner

__all__ = [
    "INTROSPECTION_FIELDS",
    "FetchNode",
    "FieldCollector",
    "FlattenNode",
    "ParallelNode",
    "PlanNode",
    "PlanningError",
    "QueryPlan",
    "QueryPlanner",
    "RepresentationField",
    "RepresentationTemplate",
    "SequenceNode",
    "is_included",
]
