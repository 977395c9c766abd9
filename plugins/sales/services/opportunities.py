"""Opportunities: creation, changes, stage moves (won, lost, reopened) and the big-deal alert.

Every stage an opportunity enters is a :class:`StageChange` row, its creation included, so
the funnel and the time spent in each stage come from history rather than from snapshots.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rapport.core import (
    Conflict,
    FieldValues,
    InvalidTransition,
    NotFound,
    Operation,
    Settings,
    apply_changes,
    get_customer,
    utcnow,
)
from rapport.plugins.sales.error_codes import SalesErrorCode
from rapport.plugins.sales.events import (
    OpportunityBigDeal,
    OpportunityCreated,
    OpportunityLost,
    OpportunityReopened,
    OpportunityStageChanged,
    OpportunityUpdated,
    OpportunityWon,
)
from rapport.plugins.sales.models import Opportunity, Pipeline, Stage, StageChange, Territory
from rapport.plugins.sales.services.common import Problems, get_row, money, settings_of
from rapport.plugins.sales.services.pipelines import default_pipeline, first_open_stage

__all__ = [
    "DEFAULT_BIG_DEAL_AMOUNT",
    "BigDealAmounts",
    "OpportunityFields",
    "big_deal_amounts",
    "create_opportunity",
    "move_opportunity",
    "reopen_opportunity",
    "update_opportunity",
]

DEFAULT_BIG_DEAL_AMOUNT = Decimal("100000")
# A big deal is big in its own currency: about 100,000 EUR in those whose unit is worth far
# less, so a 150,000 JPY deal (under 1,000 EUR) raises no alert. The settings override any.
DEFAULT_BIG_DEAL_AMOUNTS = {
    "CNY": Decimal("800000"),
    "CZK": Decimal("2500000"),
    "DKK": Decimal("750000"),
    "HUF": Decimal("40000000"),
    "INR": Decimal("9000000"),
    "JPY": Decimal("15000000"),
    "KRW": Decimal("150000000"),
    "NOK": Decimal("1200000"),
    "SEK": Decimal("1100000"),
}


@dataclass(frozen=True)
class BigDealAmounts:
    """The amount from which a deal is big, per currency, and for any other currency."""

    by_currency: dict[str, Decimal]
    default: Decimal

    def of(self, currency: str) -> Decimal:
        return self.by_currency.get(currency, self.default)


def _positive(raw: object) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def big_deal_amounts(settings: Settings) -> BigDealAmounts:
    """``[sales] big_deal_amount`` (any currency) and ``[sales.big_deal_amounts]`` (per
    currency) over the defaults; a bad value falls back to the default."""
    section = settings_of(settings)
    default = _positive(section.get("big_deal_amount", DEFAULT_BIG_DEAL_AMOUNT))
    by_currency = dict(DEFAULT_BIG_DEAL_AMOUNTS)
    given = section.get("big_deal_amounts", {})
    for currency, raw in given.items() if isinstance(given, dict) else ():
        if (amount := _positive(raw)) is not None:
            by_currency[str(currency).upper()] = amount
    return BigDealAmounts(by_currency, default or DEFAULT_BIG_DEAL_AMOUNT)


@dataclass
class OpportunityFields(FieldValues):
    name: str | None = None
    customer_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    pipeline_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    territory_id: uuid.UUID | None = None
    amount: Decimal | None = None
    currency: str | None = None
    probability: int | None = None
    expected_close_date: date | None = None
    source_campaign_id: str | None = None
    lead_id: uuid.UUID | None = None


async def _validate(
    op: Operation, data: OpportunityFields, problems: Problems, currency: str | None
) -> None:
    if data.name is not None:
        problems.required("name", data.name)
    problems.money("amount", data.amount, data.currency or currency)
    problems.currency("currency", data.currency)
    problems.percent("probability", data.probability)
    await problems.user(op, "ownerId", data.owner_id)
    await problems.exists(op, "territoryId", Territory, data.territory_id, "territory")


async def _get(
    op: Operation, opportunity_id: uuid.UUID, expected_version: int | None
) -> Opportunity:
    """The opportunity, refusing when it changed since the version the caller last read."""
    opportunity = await get_row(op, Opportunity, opportunity_id, "id", "opportunity")
    if expected_version is not None and opportunity.version != expected_version:
        raise Conflict(
            "version",
            f"the opportunity changed since version {expected_version} (now "
            f"{opportunity.version}); reload and retry",
        )
    return opportunity


async def _record_stage(
    op: Operation, opportunity: Opportunity, from_stage: uuid.UUID | None, *, reopened: bool
) -> None:
    op.session.add(
        StageChange(
            workspace_id=op.workspace_id,
            opportunity_id=opportunity.id,
            from_stage_id=from_stage,
            to_stage_id=opportunity.stage_id,
            changed_at=utcnow(),
            changed_by_id=op.actor.user_id,
            reopened=reopened,
        )
    )
    await op.session.flush()


async def _alert_if_big(op: Operation, opportunity: Opportunity, before: Decimal | None) -> None:
    """Emit ``opportunity.big_deal`` when the amount reaches the threshold (once per crossing)."""
    threshold = big_deal_amounts(op.host.settings).of(opportunity.currency)
    if opportunity.amount >= threshold and (before is None or before < threshold):
        await op.emit(
            OpportunityBigDeal(
                id=opportunity.id,
                amount=opportunity.amount,
                currency=opportunity.currency,
                threshold=threshold,
                customer_id=opportunity.customer_id,
            )
        )


async def create_opportunity(
    op: Operation, data: OpportunityFields, prefix: str = "input."
) -> Opportunity:
    problems = Problems(prefix)
    if data.name is None:
        problems.required("name", None)
    problems.required("currency", data.currency)
    problems.required("customerId", data.customer_id)
    await _validate(op, data, problems, None)
    if data.customer_id is not None:
        try:
            await get_customer(op, data.customer_id, f"{prefix}customerId")
        except NotFound as missing:
            problems.errors.extend(missing.errors)
    pipeline = (
        await problems.exists(op, "pipelineId", Pipeline, data.pipeline_id, "pipeline")
        if data.pipeline_id is not None
        else await default_pipeline(op)
    )
    stage: Stage | None = None
    if data.stage_id is not None:
        stage = await problems.exists(op, "stageId", Stage, data.stage_id, "stage")
        if stage is not None and pipeline is not None and stage.pipeline_id != pipeline.id:
            problems.add(
                "stageId",
                "the stage belongs to another pipeline",
                SalesErrorCode.STAGE_OF_OTHER_PIPELINE,
            )
        elif stage is not None and stage.category != "open":
            problems.add(
                "stageId",
                "a new opportunity starts in an open stage",
                SalesErrorCode.STAGE_NOT_OPEN,
            )
    problems.raise_if_any()
    assert pipeline is not None
    assert data.customer_id is not None
    assert data.currency is not None
    if stage is None:
        stage = await first_open_stage(op, pipeline.id)
    opportunity = Opportunity(
        workspace_id=op.workspace_id,
        name=(data.name or "").strip(),
        customer_id=data.customer_id,
        owner_id=data.owner_id or op.actor.user_id,
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        territory_id=data.territory_id,
        amount=money(data.amount) if data.amount is not None else Decimal("0.00"),
        currency=data.currency,
        probability=data.probability if data.probability is not None else stage.probability,
        probability_manual=data.probability is not None,
        expected_close_date=data.expected_close_date,
        source_campaign_id=data.source_campaign_id,
        lead_id=data.lead_id,
    )
    op.session.add(opportunity)
    await op.session.flush()
    await _record_stage(op, opportunity, None, reopened=False)
    op.audit(
        "Opportunity",
        opportunity.id,
        "create",
        {"name": [None, opportunity.name], "stage": [None, stage.name]},
        customer_id=opportunity.customer_id,
    )
    await op.emit(
        OpportunityCreated(
            id=opportunity.id, customer_id=opportunity.customer_id, stage_id=stage.id
        )
    )
    await _alert_if_big(op, opportunity, None)
    return opportunity


async def update_opportunity(
    op: Operation,
    opportunity_id: uuid.UUID,
    data: OpportunityFields,
    *,
    reset_probability: bool = False,
    expected_version: int | None = None,
    prefix: str = "input.",
) -> Opportunity:
    """Change the descriptive fields; stage moves go through :func:`move_opportunity`."""
    opportunity = await _get(op, opportunity_id, expected_version)
    given = data.patch(Opportunity, prefix)
    problems = Problems(prefix)
    await _validate(op, data, problems, opportunity.currency)
    fixed = {"pipeline_id": "pipelineId", "stage_id": "stageId", "customer_id": "customerId"}
    for name, field in fixed.items():
        if getattr(data, name) is not None:
            problems.add(field, "cannot be changed here; move the stage or merge customers")
    if reset_probability and data.probability is not None:
        problems.add("probability", "pass a probability or reset it, not both")
    problems.raise_if_any()
    if opportunity.closed_at is not None and (reset_probability or data.probability is not None):
        # A closed deal's chance is its stage's; reopen it to forecast it again.
        raise InvalidTransition(f"{prefix}probability", "the opportunity is closed")
    fields = {name: value for name, value in given.items() if name not in (*fixed, "lead_id")}
    if isinstance(fields.get("name"), str):
        fields["name"] = str(fields["name"]).strip()
    if data.amount is not None:
        fields["amount"] = money(data.amount)
    if data.probability is not None:
        fields["probability_manual"] = True
    if reset_probability:
        stage = await get_row(op, Stage, opportunity.stage_id, "id", "stage")
        fields["probability"] = stage.probability
        fields["probability_manual"] = False
    before = opportunity.amount
    changes = apply_changes(opportunity, fields)
    if changes:
        await op.session.flush()
        op.audit(
            "Opportunity", opportunity.id, "update", changes, customer_id=opportunity.customer_id
        )
        await op.emit(OpportunityUpdated(id=opportunity.id, fields=tuple(sorted(changes))))
        await _alert_if_big(op, opportunity, before)
    return opportunity


async def _enter_stage(
    op: Operation,
    opportunity: Opportunity,
    target: Stage,
    *,
    lost_reason: str | None,
    competitor: str | None,
    reopened: bool,
) -> None:
    current = await get_row(op, Stage, opportunity.stage_id, "id", "stage")
    fields: dict[str, object] = {"stage_id": target.id}
    if target.category == "open":
        fields |= {"closed_at": None, "lost_reason": None, "competitor": None}
        if not opportunity.probability_manual or reopened:
            fields |= {"probability": target.probability, "probability_manual": False}
    else:
        # A closed deal's chance is its stage's: a hand-set 60 % means nothing once won.
        fields |= {
            "closed_at": utcnow(),
            "probability": target.probability,
            "probability_manual": False,
            "lost_reason": lost_reason.strip() if lost_reason else None,
            "competitor": competitor.strip() if competitor else None,
        }
    changes = apply_changes(opportunity, fields)
    await op.session.flush()
    await _record_stage(op, opportunity, current.id, reopened=reopened)
    op.audit(
        "Opportunity",
        opportunity.id,
        "reopen" if reopened else "stage_change",
        changes | {"stage": [current.name, target.name]},
        customer_id=opportunity.customer_id,
    )
    data: dict[str, Any] = {
        "id": opportunity.id,
        "from_stage_id": current.id,
        "to_stage_id": target.id,
        "category": target.category,
        "amount": opportunity.amount,
        "currency": opportunity.currency,
    }
    await op.emit(OpportunityStageChanged(**data))
    if reopened:
        await op.emit(OpportunityReopened(**data))
    elif target.category == "won":
        await op.emit(OpportunityWon(**data))
    elif target.category == "lost":
        await op.emit(
            OpportunityLost(
                lost_reason=opportunity.lost_reason, competitor=opportunity.competitor, **data
            )
        )


async def _target_stage(op: Operation, opportunity: Opportunity, stage_id: uuid.UUID) -> Stage:
    target = await get_row(op, Stage, stage_id, "stageId", "stage")
    if target.pipeline_id != opportunity.pipeline_id:
        raise InvalidTransition("stageId", "the stage belongs to another pipeline")
    if target.id == opportunity.stage_id:
        raise InvalidTransition("stageId", "the opportunity is in this stage already")
    return target


async def move_opportunity(
    op: Operation,
    opportunity_id: uuid.UUID,
    stage_id: uuid.UUID,
    *,
    lost_reason: str | None = None,
    competitor: str | None = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Move an open opportunity to another stage of its pipeline; closing it there if the
    stage is won or lost (lost needs a reason and the competitor)."""
    opportunity = await _get(op, opportunity_id, expected_version)
    if opportunity.closed_at is not None:
        raise InvalidTransition("id", "the opportunity is closed; reopen it first")
    target = await _target_stage(op, opportunity, stage_id)
    if target.category == "lost":
        problems = Problems("")
        problems.required("lostReason", lost_reason, "a lost deal needs the reason")
        problems.required("competitor", competitor, "a lost deal needs the competitor")
        problems.raise_if_any()
    await _enter_stage(
        op, opportunity, target, lost_reason=lost_reason, competitor=competitor, reopened=False
    )
    return opportunity


async def reopen_opportunity(
    op: Operation,
    opportunity_id: uuid.UUID,
    stage_id: uuid.UUID | None = None,
    *,
    expected_version: int | None = None,
) -> Opportunity:
    """Put a won or lost opportunity back into an open stage (the first one by default)."""
    opportunity = await _get(op, opportunity_id, expected_version)
    if opportunity.closed_at is None:
        raise InvalidTransition("id", "the opportunity is open")
    if stage_id is None:
        target = await first_open_stage(op, opportunity.pipeline_id)
    else:
        target = await _target_stage(op, opportunity, stage_id)
        if target.category != "open":
            raise InvalidTransition("stageId", "reopen into an open stage")
    await _enter_stage(op, opportunity, target, lost_reason=None, competitor=None, reopened=True)
    return opportunity
