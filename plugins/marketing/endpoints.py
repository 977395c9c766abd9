"""The plugin's public HTTP endpoints, answered without an API key.

- ``GET /unsubscribe/{token}`` shows a page with one button; it changes nothing, because mail
  security scanners follow every link in a message.
- ``POST /unsubscribe/{token}`` is the one-click unsubscribe of RFC 8058 (what a mail client
  sends for ``List-Unsubscribe-Post``) and the page's button.
- ``POST /forms/{key}`` takes a lead capture form, as JSON or as an HTML form post, with CORS
  for the form's allowed origins (``OPTIONS`` answers the preflight).

Each request works in the workspace its token or form belongs to, as that workspace's system
user, through the same services as the API.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from rapport.core import (
    SYSTEM_EMAIL,
    DomainError,
    Operation,
    Workspace,
    operator_operation,
    unscoped_session,
)
from rapport.plugins.marketing.models import LeadForm
from rapport.plugins.marketing.services.forms import submit_form
from rapport.plugins.marketing.services.tokens import verify_token
from rapport.plugins.marketing.services.unsubscribe import unsubscribe_member

__all__ = ["public_routes"]

MAX_BODY = 64 * 1024


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


async def _as_workspace(
    runtime: Any, workspace_id: uuid.UUID, work: Callable[[Operation], Awaitable[Any]]
) -> Any:
    async with unscoped_session(runtime.sessions) as session:
        name = (
            await session.execute(select(Workspace.name).where(Workspace.id == workspace_id))
        ).scalar_one()
    async with operator_operation(runtime, name, email=SYSTEM_EMAIL) as op:
        return await work(op)


def public_routes(runtime: Any) -> list[Route]:
    async def unsubscribe(request: Request) -> Response:
        token = request.path_params["token"]
        async with unscoped_session(runtime.sessions) as session:
            verified = await verify_token(session, token)
        if verified is None:
            return _page("Link not recognised", "<p>This unsubscribe link is not valid.</p>", 404)
        if request.method == "GET":
            action = html.escape(str(request.url.path))
            return _page(
                "Unsubscribe",
                "<p>Stop receiving these emails?</p>"
                f"<form method='post' action='{action}'>"
                "<input type='hidden' name='List-Unsubscribe' value='One-Click'>"
                "<button type='submit'>Unsubscribe</button></form>",
            )

        async def work(op: Operation) -> Any:
            return await unsubscribe_member(op, verified.member_id)

        try:
            await _as_workspace(runtime, verified.workspace_id, work)
        except DomainError:
            return _page("Link not recognised", "<p>This subscription no longer exists.</p>", 404)
        return _page("Unsubscribed", "<p>You will not receive these emails any more.</p>")

    async def form(request: Request) -> Response:
        key = request.path_params["key"]
        async with unscoped_session(runtime.sessions) as session:
            found = (
                await session.execute(
                    select(LeadForm).where(LeadForm.key == key, LeadForm.active.is_(True))
                )
            ).scalar_one_or_none()
            if found is not None:
                session.expunge(found)
        if found is None:
            return JSONResponse({"error": "no such form"}, 404)
        origin = request.headers.get("origin")
        cors: dict[str, str] = {}
        if origin is not None:
            if origin not in found.allowed_origins:
                return JSONResponse({"error": "origin not allowed"}, 403)
            cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        if request.method == "OPTIONS":
            return Response(
                status_code=204,
                headers={
                    **cors,
                    "Access-Control-Allow-Methods": "POST",
                    "Access-Control-Allow-Headers": "Content-Type",
                    "Access-Control-Max-Age": "600",
                },
            )
        kind = request.headers.get("content-type", "")
        wants_json = "json" in kind
        if not wants_json and "x-www-form-urlencoded" not in kind:
            # An HTML form without files posts urlencoded; nothing here takes uploads.
            return JSONResponse({"error": "send JSON or a urlencoded form"}, 415, headers=cors)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, 413, headers=cors)
        try:
            values: dict[str, Any] = (
                json.loads(body or b"{}")
                if wants_json
                else dict(parse_qsl(body.decode(), keep_blank_values=True))
            )
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"error": "unreadable body"}, 400, headers=cors)
        if not isinstance(values, dict):
            return JSONResponse({"error": "a JSON object"}, 400, headers=cors)
        values = {**dict(request.query_params), **values}  # UTM tags may ride on the URL
        client_ip = request.client.host if request.client else None

        async def work(op: Operation) -> Any:
            return await submit_form(op, found, values, client_ip)

        try:
            result = await _as_workspace(runtime, found.workspace_id, work)
        except DomainError as error:
            problems = [
                {"field": e.field, "code": e.code.value, "message": e.message} for e in error.errors
            ]
            return JSONResponse({"error": "invalid", "errors": problems}, 422, headers=cors)
        if result.outcome == "limited":
            return JSONResponse(
                {"error": "too many submissions"}, 429, headers={**cors, "Retry-After": "60"}
            )
        if wants_json:
            return JSONResponse({"status": "received"}, 200, headers=cors)
        return _page("Thank you", "<p>We have received your details.</p>")

    return [
        Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
        Route("/forms/{key}", form, methods=["POST", "OPTIONS"]),
    ]
