"""Browser pages of the configured origins may call the API; others, and by default all, may not."""

from __future__ import annotations

import httpx
import pytest

from rapport.core.app import create_app
from rapport.core.config import load_settings
from rapport.core.plugins import PluginError
from rapport.core.runtime import Runtime
from tests.conftest import Client

ALLOWED = "https://crm.example"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def _client_of(runtime: Runtime, origins: str | None) -> httpx.AsyncClient:
    environ = {"RAPPORT_DATABASE_URL": runtime.settings.database_url, "RAPPORT_CONFIG": "/absent"}
    if origins is not None:
        environ["RAPPORT_CORS_ORIGINS"] = origins
    settings = load_settings(environ)
    app = create_app(
        settings, runtime=Runtime(settings, runtime.host, runtime.engine, runtime.sessions)
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


async def test_a_configured_origin_gets_its_preflight_and_its_answer(
    runtime: Runtime, client: Client
) -> None:
    async with _client_of(runtime, f"{ALLOWED}, https://other.example") as http:
        preflight = await http.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed_headers = preflight.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed_headers
        assert "access-control-allow-credentials" not in preflight.headers
        answer = await http.post(
            "/graphql",
            json={"query": "{ viewer { role } }"},
            headers={"Origin": ALLOWED, "Authorization": f"Bearer {client.key}"},
        )
        assert answer.json() == {"data": {"viewer": {"role": "admin"}}}
        assert answer.headers["access-control-allow-origin"] == ALLOWED
        # Another origin is told nothing it could use.
        refused = await http.options(
            "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers


async def test_cross_origin_calls_are_off_by_default(runtime: Runtime, client: Client) -> None:
    async with _client_of(runtime, None) as http:
        preflight = await http.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
        assert "access-control-allow-origin" not in preflight.headers
        answer = await http.post(
            "/graphql",
            json={"query": "{ viewer { role } }"},
            headers={"Origin": ALLOWED, "Authorization": f"Bearer {client.key}"},
        )
        assert answer.status_code == 200
        assert "access-control-allow-origin" not in answer.headers


def test_an_origin_that_is_not_one_is_refused_at_start(runtime: Runtime) -> None:
    # Subscription sockets admit the same origins: a path or a missing scheme is an error when
    # the app is built, named as the setting, not a page that silently never subscribes.
    with pytest.raises(PluginError, match="setting cors_origins: Invalid origin"):
        _client_of(runtime, "https://crm.example/app")
