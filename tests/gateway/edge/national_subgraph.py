"""A national network's own subgraph, as LUMA Centre Finland might run it: it extends the
directory's `Centre` with the StarT projects the centre runs. It records the headers of every
request it gets, and can be switched to an SDL that does not compose with pdnet's."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter


@strawberry.type
class StartProject:
    title: str
    pupils: int


def _projects(centre_id: str) -> list[StartProject]:
    # Derived from the id, so a test can tell which centre's projects came back.
    return [StartProject(title=f"StarT at {centre_id[:8]}", pupils=len(centre_id))]


@strawberry.federation.type(keys=["id"])
class Centre:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Centre:
        return cls(id=id)

    @strawberry.field(description="StarT science-fair projects this centre runs this year.")
    def start_projects(self) -> list[StartProject] | None:
        return _projects(str(self.id))


@strawberry.type
class Query:
    @strawberry.field(description="This year's StarT theme.")
    def start_theme(self) -> str:
        return "Water"


@strawberry.federation.type(keys=["id"])
class Network:
    id: strawberry.ID
    # The directory's Network.name is a language map; an Int here cannot compose with it.
    name: int


@strawberry.type
class BrokenQuery(Query):
    @strawberry.field
    def start_network(self) -> Network:
        return Network(id=strawberry.ID("n"), name=1)


GOOD = strawberry.federation.Schema(query=Query, types=[Centre])
BROKEN = strawberry.federation.Schema(query=BrokenQuery, types=[Centre])


def _served(schema: strawberry.federation.Schema) -> FastAPI:
    app = FastAPI()
    app.include_router(GraphQLRouter(schema), prefix="/graphql")
    return app


@dataclass
class NationalSubgraph:
    """An ASGI app serving the good or the broken schema, whichever `broken` says now."""

    broken: bool = False
    seen_headers: list[dict[str, str]] = field(default_factory=list)
    _good: FastAPI = field(default_factory=lambda: _served(GOOD))
    _broken: FastAPI = field(default_factory=lambda: _served(BROKEN))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen_headers.append(
                {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            )
        await (self._broken if self.broken else self._good)(scope, receive, send)
