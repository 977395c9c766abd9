"""Schema extensions: authentication and the per-operation database session."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from rapport.schema.context import RequestContext
from rapport.schema.errors import Unauthenticated

__all__ = ["OperationSession", "RequireActor"]


class RequireActor(SchemaExtension):
    """Refuse an operation with no valid key before it is even parsed."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, RequestContext) or context.actor is None:
            raise Unauthenticated("authentication required: send `Authorization: Bearer <api key>`")
        yield


class OperationSession(SchemaExtension):
    """One tenant session per operation; mutations commit per field (see ``mutation``)."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        assert isinstance(context, RequestContext)
        assert context.actor is not None
        async with context.runtime.session_for(context.actor) as session:
            context.session = session
            try:
                yield
            finally:
                context.session = None
