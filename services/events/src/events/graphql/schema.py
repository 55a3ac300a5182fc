"""The events subgraph schema."""

from events.graphql.queries import Query
from events.graphql.types import Centre, Event
from shared.graphql import federation_schema

schema = federation_schema(query=Query, types=[Event, Centre])
