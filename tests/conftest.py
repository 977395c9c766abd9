"""Shared fixtures. Every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL is taken from ``RAPPORT_TEST_POSTGRES`` (default: 127.0.0.1:5432, database
``test``, user ``postgres``). Each run creates its own database there and drops it at the end,
so parallel runs never see each other. Where no server answers, the PostgreSQL half is skipped
with the reason, except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from rapport.core.app import create_app
from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key, create_workspace

# The compiled-versus-resolvers fixtures (`apps`, `resolver_runtime`), for every test package,
# and the watch that fails a test sending a statement not bound to one workspace.
pytest_plugins = ["tests.compiled_pairs", "tests.tenant_statements"]

POSTGRES_ADMIN_URL = os.environ.get(
    "RAPPORT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


class Databases:
    """Creates throw-away databases of one backend and drops them at the end of the run."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder = backend, folder
        self.created: list[str] = []

    async def create(self) -> str:
        name = f"rapport_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.folder / name}.db"
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.created.append(name)
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"

    async def drop_all(self) -> None:
        if not self.created:
            return
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for name in self.created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Databases]:
    if request.param == "postgresql":
        problem = await _postgres_reachable()
        if problem is not None:
            message = f"PostgreSQL at {POSTGRES_ADMIN_URL} unreachable ({problem})"
            if os.environ.get("CI"):
                pytest.fail(f"{message}; CI must run the PostgreSQL half")
            pytest.skip(f"{message}; set RAPPORT_TEST_POSTGRES to run the PostgreSQL half")
    found = Databases(request.param, tmp_path_factory.mktemp(request.param))
    yield found
    await found.drop_all()


@pytest.fixture(scope="session")
async def database_url(databases: Databases) -> str:
    return await databases.create()


@pytest.fixture(scope="session")
def backend(databases: Databases) -> str:
    return databases.backend


@pytest.fixture(scope="session")
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    runtime = Runtime.create(Settings(database_url=database_url))
    await runtime.migrate()
    yield runtime
    await runtime.dispose()


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Any:
    return create_app(runtime.settings, runtime=runtime)


class GraphQLError(AssertionError):
    """The response carried errors where a test expected none."""


@dataclass
class Client:
    """Talks to the app in-process, as one API key."""

    http: httpx.AsyncClient
    key: str | None
    workspace: str

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a response that must have no top-level errors."""
        body = await self.post(query, variables)
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        return body["data"]

    async def as_role(self, runtime: Runtime, role: str, email: str | None = None) -> Client:
        issued = await create_api_key(runtime, self.workspace, role=role, email=email)
        return Client(self.http, issued.key, self.workspace)


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def new_workspace_client(runtime: Runtime, http: httpx.AsyncClient) -> Client:
    name = f"ws-{uuid.uuid4().hex[:10]}"
    await create_workspace(runtime, name)
    issued = await create_api_key(runtime, name, role="admin")
    return Client(http, issued.key, name)


@pytest.fixture
async def client(runtime: Runtime, http: httpx.AsyncClient) -> Client:
    """An admin of a workspace made for this test alone."""
    return await new_workspace_client(runtime, http)


@pytest.fixture
async def other_client(runtime: Runtime, http: httpx.AsyncClient) -> Client:
    """An admin of a second, unrelated workspace."""
    return await new_workspace_client(runtime, http)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
