"""The ``/graphql`` endpoint: bearer-key authentication, the operation, and GraphiQL.

Subscriptions are served on the same path over graphql-transport-ws (WebSocket) and GraphQL
over SSE (strawberry's, in its distinct-connections mode: a ``POST`` that accepts
``text/event-stream``). A WebSocket authenticates with the ``Authorization`` header, or, as
browsers cannot set one, with ``{"Authorization": "Bearer <key>"}`` in ``connection_init``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.streaming import HTTPStreamTransport, SSETransport
from strawberry.http.websocket_origin import normalize_allowed_origins
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from rapport.core.auth import Actor
from rapport.core.runtime import Runtime
from rapport.schema.auth_throttle import AuthThrottle, TooManyFailures
from rapport.schema.build import RapportSchema
from rapport.schema.compiled.reads import CompiledReads
from rapport.schema.context import RequestContext
from rapport.schema.examples import EXAMPLES
from rapport.schema.failures import (
    RETRY_AFTER_SECONDS,
    classify,
    coded,
    retryable,
)
from rapport.schema.idempotent_requests import IDEMPOTENCY_HEADER, answer_idempotently, is_mutation
from rapport.schema.key_cache import KeyCache
from rapport.schema.request_budget import OverBudget, RequestBudget
from rapport.schema.response_status import (
    GRAPHQL_RESPONSE,
    is_request_error,
    media_type_for,
    status_for,
)
from rapport.schema.socket_watch import watched_transport_ws

__all__ = ["STATIC_DIR", "BodySizeLimit", "GraphQLEndpoint"]

STATIC_DIR = Path(__file__).parent / "static"
# Where the request's actor is kept in the ASGI scope once looked up.
ACTOR_KEY = "rapport.actor"
# Where the answer's media type and status wait in the ASGI scope for the response.
ANSWER_KEY = "rapport.answer"
# Codes of requests refused before GraphQL could read them, by HTTP status.
HTTP_REFUSALS = {405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}


def _root_fields(schema: RapportSchema, root: str) -> list[str]:
    definition = schema._schema.get_type(root)
    return list(getattr(definition, "fields", {}) or {})


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {
            "data": None,
            "errors": [
                {
                    "message": f"request body is larger than {self.max_bytes} bytes",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ],
        }
        await JSONResponse(body, status_code=413)(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out ``body`` again, then what the client sends next."""
    replayed = False

    async def receive_again() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


def _nul_path(value: Any) -> str | None:
    """Where a NUL character is in a parsed request (``variables.input.lastName``), or None.

    Walked with an explicit stack, as a body may nest deeper than Python recursion goes.
    """
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or "(the body)"
        elif isinstance(item, dict):
            for key, child in item.items():
                step = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    return step
                pending.append((step, child))
        elif isinstance(item, list):
            pending.extend((f"{path}[{index}]", child) for index, child in enumerate(item))
    return None


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _retry_after(seconds: float) -> list[tuple[bytes, bytes]]:
    return [(b"retry-after", str(math.ceil(seconds)).encode())]


def _error_body(code: str, message: str, *, field: str | None = None) -> dict[str, Any]:
    """The answer to a request refused before any operation ran: one coded error, naming the
    part of the request at fault when there is one (``variables.input.lastName``)."""
    extensions: dict[str, Any] = {"code": code, "retryable": retryable(code)}
    if field is not None:
        extensions["field"] = field
    return {"data": None, "errors": [{"message": message, "extensions": extensions}]}


def _media_type(scope: Scope) -> str:
    accept = dict(scope.get("headers", ())).get(b"accept", b"").decode("latin-1")
    return media_type_for(accept)


async def _send_json(
    send: Send,
    status: int,
    body: dict[str, Any],
    headers: Sequence[tuple[bytes, bytes]] = (),
    media_type: str = "application/json",
) -> None:
    answer = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(answer)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer})


