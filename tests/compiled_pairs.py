"""Two apps over one database, one compiling reads to SQL and one leaving them to the
resolvers, and a check that an operation was compiled and answered as the resolvers answer.

A test module uses it by importing the fixtures (``resolver_runtime``, ``apps``) beside its own
module-scoped data fixture, and calls ``(await apps.pair(workspace, role)).agree(query, vars)``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from rapport.core.app import create_app
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key
from rapport.schema.compiled.reads import CompiledReads

__all__ = ["Apps", "Pair", "apps", "canonical", "compiled_reads_of", "resolver_runtime"]


def compiled_reads_of(app: Any) -> CompiledReads:
    for route in app.routes:
        if getattr(route, "path", None) == "/graphql":
            return route.app.app.reads  # type: ignore[no-any-return]
    raise AssertionError("no /graphql route")


@pytest.fixture(scope="module")
async def resolver_runtime(runtime: Runtime) -> AsyncIterator[Runtime]:
    """A second runtime on the same database that never compiles."""
    other = Runtime.create(runtime.settings.with_overrides(compiled_reads=False))
    yield other
    await other.dispose()


class Pair:
    """One key, sent to the compiling app and to the resolver app."""

    def __init__(self, apps: Apps, key: str):
        self.apps, self.key = apps, key
        self.headers = {"Authorization": f"Bearer {key}"}

    async def compiled(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = {"query": query, "variables": variables or {}}
        return await self.apps.compiled.post("/graphql", json=body, headers=self.headers)

    async def both(self, query: str, variables: dict[str, Any]) -> tuple[Any, Any]:
        body = {"query": query, "variables": variables}
        first = await self.compiled(query, variables)
        second = await self.apps.resolved.post("/graphql", json=body, headers=self.headers)
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        return first.json(), second.json()

    async def agree(self, query: str, variables: dict[str, Any]) -> Any:
        """The compiled answer, which must be compiled and equal the resolvers' answer."""
        reads = self.apps.reads
        before = reads.statements_run
        compiled, resolved = await self.both(query, variables)
        assert reads.statements_run == before + 1, f"not compiled: {query[:80]}"
        assert canonical(compiled) == canonical(resolved)
        return compiled


@dataclass
class Apps:
    runtime: Runtime
    reads: CompiledReads
    compiled: httpx.AsyncClient
    resolved: httpx.AsyncClient

    async def pair(self, workspace: str, role: str = "admin") -> Pair:
        return Pair(self, (await create_api_key(self.runtime, workspace, role=role)).key)


@pytest.fixture
async def apps(runtime: Runtime, resolver_runtime: Runtime) -> AsyncIterator[Apps]:
    compiled_app = create_app(runtime.settings, runtime=runtime)
    resolver_app = create_app(resolver_runtime.settings, runtime=resolver_runtime)
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=compiled_app), base_url="http://t"
        ) as a,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=resolver_app), base_url="http://t"
        ) as b,
    ):
        yield Apps(runtime, compiled_reads_of(compiled_app), a, b)


def canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True)
