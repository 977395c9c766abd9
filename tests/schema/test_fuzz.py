"""Operations generated from the SDL: every answer coded, never a 500, no half-done writes.

Documents and their arguments come from the schema itself (hypothesis-graphql), valid ones and
invalid ones, against a workspace with data in it. ``RAPPORT_FUZZ_EXAMPLES`` sets how many of
each kind a run makes (the suite's default is small; run it longer by hand).
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis_graphql
import pytest
from graphql import print_ast
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy import func, select

from rapport.core.models import AuditEntry, Customer, OutboxEvent
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from rapport.schema.build import build_schema
from tests.conftest import Client
from tests.schema.factories import person

EXAMPLES = int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "40"))

SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat())),
    "Decimal": st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(lambda d: nodes.String(str(d))),
        st.text(max_size=8).map(nodes.String),
    ),
    "JSON": st.one_of(st.integers().map(nodes.Int), st.text(max_size=20).map(nodes.String)),
}


def generate(strategy: st.SearchStrategy[Any], count: int) -> list[str]:
    """``count`` documents from ``strategy``, the same ones on every run."""
    documents: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: Any) -> None:
        documents.append(document if isinstance(document, str) else print_ast(document))

    collect()
    return documents


async def _written(runtime: Runtime) -> tuple[int, int, int]:
    """What any write leaves behind: customers, audit entries and outbox rows (the test is
    alone in its database while it runs)."""
    async with unscoped_session(runtime.sessions) as session:
        counts = []
        for model in (Customer, AuditEntry, OutboxEvent):
            counts.append(int((await session.execute(select(func.count(model.id)))).scalar_one()))
    return counts[0], counts[1], counts[2]


def _uncoded(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        error
        for error in body.get("errors") or ()
        if not (error.get("extensions") or {}).get("code")
        or "retryable" not in (error.get("extensions") or {})
    ]


def _every_field_failed(body: dict[str, Any]) -> bool:
    data = body.get("data")
    if not isinstance(data, dict) or not data:
        return True
    return all(
        value is None or (isinstance(value, dict) and value.get("errors"))
        for value in data.values()
    )


@pytest.mark.parametrize(
    "mode", [hypothesis_graphql.Mode.POSITIVE, hypothesis_graphql.Mode.NEGATIVE]
)
async def test_generated_operations_are_answered_with_codes(
    client: Client, runtime: Runtime, mode: hypothesis_graphql.Mode
) -> None:
    await person(client, "Ada", "Lovelace")
    await person(client, "Grace", "Hopper")
    sdl = build_schema(runtime).as_str()
    queries = generate(hypothesis_graphql.queries(sdl, custom_scalars=SCALARS, mode=mode), EXAMPLES)
    mutations = generate(
        hypothesis_graphql.mutations(sdl, custom_scalars=SCALARS, mode=mode), EXAMPLES
    )
    problems: list[str] = []
    headers = {"Authorization": f"Bearer {client.key}"}
    for document in [*queries, *mutations]:
        before = await _written(runtime)
        response = await client.http.post("/graphql", json={"query": document}, headers=headers)
        if response.status_code >= 500 and response.status_code != 503:
            problems.append(f"{response.status_code} for {document}")
            continue
        body = response.json()
        if _uncoded(body):
            problems.append(f"uncoded {_uncoded(body)} for {document}")
        is_mutation = document.lstrip().startswith("mutation")
        if is_mutation and _every_field_failed(body) and await _written(runtime) != before:
            problems.append(f"a failed mutation wrote: {document}")
    assert problems == [], "\n".join(problems[:10])
    assert len(queries) + len(mutations) >= EXAMPLES


def test_the_checks_catch_what_they_look_for() -> None:
    assert _uncoded({"errors": [{"message": "Unexpected error."}]})
    assert _uncoded({"errors": [{"message": "x", "extensions": {"code": "X"}}]})
    assert not _uncoded(
        {"errors": [{"message": "x", "extensions": {"code": "X", "retryable": False}}]}
    )
    assert _every_field_failed({"data": None, "errors": [{"message": "x"}]})
    assert _every_field_failed({"data": {"a": {"errors": [{"code": "INVALID"}]}, "b": None}})
    assert not _every_field_failed({"data": {"a": {"errors": []}}})
