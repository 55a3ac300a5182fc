"""GraphQL errors: fields that need a caller refuse anonymous ones; internals are masked."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from shared.auth import IsAuthenticated, Principal, Role, principal_of
from shared.graphql import GraphQLContext, federation_schema


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[IsAuthenticated])
    def my_subject(self, info: Info) -> str:
        principal = principal_of(info)
        assert principal is not None
        return principal.subject

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("connection string postgres://secret")


schema = federation_schema(query=Query)


def context(principal: Principal | None) -> GraphQLContext:
    return GraphQLContext(db=None, principal=principal, loaders=None, languages=[])  # type: ignore[arg-type]


async def test_a_protected_field_answers_its_caller() -> None:
    caller = Principal(subject="teacher-1", roles=frozenset({Role.TEACHER}))
    result = await schema.execute("{ mySubject }", context_value=context(caller))
    assert result.errors is None
    assert result.data == {"mySubject": "teacher-1"}


async def test_a_protected_field_refuses_anonymous_callers() -> None:
    result = await schema.execute("{ mySubject }", context_value=context(None))
    assert result.data is None
    assert result.errors and "needs a bearer token" in result.errors[0].message


async def test_unexpected_resolver_errors_are_masked() -> None:
    result = await schema.execute("{ broken }", context_value=context(None))
    assert result.errors
    assert "secret" not in result.errors[0].message
