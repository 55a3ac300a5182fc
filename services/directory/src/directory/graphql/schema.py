"""The directory subgraph schema."""

from directory.graphql.queries import Query
from directory.graphql.types import Centre, Educator, Network
from shared.graphql import federation_schema

schema = federation_schema(query=Query, types=[Centre, Network, Educator])
