"""Schema extensions: authentication, the choice of operation, the per-operation session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from rapport.schema.context import RequestContext
from rapport.schema.errors import Unauthenticated

__all__ = ["NamedOperation", "OperationSession", "RequireActor"]


class RequireActor(SchemaExtension):
    """Refuse an operation with no valid key before it is even parsed."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, RequestContext) or context.actor is None:
            raise Unauthenticated("authentication required: send `Authorization: Bearer <api key>`")
        yield


class NamedOperation(SchemaExtension):
    """Refuse a document of several operations that does not say which one to run.

    The GraphQL specification makes it a request error; running the first one instead would
    answer a question the client did not ask.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        named = isinstance(context, RequestContext) and context.operation_name is not None
        if not named and document is not None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                raise GraphQLError(
                    "the document has several operations: name one in `operationName`",
                    extensions={"code": "OPERATION_RESOLUTION_FAILURE"},
                )
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
