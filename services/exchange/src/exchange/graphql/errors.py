"""Expected failures in GraphQL: the REST problem's text, with its type, status and details
in the error's `extensions`, so clients tell an `offer-full` from an `illegal-transition`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql import GraphQLError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.problems import Conflict, Problem, validation_problem

T = TypeVar("T")


def as_graphql_errors(problem: Problem) -> GraphQLError:
    extensions: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        **problem.extensions,
    }
    return GraphQLError(problem.detail or problem.title, extensions=extensions)


def parse_input(model: type[Any], value: Any, field: str) -> Any:
    """The REST request model, so GraphQL input is held to exactly the same rules."""
    try:
        return model.model_validate(value if value is not None else {})
    except ValidationError as exc:
        problem = validation_problem(
            [{**e, "loc": (field, *e.get("loc", ()))} for e in exc.errors()]
        )
        raise as_graphql_errors(problem) from None


async def in_transaction(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """A mutation's own transaction: committed if the work succeeds, else nothing is written."""
    async with db.session() as session:
        try:
            result = await work(session)
            await session.commit()
        except Problem as problem:
            await session.rollback()
            raise as_graphql_errors(problem) from None
        except IntegrityError:
            await session.rollback()
            conflict = Conflict("The change conflicts with data that already exists.")
            raise as_graphql_errors(conflict) from None
        except BaseException:
            await session.rollback()
            raise
    return result
