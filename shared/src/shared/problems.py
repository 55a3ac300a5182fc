"""RFC 9457 problem details: every error a pdnet service returns is `application/problem+json`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
_TYPE_PREFIX = "urn:pdnet:problem:"

log = structlog.get_logger(__name__)


class Problem(Exception):
    """An expected failure with an HTTP status. Services subclass it, one class per kind."""

    type: str = "about:blank"
    title: str = "Error"
    status: int = 400

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = extensions

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


def problem_type(slug: str) -> str:
    return _TYPE_PREFIX + slug


class BadRequest(Problem):
    type = problem_type("bad-request")
    title = "Bad request"
    status = 400


class Unauthorized(Problem):
    type = problem_type("unauthorized")
    title = "Authentication required"
    status = 401


class Forbidden(Problem):
    type = problem_type("forbidden")
    title = "Not allowed"
    status = 403


class NotFound(Problem):
    type = problem_type("not-found")
    title = "Not found"
    status = 404


class Conflict(Problem):
    type = problem_type("conflict")
    title = "Conflict"
    status = 409


class PreconditionFailed(Problem):
    type = problem_type("precondition-failed")
    title = "Precondition failed"
    status = 412


class PreconditionRequired(Problem):
    type = problem_type("precondition-required")
    title = "Precondition required"
    status = 428


class InvalidInput(Problem):
    type = problem_type("validation")
    title = "Invalid input"
    status = 422


class ServiceUnavailable(Problem):
    type = problem_type("unavailable")
    title = "Service unavailable"
    status = 503

    def __init__(self, detail: str | None = None, *, retry_after_s: int = 5, **ext: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_s)}, **ext)


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    return JSONResponse(
        problem.to_dict(instance),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_JSON,
    )


def _field_path(loc: Sequence[Any]) -> str:
    # FastAPI prefixes locations with where the value came from: body, query, path, header.
    return ".".join(str(part) for part in loc)


def validation_problem(errors: Sequence[Mapping[str, Any]]) -> InvalidInput:
    fields = [
        {"field": _field_path(e.get("loc", ())), "message": e.get("msg", ""), "code": e.get("type")}
        for e in errors
    ]
    first = fields[0] if fields else {"field": "request", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    if len(fields) > 1:
        detail += f" (and {len(fields) - 1} more)"
    return InvalidInput(detail, errors=fields)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc.errors()), request)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    title = HTTPStatus(status).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    problem = Problem(detail, headers=exc.headers)
    problem.status, problem.title = status, title
    problem.type = problem_type(title.lower().replace(" ", "-"))
    return problem_response(problem, request)


async def _on_database_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable", error=type(exc).__name__)
    return problem_response(
        ServiceUnavailable("The database is unreachable; retry shortly."), request
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Internals (messages, tracebacks, SQL) stay in the log, keyed by the request id.
    log.exception("unhandled error", path=request.url.path)
    problem = Problem("An unexpected error occurred; it has been logged.")
    problem.status, problem.title = 500, "Internal server error"
    problem.type = problem_type("internal")
    return problem_response(problem, request)


# SQLSTATE 08xxx: connection exceptions; 57P01-57P03: the server is shutting down or starting.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_connection_failure(exc: BaseException) -> bool:
    """The database is unreachable or restarting (not a bug in a query): retrying will help."""
    if isinstance(exc, OSError | ConnectionError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", exc)
    name = type(orig).__name__
    if name in {
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "TooManyConnectionsError",
        "AdminShutdownError",
        "CrashShutdownError",
    }:
        return True
    for candidate in (orig, getattr(orig, "__cause__", None)):
        sqlstate = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(candidate, OSError | ConnectionError):
            return True
    return False


async def _on_dbapi(request: Request, exc: Exception) -> JSONResponse:
    if is_connection_failure(exc):
        return await _on_database_down(request, exc)
    return await _on_unexpected(request, exc)


async def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    # Services check what they can first; this catches what only the database can see, such as
    # two concurrent requests claiming the same unique value. The transaction is rolled back.
    constraint = getattr(getattr(exc, "orig", None), "constraint_name", None)
    if constraint is None:
        constraint = getattr(
            getattr(getattr(exc, "orig", None), "__cause__", None), "constraint_name", None
        )
    problem = Conflict("The change conflicts with data that already exists.")
    if constraint:
        problem.extensions["constraint"] = constraint
    return problem_response(problem, request)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OperationalError, _on_dbapi)
    app.add_exception_handler(DBAPIError, _on_dbapi)
    app.add_exception_handler(OSError, _on_database_down)
    # Every pooled connection stayed busy past the pool timeout: overloaded, so retry later.
    app.add_exception_handler(PoolTimeout, _on_database_down)
    app.add_exception_handler(Exception, _on_unexpected)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status in (400, 401, 403, 404, 409, 412, 422, 428, 503)
}
"""Documented on every route so clients (and contract fuzzers) know what errors look like."""
