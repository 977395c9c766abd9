"""The ``Idempotency-Key`` header: a mutation retried with the same key writes once.

Only mutations take part: a query changes nothing, so running it again is the retry. The key
belongs to the caller (its API key) in its workspace; see :mod:`rapport.core.idempotency` for
what is kept and when.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, OperationType, parse
from graphql.language import OperationDefinitionNode
from starlette.types import Message, Scope, Send

from rapport.core import idempotency
from rapport.core.auth import Actor
from rapport.core.runtime import Runtime

__all__ = [
    "APPLIED_KEY",
    "CLAIM_KEY",
    "IDEMPOTENCY_HEADER",
    "answer_idempotently",
    "is_mutation",
]

IDEMPOTENCY_HEADER = b"idempotency-key"
# Where the request's claim waits in the ASGI scope for its writes to mark it applied, and
# where a committed write says so.
CLAIM_KEY = "rapport.idempotency"
APPLIED_KEY = "rapport.idempotency.applied"
IN_USE_RETRY_SECONDS = 1

Refuse = Callable[[int, str, str, int | None], Awaitable[None]]


def is_mutation(query: str, operation_name: str | None) -> bool:
    """Whether the operation the request runs is a mutation (False if it does not parse)."""
    if "mutation" not in query:
        return False
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    return len(chosen) == 1 and chosen[0].operation == OperationType.MUTATION


async def answer_idempotently(
    runtime: Runtime,
    scope: Scope,
    send: Send,
    actor: Actor,
    key: str,
    request: dict[str, Any],
    run: Callable[[Send], Awaitable[None]],
    refuse: Refuse,
) -> None:
    """Run the mutation once for its key: replay, refuse, or run it and keep what it wrote."""
    if not key or len(key) > idempotency.MAX_KEY_LENGTH:
        message = f"an Idempotency-Key is 1 to {idempotency.MAX_KEY_LENGTH} characters"
        await refuse(400, "BAD_REQUEST", message, None)
        return
    found = await idempotency.claim(
        runtime.sessions, runtime.settings, actor, key, idempotency.fingerprint(request)
    )
    if isinstance(found, idempotency.Replay):
        await _replay(send, found)
        return
    if isinstance(found, idempotency.InProgress):
        message = "a request with this Idempotency-Key is running; retry when it has finished"
        await refuse(409, "IDEMPOTENCY_KEY_IN_USE", message, IN_USE_RETRY_SECONDS)
        return
    if isinstance(found, idempotency.Mismatch):
        message = "this Idempotency-Key was used for another request; use a new key"
        await refuse(422, "IDEMPOTENCY_KEY_REUSED", message, None)
        return
    if isinstance(found, idempotency.WrittenWithoutResponse):
        message = "the request with this Idempotency-Key was applied, but its response was lost"
        await refuse(409, "IDEMPOTENT_REQUEST_APPLIED", message, None)
        return
    scope[CLAIM_KEY] = found
    captured = _Captured(send)
    try:
        await run(captured.send)
    finally:
        if scope.get(APPLIED_KEY):
            await idempotency.complete(
                runtime.sessions, found, captured.status, b"".join(captured.body)
            )
        else:
            await idempotency.release(runtime.sessions, found)


class _Captured:
    """Passes a response on to the client while keeping a copy of it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body":
            self.body.append(bytes(message.get("body", b"")))
        await self._send(message)


async def _replay(send: Send, found: idempotency.Replay) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": found.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(found.response)).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": found.response})
