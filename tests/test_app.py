"""The HTTP surface around GraphQL: health, readiness, metrics, and GraphiQL."""

from __future__ import annotations

import re

import httpx

from rapport.core.app import create_app
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from tests.conftest import Client


async def test_healthz(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_readyz_when_database_reachable(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_when_database_unreachable() -> None:
    app = create_app(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_metrics_count_requests(http: httpx.AsyncClient, client: Client) -> None:
    await http.get("/healthz")
    await http.get("/no-such-page")
    assert (await http.get("/metrics")).status_code == 401
    bad = await http.get("/metrics", headers={"Authorization": "Bearer rpk_not-a-key"})
    assert bad.status_code == 401
    answer = await http.get("/metrics", headers={"Authorization": f"Bearer {client.key}"})
    text = answer.text
    assert re.search(r'rapport_http_requests_total\{path="/healthz",status="200"\} \d', text)
    assert 'path="other",status="404"' in text
    assert "rapport_http_request_seconds_bucket" in text


async def test_graphiql_is_served_with_local_assets_only(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    # No asset from another host: the page works on an air-gapped network.
    external = re.findall(r'(?:src|href)="(https?:)?//', html)
    assert external == []
    assets = re.findall(r'(?:src|href)="(/graphql/static/[^"]+)"', html)
    assert len(assets) == 6
    for asset in assets:
        response = await http.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 500, asset
    assert "plugin-explorer" in html


async def test_graphiql_prefills_the_demo_key_only_in_demo_mode(runtime: object) -> None:
    from rapport.core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    for demo_key, expected in ((None, '"demoKey": null'), ("rpk_demo", '"demoKey": "rpk_demo"')):
        settings = runtime.settings.with_overrides(demo_key=demo_key)
        app = create_app(
            settings, runtime=Runtime(settings, runtime.host, runtime.engine, runtime.sessions)
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            html = (await http.get("/graphql", headers={"Accept": "text/html"})).text
        assert expected in html


async def test_graphiql_examples_are_valid_operations(client: Client) -> None:
    from rapport.schema.examples import EXAMPLES

    for example in EXAMPLES:
        body = await client.post(example.query)
        assert "errors" not in body, (example.query, body)


async def test_a_scraper_reads_metrics_with_the_configured_token(runtime: Runtime) -> None:
    settings = runtime.settings.with_overrides(metrics_token="scrape-me")
    scraped = Runtime.create(settings)
    app = create_app(settings, runtime=scraped)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as h:
        assert (
            await h.get("/metrics", headers={"Authorization": "Bearer wrong"})
        ).status_code == 401
        ok = await h.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200
        assert "rapport_http_requests_total" in ok.text
    await scraped.dispose()
