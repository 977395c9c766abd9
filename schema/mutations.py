"""The one path every mutation takes: authorise, run the service in a transaction, report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from rapport.core.errors import DomainError, ErrorCode
from rapport.core.idempotency import mark_applied
from rapport.core.services.operation import Operation
from rapport.schema.context import Info, context_of
from rapport.schema.errors import UserError, user_errors
from rapport.schema.failures import classify
from rapport.schema.idempotent_requests import APPLIED_KEY, CLAIM_KEY

__all__ = ["mutate"]

T = TypeVar("T")


async def mutate(
    info: Info,
    permission: str,
    work: Callable[[Operation], Awaitable[T]],
    *,
    dry_run: bool = False,
) -> tuple[T | None, list[UserError]]:
    """Run ``work`` in its own transaction; a DomainError rolls everything back.

    Returns the work's result and no errors, or None and the payload errors. A ``dry_run``
    is never committed: its payload is read while its writes are still visible (see
    :meth:`~rapport.core.services.operation.Operation.rehearsal`).
    """
    context = context_of(info)
    context.require(permission)
    scope = context.request.scope if context.request is not None else {}
    claim = None if dry_run else scope.get(CLAIM_KEY)
    async with context.db():
        operation = context.operation
        try:
            async with operation.rehearsal() if dry_run else operation.transaction():
                result = await work(operation)
                if claim is not None:
                    # In the write's own transaction: the key is kept exactly when it commits.
                    await mark_applied(operation.session, claim)
        except DomainError as error:
            return None, user_errors(error)
        except Exception as error:
            # Rolled back like any failure; those the client can act on come back as payload
            # errors, the rest (an unreachable database, a bug) as top-level errors.
            failure = classify(error)
            if failure is None or failure.code in ("UNAVAILABLE", "QUERY_TIMEOUT"):
                raise
            code = ErrorCode.CONFLICT if failure.code == "CONFLICT" else ErrorCode.INVALID
            return None, [UserError(field=None, code=code, message=failure.message)]
    if claim is not None:
        scope[APPLIED_KEY] = True
    return result, []
