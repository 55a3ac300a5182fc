"""The events subgraph schema."""

from strawberry.tools import merge_types

from events.graphql.ledger import LedgerQuery
from events.graphql.queries import Query as EventQuery
from events.graphql.types import Centre, Event
from shared.graphql import federation_schema

Query = merge_types("Query", (EventQuery, LedgerQuery))

schema = federation_schema(query=Query, types=[Event, Centre])
