"""Execution: runs query plans over a subgraph transport and shapes the client's response."""

from gateway.execution.engine import (
    Engine,
    GraphQLRequest,
    GraphQLRequestError,
    select_operation,
)
from gateway.execution.transport import (
    FetchObserver,
    HttpSubgraphTransport,
    SubgraphFetchError,
    SubgraphRequest,
    SubgraphTransport,
)

__all__ = [
    "Engine",
    "FetchObserver",
    "GraphQLRequest",
    "GraphQLRequestError",
    "HttpSubgraphTransport",
    "SubgraphFetchError",
    "SubgraphRequest",
    "SubgraphTransport",
    "select_operation",
]
