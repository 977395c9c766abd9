"""Failures that are not bugs, told apart from those that are: each gets a code and says
whether sending the same request again can succeed.

A write that lost a race (a row changed by another request, SQLite's write lock taken) is a
``CONFLICT``: reload and retry. A database that cannot be reached is ``UNAVAILABLE`` (HTTP 503
with ``Retry-After``): retry later. A value the database cannot store (a NUL byte, a lone
surrogate, a number it cannot represent) is the client's: ``BAD_USER_INPUT``, no retry; so is
a query stopped by the statement timeout (``QUERY_TIMEOUT``): the same query would be again.
Anything else is unexpected, masked (no SQL or stack detail leaves), ``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from strawberry.extensions import SchemaExtension

__all__ = [
    "RETRY_AFTER_SECONDS",
    "CodedErrors",
    "Failure",
    "classify",
    "coded",
    "is_bug",
    "is_unavailable",
    "retryable",
]

# Codes a client may send again unchanged (after reloading, for a conflict).
RETRYABLE = frozenset({"CONFLICT", "UNAVAILABLE", "RATE_LIMITED", "IDEMPOTENCY_KEY_IN_USE"})
RETRY_AFTER_SECONDS = 5


class Failure:
    """What a failure is, for the client: a code and a message without internals."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def retryable(code: str | None) -> bool:
    return code in RETRYABLE


def _lost_race(error: BaseException) -> bool:
    if isinstance(error, StaleDataError):
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


# What the drivers raise when there is no database to talk to (asyncpg's names).
CONNECTION_FAILURES = frozenset(
    {
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "TooManyConnectionsError",
        "InterfaceError",
    }
)


def _driver_error(error: DBAPIError) -> BaseException | None:
    # SQLAlchemy's asyncpg adapter raises its own error, caused by asyncpg's.
    original = error.orig
    return original.__cause__ or original if original is not None else None


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached (refused, reset, gone), as opposed to refusing a query."""
    if isinstance(error, OSError | TimeoutError):
        return True
    if isinstance(error, DBAPIError):
        driver = _driver_error(error)
        if error.connection_invalidated or isinstance(driver, OSError | TimeoutError):
            return True
        if "unable to open database file" in str(driver):
            return True
        return type(driver).__name__ in CONNECTION_FAILURES
    return False


def _timed_out(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    return type(_driver_error(error)).__name__ == "QueryCanceledError"


def classify(error: BaseException | None) -> Failure | None:
    """The failure an exception stands for, or None for a bug."""
    if error is None:
        return None
    if _lost_race(error):
        return Failure("CONFLICT", "changed at the same time by another request; reload and retry")
    if is_unavailable(error):
        return Failure("UNAVAILABLE", "the database cannot be reached; retry later")
    if _timed_out(error):
        return Failure(
            "QUERY_TIMEOUT", "the operation took longer than the statement timeout; ask for less"
        )
    if isinstance(error, DataError | decimal.InvalidOperation | UnicodeError):
        return Failure(
            "BAD_USER_INPUT",
            "a value cannot be stored (a NUL byte, a lone surrogate, a number out of range)",
        )
    return None


def _raised(error: GraphQLError) -> BaseException | None:
    """The exception behind an error that carries no code yet, if a resolver raised one."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return None
    return None if error.extensions and "code" in error.extensions else original


def is_bug(error: GraphQLError) -> bool:
    """Whether an error comes from an exception no rule explains (logged, then masked)."""
    raised = _raised(error)
    return raised is not None and classify(raised) is None


def coded(error: GraphQLError) -> GraphQLError:
    """The error as it may leave: with a code and ``retryable``, masked if it is a bug."""
    extensions = dict(error.extensions or {})
    raised = _raised(error)
    if raised is not None:
        failure = classify(raised)
        if failure is None:
            # A bug: nothing of it reaches the client but the fact.
            failure = Failure("INTERNAL_SERVER_ERROR", "Unexpected error.")
        error = GraphQLError(failure.message, error.nodes, path=error.path)
        extensions = {"code": failure.code}
    elif "code" not in extensions and isinstance(error.original_error, GraphQLError):
        # Raised by the schema itself for a value it refuses (an id that is not one).
        extensions["code"] = "BAD_USER_INPUT"
    elif "code" not in extensions:
        # GraphQL's own: the document does not parse, or does not fit the schema.
        syntax = error.message.startswith("Syntax Error")
        extensions["code"] = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
    extensions.setdefault("retryable", retryable(extensions.get("code")))
    error.extensions = extensions
    return error


class CodedErrors(SchemaExtension):
    """Every top-level error leaves with a code and ``retryable``; bugs leave masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        result: Any = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [coded(error) for error in result.errors]
