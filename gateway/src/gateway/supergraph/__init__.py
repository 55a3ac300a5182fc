"""The supergraph: what each subgraph defines and resolves, and the API schema clients see."""

from gateway.supergraph.loading import SupergraphError
from gateway.supergraph.model import EntityKey, FieldInfo, TypeInfo
from gateway.supergraph.supergraph import Supergraph, parse_field_set

__all__ = [
    "EntityKey",
    "FieldInfo",
    "Supergraph",
    "SupergraphError",
    "TypeInfo",
    "parse_field_set",
]
