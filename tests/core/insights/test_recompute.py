"""RFM scores, segments, grades and the grade override, against hand-computed values."""

from __future__ import annotations

import types
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from rapport.core import PluginInfo, ValueKind, ValueSource, hookimpl
from rapport.core.config import Settings
from rapport.core.db import table_of
from rapport.core.insights import recompute_insights
from rapport.core.models import (
    Customer,
    CustomerInsight,
    EventRecord,
    InsightSettingsRow,
    Interaction,
)
from rapport.core.runtime import Runtime
from rapport.plugins.sales.models import Payment
from tests.support import new_workspace, operation, person

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _pay(
    op: Any, customer_id: uuid.UUID, days_ago: int, amount: str, currency: str = "EUR"
) -> None:
    op.session.add(
        Payment(
            workspace_id=op.workspace_id,
            customer_id=customer_id,
            amount=Decimal(amount),
            currency=currency,
            received_at=NOW - timedelta(days=days_ago),
            method="transfer",
        )
    )


async def _insights(op: Any) -> dict[uuid.UUID, CustomerInsight]:
    rows = (await op.session.execute(select(CustomerInsight))).scalars()
    return {row.customer_id: row for row in rows}


async def test_rfm_segments_and_grades(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op, op.transaction():
        c = {name: await person(op, name, "Test") for name in "abcdefg"}
        for days in (30, 20, 10):
            _pay(op, c["a"], days, "100")
        _pay(op, c["b"], 200, "60")
        _pay(op, c["c"], 60, "20")
        _pay(op, c["c"], 40, "30")
        for days in (50, 40, 30, 20, 5):
            _pay(op, c["d"], days, "1000")
        _pay(op, c["e"], 100, "12000")
        _pay(op, c["f"], 3, "999", currency="USD")  # not the reporting currency: left out
        _pay(op, c["g"], 400, "70")  # before the 365-day window only
        # The workspace's own threshold for A, over the deployment's 10,000.
        op.session.add(
            InsightSettingsRow(
                workspace_id=op.workspace_id,
                values={"grade_thresholds": {"A": 4000, "B": 2000, "C": 1}},
                updated_at=NOW,
            )
        )
    async with operation(runtime, workspace) as op, op.transaction():
        assert await recompute_insights(op, now=NOW) == 7
    async with operation(runtime, workspace) as op:
        found = await _insights(op)
    scores = {name: (found[i].recency_score, found[i].monetary_score) for name, i in c.items()}
    # Recency, oldest last purchase first: b, e, c, a, d; money, least first: c, b, a, d, e.
    assert scores == {
        "a": (4, 3),
        "b": (1, 2),
        "c": (3, 1),
        "d": (5, 4),
        "e": (2, 5),
        "f": (None, None),
        "g": (None, None),
    }
    # Frequency: b and e bought once each, so their tie goes by customer id.
    once = sorted([c["b"], c["e"]])
    assert [found[i].frequency_score for i in once] == [1, 2]
    assert [found[c[n]].frequency_score for n in "cad"] == [3, 4, 5]
    assert {n: found[c[n]].segment for n in c} == {
        "a": "loyal",
        "b": "lost",
        "c": "needs_attention",
        "d": "champions",
        "e": "hibernating",
        "f": None,
        "g": "lost",
    }
    assert {n: found[c[n]].derived_grade for n in c} == {
        "a": "C",
        "b": "C",
        "c": "C",
        "d": "A",  # 5,000 and an RFM sum of 14
        "e": "B",  # 12,000 but an RFM sum under 12
        "f": "D",
        "g": "D",
    }
    assert found[c["d"]].monetary == Decimal("5000.00")
    assert found[c["d"]].frequency == 5


async def test_a_grade_override_survives_recomputation(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op, op.transaction():
        customer_id = await person(op, "Kept", "Grade")
        _pay(op, customer_id, 10, "50")
    async with operation(runtime, workspace) as op, op.transaction():
        await recompute_insights(op, now=NOW)
        row = (await _insights(op))[customer_id]
        row.grade_override = "A"
    async with operation(runtime, workspace) as op, op.transaction():
        await recompute_insights(op, now=NOW)
    async with operation(runtime, workspace) as op:
        row = (await _insights(op))[customer_id]
        customer = await op.session.get(Customer, (workspace.id, customer_id))
    assert (row.derived_grade, row.grade_override) == ("C", "A")
    assert customer is not None
    assert customer.value_grade == "A"
    assert customer.version == 1


def _metering_plugin() -> types.ModuleType:
    module = types.ModuleType("metering")
    module.plugin_info = PluginInfo(name="metering", version="0")  # type: ignore[attr-defined]

    def billed(workspace_id: uuid.UUID) -> Select[Any]:
        calls = table_of(Interaction)
        return select(
            calls.c.customer_id,
            calls.c.occurred_at,
            calls.c.duration_seconds.label("amount"),
            calls.c.channel.label("currency"),
        ).where(calls.c.workspace_id == workspace_id, calls.c.kind == "call")

    @hookimpl
    def register_value_sources(register: Any) -> None:
        register(ValueSource("metering.calls", ValueKind.REVENUE, billed))

    module.register_value_sources = register_value_sources  # type: ignore[attr-defined]
    return module


async def test_a_third_party_revenue_source_changes_rfm(
    runtime: Runtime, database_url: str
) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op, op.transaction():
        caller = await person(op, "Long", "Caller")
        op.session.add(
            Interaction(
                workspace_id=op.workspace_id,
                customer_id=caller,
                kind="call",
                channel="EUR",
                occurred_at=NOW - timedelta(days=2),
                duration_seconds=600,
            )
        )
    async with operation(runtime, workspace) as op, op.transaction():
        await recompute_insights(op, now=NOW)
        assert (await _insights(op))[caller].monetary == 0
    extended = Runtime.create(Settings(database_url=database_url), [_metering_plugin()])
    try:
        async with operation(extended, workspace) as op, op.transaction():
            await recompute_insights(op, now=NOW)
            row = (await _insights(op))[caller]
    finally:
        await extended.dispose()
    assert (row.frequency, row.monetary, row.recency_score) == (1, Decimal("600.00"), 1)


async def test_a_lapsing_customer_churns_and_is_won_back(runtime: Runtime) -> None:
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op, op.transaction():
        lapsing = await person(op, "Gone", "Quiet", lifecycle_status="active")
        _pay(op, lapsing, 200, "80")
        for days in (150, 120):  # calls before the last quarter, none in it
            op.session.add(
                Interaction(
                    workspace_id=op.workspace_id,
                    customer_id=lapsing,
                    kind="call",
                    occurred_at=NOW - timedelta(days=days),
                )
            )
        op.session.add(
            InsightSettingsRow(
                workspace_id=op.workspace_id,
                values={"churn_risk_threshold": 0.3, "churn_after_days": 180},
                updated_at=NOW,
            )
        )
    async with operation(runtime, workspace) as op, op.transaction():
        await recompute_insights(op, now=NOW)
    async with operation(runtime, workspace) as op:
        row = (await _insights(op))[lapsing]
        customer = await op.session.get(Customer, (workspace.id, lapsing))
    assert customer is not None
    assert customer.lifecycle_status == "churned"
    assert (row.churn_risk, row.churn_reason, row.churned_at) == (0.3, "stopped engaging", NOW)
    assert row.churn_reasons == [{"reason": "falling_engagement", "weight": 0.3}]
    later = NOW + timedelta(days=10)
    async with operation(runtime, workspace) as op, op.transaction():
        _pay(op, lapsing, -5, "40")  # five days after NOW
    async with operation(runtime, workspace) as op, op.transaction():
        await recompute_insights(op, now=later)
    async with operation(runtime, workspace) as op:
        customer = await op.session.get(Customer, (workspace.id, lapsing))
        events = (
            await op.session.execute(
                select(EventRecord.event_type).order_by(EventRecord.created_at)
            )
        ).scalars()
        kept = (await _insights(op))[lapsing].churn_reason
    assert customer is not None
    assert customer.lifecycle_status == "won_back"
    assert kept == "stopped engaging"
    assert [e for e in events if e.startswith("customer.") and e != "customer.created"] == [
        "customer.updated",
        "customer.churned",
        "customer.updated",
        "customer.won_back",
    ]