class TextFrameWebSocket(ASGIWebSocketAdapter):
    """Sends JSON as text frames: graphql-transport-ws clients (browsers') expect text, and
    the endpoint's orjson encoder gives bytes, which would go out as binary frames."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


def _sse_with_heartbeat(seconds: float) -> type[HTTPStreamTransport]:
    class HeartbeatSSE(SSETransport):
        def __init__(self) -> None:
            super().__init__(heartbeat_interval=seconds)

    return HeartbeatSSE


def _socket_origins(cors_origins: tuple[str, ...]) -> tuple[str, ...]:
    """The pages that may open a subscription socket: those that may call over HTTP.

    CORS does not cover WebSockets; strawberry refuses a cross-origin handshake (403) unless
    the origin is listed, so a browser app the CORS setting admits could query but never
    subscribe. An origin strawberry cannot read is a settings error, named as the setting.
    """
    try:
        normalize_allowed_origins(cors_origins)
    except ValueError as exc:
        raise ValueError(f"setting cors_origins: {exc}") from exc
    return cors_origins


class GraphQLEndpoint(GraphQL[RequestContext, None]):
    websocket_adapter_class = TextFrameWebSocket

    def __init__(self, schema: RapportSchema, runtime: Runtime, static_url: str) -> None:
        settings = runtime.settings
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=settings.subscription_init_seconds),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
            allowed_origins=_socket_origins(settings.cors_origins),
        )
        self.graphql_transport_ws_handler_class = watched_transport_ws(
            settings.subscription_heartbeat_seconds, settings.subscription_idle_seconds
        )
        self.stream_transport_classes_by_protocol = {
            **self.stream_transport_classes_by_protocol,
            GRAPHQL_SSE_PROTOCOL: _sse_with_heartbeat(settings.subscription_heartbeat_seconds),
        }
        self.runtime = runtime
        self.static_url = static_url
        self.keys = KeyCache(runtime)
        fields = {name for root in ("Query", "Mutation") for name in _root_fields(schema, root)}
        self._examples = [example.query for example in EXAMPLES if example.needs in fields]
        template = (STATIC_DIR / "graphiql.html").read_text(encoding="utf-8")
        self._page = template.replace("{{STATIC}}", static_url)
        self.reads = CompiledReads(schema, runtime)
        self.throttle = AuthThrottle(runtime.settings.auth_failures_per_minute)
        self.budget = RequestBudget(
            settings.requests_per_minute_per_key, settings.requests_per_minute_per_workspace
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if scope["type"] == "http" and scope["method"] == "POST":
                body = await self._answer_compiled(scope, receive, send)
                if body is None:
                    return
                receive = _replaying(body, receive)
                key = dict(scope["headers"]).get(IDEMPOTENCY_HEADER)
                if key is not None and await self._answer_idempotently(
                    scope, receive, send, key.decode("latin-1").strip(), body
                ):
                    return
            await super().__call__(scope, receive, send)
        except (TooManyFailures, OverBudget) as exc:
            if scope["type"] != "http":
                raise
            refusal = _error_body("RATE_LIMITED", str(exc))
            await _send_json(send, 429, refusal, _retry_after(exc.retry_after), _media_type(scope))
        except Exception as exc:
            # Authentication reads the database before any operation runs: when it cannot
            # be reached, the answer is the same coded 503 an operation would give.
            failure = classify(exc)
            if scope["type"] != "http" or failure is None or failure.code != "UNAVAILABLE":
                raise
            refusal = _error_body(failure.code, failure.message)
            await _send_json(
                send, 503, refusal, _retry_after(RETRY_AFTER_SECONDS), _media_type(scope)
            )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        media_type = _media_type(request.scope)
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as exc:
            # Strawberry refuses a request it cannot read in plain text; a client reads JSON.
            code = HTTP_REFUSALS.get(exc.status_code, "BAD_REQUEST")
            return Response(
                self.encode_json(_error_body(code, exc.reason)),
                status_code=exc.status_code,
                media_type=media_type,
            )
        answer = request.scope.pop(ANSWER_KEY, None)
        if answer is not None:
            response.status_code = answer
            response.headers["content-type"] = media_type
            if answer == 503:
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            elif answer == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
        return response

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: Any,
    ) -> ExecutionResult:
        context.operation_name = request_data.operation_name
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                # A mutation sent with GET: the method is what is wrong (the spec's 405).
                raise HTTPException(405, exc.reason) from exc
            if not isinstance(exc.__cause__, CannotGetOperationTypeError):
                raise
            # No operation of that name: a GraphQL request error, answered as one.
            code = {"code": "OPERATION_RESOLUTION_FAILURE"}
            return ExecutionResult(data=None, errors=[GraphQLError(exc.reason, extensions=code)])

    async def process_result(self, request: Any, result: ExecutionResult) -> Any:
        # Errors raised before the operation runs (the document does not parse) get their
        # code here; the operation's own have theirs already.
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
        body = await super().process_result(request, result)
        if isinstance(request, Request):
            media_type = _media_type(request.scope)
            request.scope[ANSWER_KEY] = status_for(body, media_type)
            if media_type == GRAPHQL_RESPONSE and is_request_error(body):
                # The operation never ran: the specification's request error has no data.
                body.pop("data", None)
        return body

    async def _answer_compiled(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """Answer a compiled read straight from its statement; else the body, for strawberry.

        A compiled answer needs none of the view's work (no context, no execution, no
        result processing), and every client pays that work on every request; whatever
        is not a single JSON query the compiler answers goes on to strawberry unchanged.
        """
        headers = dict(scope["headers"])
        media_type = _media_type(scope)
        body = await _read_body(receive)
        if not headers.get(b"content-type", b"").startswith(b"application/json"):
            return body
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            # Answered here, coded: past this point a body nested too deep for the parser's
            # recursion would be an internal error.
            message = f"the request body is not valid JSON ({exc})"
            await _send_json(send, 400, _error_body("BAD_REQUEST", message), (), media_type)
            return None
        if (where := _nul_path(request)) is not None:
            # PostgreSQL cannot store it and SQLite would: refused the same way on both.
            message = f"{where}: text may not contain NUL characters (\\u0000)"
            refusal = _error_body("BAD_USER_INPUT", message, field=where)
            await _send_json(send, 400, refusal, (), media_type)
            return None
        if not isinstance(request, dict) or not self.reads.enabled:
            return body
        query, variables = request.get("query"), request.get("variables")
        operation_name = request.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(operation_name, str | None)
        ):
            return body
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        actor = await self._actor_for_header(authorization, _address(scope))
        # Strawberry's view, if it answers instead, reuses it: a key is looked up (and a
        # failure counted) once per request.
        scope[ACTOR_KEY] = actor
        compiled = await self.reads.execute(actor, query, variables, operation_name)
        if compiled is None:
            return body
        await _send_json(send, 200, {"data": compiled.data}, (), media_type)
        return None

    async def _answer_idempotently(
        self, scope: Scope, receive: Receive, send: Send, key: str, body: bytes
    ) -> bool:
        """Answer a mutation sent with an ``Idempotency-Key``; False if it is not one."""
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError:
            return False
        query = request.get("query") if isinstance(request, dict) else None
        operation_name = request.get("operationName")
        if not isinstance(query, str) or not is_mutation(query, operation_name):
            return False
        if ACTOR_KEY not in scope:
            authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            scope[ACTOR_KEY] = await self._actor_for_header(authorization, _address(scope))
        actor = scope[ACTOR_KEY]
        if actor is None:
            return False  # refused as unauthenticated by the operation itself

        async def refuse(status: int, code: str, message: str, wait: int | None) -> None:
            headers = _retry_after(wait) if wait is not None else []
            await _send_json(send, status, _error_body(code, message), headers, _media_type(scope))

        async def run(capturing: Send) -> None:
            await GraphQL.__call__(self, scope, receive, capturing)

        await answer_idempotently(self.runtime, scope, send, actor, key, request, run, refuse)
        return True

    def encode_json(self, data: object) -> bytes:
        # orjson, because compiled reads hand over their JSON as orjson fragments.
        return orjson.dumps(data)

    async def _actor_for(self, request: HTTPConnection) -> Actor | None:
        if ACTOR_KEY in request.scope:
            found: Actor | None = request.scope[ACTOR_KEY]
            return found
        header = request.headers.get("authorization", "")
        return await self._actor_for_header(header, _address(request.scope))

    async def _actor_for_header(self, header: str, address: str) -> Actor | None:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        key = key.strip()
        now = time.monotonic()
        self.throttle.check(address, now)
        actor = await self.keys.actor(key, now)
        if actor is None:
            self.throttle.failed(address, now)
        else:
            self.budget.spend(actor, now)
        return actor

    async def get_context(self, request: Any, response: Any = None) -> RequestContext:
        if not isinstance(request, HTTPConnection):
            return RequestContext(runtime=self.runtime, actor=None)
        header = request.headers.get("authorization", "")
        actor = await self._actor_for(request) if isinstance(request, Request) or header else None
        context = RequestContext(runtime=self.runtime, actor=actor, request=request)
        if header:
            context.reauthenticate = self._reauthenticator(header)
        return context

    def _reauthenticator(self, header: str) -> Any:
        """Looks the key up again, through the cache: a revoked key stops at once."""
        _, _, key = header.partition(" ")

        async def again() -> Actor | None:
            return await self.keys.actor(key.strip(), time.monotonic())

        return again

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        if context.actor is None:
            params = context.connection_params or {}
            header = params.get("Authorization", params.get("authorization"))
            if isinstance(header, str) and context.request is not None:
                try:
                    context.actor = await self._actor_for_header(
                        header, _address(context.request.scope)
                    )
                except (TooManyFailures, OverBudget) as exc:
                    raise ConnectionRejectionError({"code": "RATE_LIMITED"}) from exc
                context.reauthenticate = self._reauthenticator(header)
        if context.actor is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return UNSET

    async def render_graphql_ide(self, request: Any) -> Response:
        config = {
            "endpoint": str(request.url.path),
            "demoKey": self.runtime.settings.demo_key,
            "examples": self._examples,
        }
        # "</" cannot end the script element from inside the JSON.
        payload = json.dumps(config).replace("</", "<\\/")
        return HTMLResponse(self._page.replace("{{CONFIG}}", payload))
