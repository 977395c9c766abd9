"""The ``/graphql`` endpoint: bearer-key authentication, the operation, and GraphiQL."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from rapport.core.auth import Actor, authenticate, hash_key
from rapport.core.runtime import Runtime
from rapport.schema.build import RapportSchema
from rapport.schema.compiled.reads import CompiledReads
from rapport.schema.context import RequestContext
from rapport.schema.examples import EXAMPLES

__all__ = ["STATIC_DIR", "BodySizeLimit", "GraphQLEndpoint"]

STATIC_DIR = Path(__file__).parent / "static"
# Seconds a resolved key is trusted before it is looked up again; a revoked key stops
# working within this time.
KEY_CACHE_SECONDS = 30.0
KEY_CACHE_SIZE = 10_000


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


class GraphQLEndpoint(GraphQL[RequestContext, None]):
    def __init__(self, schema: RapportSchema, runtime: Runtime, static_url: str) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.runtime = runtime
        self.static_url = static_url
        self._actors: dict[str, tuple[float, Actor | None]] = {}
        fields = {name for root in ("Query", "Mutation") for name in _root_fields(schema, root)}
        self._examples = [example.query for example in EXAMPLES if example.needs in fields]
        template = (STATIC_DIR / "graphiql.html").read_text(encoding="utf-8")
        self._page = template.replace("{{STATIC}}", static_url)
        self.reads = CompiledReads(schema, runtime)

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: RequestContext,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        if request_adapter.method == "POST":
            compiled = await self.reads.execute(
                context.actor,
                request_data.query,
                request_data.variables,
                request_data.operation_name,
            )
            if compiled is not None:
                return compiled
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    def encode_json(self, data: object) -> bytes:
        # orjson, because compiled reads hand over their JSON as orjson fragments.
        return orjson.dumps(data)

    async def _actor_for(self, request: Request) -> Actor | None:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        key = key.strip()
        # Cache by digest, so raw keys are not kept in memory.
        digest = hash_key(key)
        now = time.monotonic()
        cached = self._actors.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        actor = await authenticate(self.runtime.sessions, key, self.runtime.roles)
        if len(self._actors) >= KEY_CACHE_SIZE:
            self._actors.clear()
        self._actors[digest] = (now + KEY_CACHE_SECONDS, actor)
        return actor

    async def get_context(self, request: Any, response: Any = None) -> RequestContext:
        actor = await self._actor_for(request) if isinstance(request, Request) else None
        return RequestContext(runtime=self.runtime, actor=actor, request=request)

    async def render_graphql_ide(self, request: Any) -> Response:
        config = {
            "endpoint": str(request.url.path),
            "demoKey": self.runtime.settings.demo_key,
            "examples": self._examples,
        }
        # "</" cannot end the script element from inside the JSON.
        payload = json.dumps(config).replace("</", "<\\/")
        return HTMLResponse(self._page.replace("{{CONFIG}}", payload))
