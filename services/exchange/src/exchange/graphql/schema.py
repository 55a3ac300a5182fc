"""The exchange subgraph schema."""

from exchange.graphql.mutations import Mutation
from exchange.graphql.queries import Query
from exchange.graphql.types import Centre, Educator, ExchangeOffer
from shared.graphql import federation_schema

schema = federation_schema(query=Query, mutation=Mutation, types=[ExchangeOffer, Centre, Educator])
