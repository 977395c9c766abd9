"""End to end: the real server under uvicorn, started by the CLI, spoken to over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin, Subprotocol

from tests.conftest import Databases

pytestmark = pytest.mark.e2e

RAPPORT = [sys.executable, "-m", "rapport.core.cli"]
STARTUP_SECONDS = 120
CORS_ORIGIN = "https://crm.example"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*RAPPORT, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
async def server_env(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAPPORT_")}
    env["RAPPORT_DATABASE_URL"] = await databases.create()
    env["RAPPORT_CONFIG"] = str(tmp_path_factory.mktemp("cfg") / "absent.toml")
    env["RAPPORT_CORS_ORIGINS"] = CORS_ORIGIN
    return env


@pytest.fixture(scope="module")
def server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*RAPPORT, "serve", "--demo", "--port", str(port)],
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        key = _wait_until_ready(base, log, process)
        yield base, key
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_ready(base: str, log: Path, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                found = re.search(r"Demo API key[^:]*: (\S+)", log.read_text())
                assert found, log.read_text()
                return found.group(1)
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"server not ready in {STARTUP_SECONDS}s:\n{log.read_text()}")


def _post(base: str, query: str, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(f"{base}/graphql", json={"query": query}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_demo_server_answers_an_authenticated_query(server: tuple[str, str]) -> None:
    base, key = server
    body = _post(
        base,
        "{ viewer { workspaceName role } customers(first: 3) { totalCount edges { node { displayName } } } }",
        key,
    )
    assert "errors" not in body, body
    assert body["data"]["viewer"] == {"workspaceName": "demo", "role": "admin"}
    assert body["data"]["customers"]["totalCount"] > 0


def test_unauthenticated_query_is_refused(server: tuple[str, str]) -> None:
    base, _ = server
    body = _post(base, "{ customers { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_browser_page_of_the_configured_origin_may_call(server: tuple[str, str]) -> None:
    base, key = server
    preflight = httpx.options(
        f"{base}/graphql",
        headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CORS_ORIGIN
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": "{ viewer { role } }"},
        headers={"Origin": CORS_ORIGIN, "Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert answer.headers["access-control-allow-origin"] == CORS_ORIGIN
    other = httpx.post(
        f"{base}/graphql",
        json={"query": "{ viewer { role } }"},
        headers={"Origin": "https://evil.example", "Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert "access-control-allow-origin" not in other.headers


async def test_a_browser_page_of_the_configured_origin_may_subscribe(
    server: tuple[str, str],
) -> None:
    """WebSockets are outside CORS: the server itself admits the same origins' handshakes."""
    base, key = server
    url = base.replace("http://", "ws://") + "/graphql"
    protocols = [Subprotocol("graphql-transport-ws")]
    async with connect(url, origin=Origin(CORS_ORIGIN), subprotocols=protocols) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin=Origin("https://evil.example"), subprotocols=protocols):
            pass
    assert refused.value.response.status_code == 403


def test_graphiql_page_is_served(server: tuple[str, str]) -> None:
    base, key = server
    page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert key in page.text  # demo mode fills the key in
    assert httpx.get(f"{base}/graphql/static/vendor/graphiql.min.js", timeout=30).status_code == 200


def test_a_second_workspace_sees_none_of_the_first(
    server: tuple[str, str], server_env: dict[str, str]
) -> None:
    base, demo_key = server
    _cli(server_env, "workspace", "create", "second")
    key = (
        _cli(server_env, "apikey", "create", "--workspace", "second", "--role", "admin")
        .strip()
        .splitlines()[-1]
    )
    demo = _post(base, "{ customers(first: 1) { edges { node { id } } } }", demo_key)
    demo_id = demo["data"]["customers"]["edges"][0]["node"]["id"]
    body = _post(
        base,
        f'{{ customers {{ totalCount }} node(id: "{demo_id}") {{ id }} viewer {{ workspaceName }} }}',
        key,
    )
    assert body["data"] == {
        "customers": {"totalCount": 0},
        "node": None,
        "viewer": {"workspaceName": "second"},
    }


def test_cli_lists_plugins(server_env: dict[str, str]) -> None:
    listing = _cli(server_env, "plugins")
    assert re.search(r"^core\s+\S+\s+foundation", listing, re.MULTILINE)
    assert re.search(r"^graphql\s+\S+\s+foundation", listing, re.MULTILINE)
    assert "RAPPORT_DATABASE_URL" in _cli(server_env, "--help")


PROJECT = Path(__file__).resolve().parents[1]


def _page_config(base: str) -> dict[str, Any]:
    """The configuration the GraphiQL page hands its script: endpoint, key and example tabs."""
    page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30).text
    found = re.search(r'<script id="rapport-config" type="application/json">(.*?)</script>', page)
    assert found, page[:500]
    return json.loads(found.group(1))


def _filled(value: Any) -> bool:
    """Whether an answer carries data: lists and pages have rows, objects something in them."""
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        pages = [value[key] for key in ("edges", "nodes", "groups") if key in value]
        if pages:
            return all(_filled(page) for page in pages)
        return any(_filled(item) for item in value.values())
    return value is not None


def _assert_answers_with_data(base: str, key: str, query: str, variables: dict[str, Any]) -> None:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    body = response.json()
    assert response.status_code == 200, (query, body)
    assert not body.get("errors"), (query, body)
    empty = [field for field, value in body["data"].items() if not _filled(value)]
    assert not empty, (query, body["data"])


def test_every_graphiql_tab_answers_with_data(server: tuple[str, str]) -> None:
    base, key = server
    config = _page_config(base)
    assert config["demoKey"] == key
    assert len(config["examples"]) >= 6  # every plugin is on: every tab is shown
    for query in config["examples"]:
        _assert_answers_with_data(base, key, query, {})


def test_every_example_operation_answers_with_data(server: tuple[str, str]) -> None:
    base, key = server
    first = _post(base, "{ customers(first: 1) { nodes { id } } }", key)
    variables = {"id": first["data"]["customers"]["nodes"][0]["id"]}
    files = sorted((PROJECT / "examples" / "queries").glob("*.graphql"))
    assert files
    for path in files:
        query = path.read_text()
        wanted = {name: value for name, value in variables.items() if f"${name}" in query}
        _assert_answers_with_data(base, key, query, wanted)


def test_the_readme_import_command_imports_the_example_file(
    server: tuple[str, str], server_env: dict[str, str]
) -> None:
    base, key = server
    readme = (PROJECT / "README.md").read_text()
    command = re.search(r"^rapport (import customers \S+ --workspace demo)\s", readme, re.MULTILINE)
    assert command, "the README shows the import command"
    done = subprocess.run(
        [*RAPPORT, *command.group(1).split()],
        env=server_env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = _post(base, '{ customers(filter: {lastName: {eq: "Lovelace"}}) { totalCount } }', key)
    assert found["data"]["customers"]["totalCount"] >= 1
