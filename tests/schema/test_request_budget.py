"""Request budgets per API key and per workspace: past them, a coded 429 with Retry-After."""

from __future__ import annotations

import uuid

import httpx
import pytest

from rapport.core.app import create_app
from rapport.core.auth import Actor
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key
from rapport.schema.request_budget import OverBudget, RequestBudget
from tests.conftest import Client

QUERY = {"query": "{ viewer { role } }"}


async def test_a_key_past_its_budget_is_refused_and_others_are_not(
    runtime: Runtime, client: Client
) -> None:
    settings = runtime.settings.with_overrides(requests_per_minute_per_key=3)
    limited = Runtime.create(settings)
    app = create_app(settings, runtime=limited)
    other = await create_api_key(runtime, client.workspace, role="viewer")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:

        async def ask(key: str | None) -> httpx.Response:
            return await http.post(
                "/graphql", json=QUERY, headers={"Authorization": f"Bearer {key}"}
            )

        answers = [await ask(client.key) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[3]
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["errors"][0]["extensions"] == {
            "code": "RATE_LIMITED",
            "retryable": True,
        }
        assert "API key" in refused.json()["errors"][0]["message"]
        # Another key of the same workspace has its own budget.
        assert (await ask(other.key)).status_code == 200
    await limited.dispose()


async def test_a_workspace_past_its_budget_is_refused(runtime: Runtime, client: Client) -> None:
    settings = runtime.settings.with_overrides(requests_per_minute_per_workspace=2)
    limited = Runtime.create(settings)
    app = create_app(settings, runtime=limited)
    second = await create_api_key(runtime, client.workspace, role="viewer")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        statuses = []
        for key in (client.key, second.key, client.key):
            answer = await http.post(
                "/graphql", json=QUERY, headers={"Authorization": f"Bearer {key}"}
            )
            statuses.append(answer.status_code)
        assert statuses == [200, 200, 429]
        assert "workspace" in answer.json()["errors"][0]["message"]
    await limited.dispose()


def test_a_budget_refills_with_time() -> None:
    budget = RequestBudget(per_key=60, per_workspace=0)
    actor = Actor(uuid.uuid4(), uuid.uuid4(), "admin", frozenset(), uuid.uuid4())
    for _ in range(60):
        budget.spend(actor, 0.0)
    with pytest.raises(OverBudget) as refused:
        budget.spend(actor, 0.0)
    assert refused.value.retry_after == pytest.approx(1.0)
    budget.spend(actor, 1.0)  # one request's worth refilled a second later


def test_budgets_are_off_at_zero() -> None:
    budget = RequestBudget(per_key=0, per_workspace=0)
    actor = Actor(uuid.uuid4(), uuid.uuid4(), "admin", frozenset(), uuid.uuid4())
    for _ in range(10_000):
        budget.spend(actor, 0.0)
