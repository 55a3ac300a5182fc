"""The resources subgraph schema."""

from resources.graphql.queries import Query
from resources.graphql.types import Centre, Kit
from shared.graphql import federation_schema

schema = federation_schema(query=Query, types=[Kit, Centre])
