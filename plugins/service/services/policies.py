"""SLA policies: conditions, position (first match wins), and a target per metric.

Changing a policy recomputes the timers of the open cases, as re-applying it would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from rapport.core import Customer, FieldValues, Operation, apply_changes
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.models import BusinessCalendar, Case, SlaPolicy, SlaTarget
from rapport.plugins.service.services.common import Problems, get_row
from rapport.plugins.service.sla_clock import METRICS
from rapport.plugins.service.statuses import OPEN_CATEGORIES

__all__ = [
    "CHANNELS",
    "KINDS",
    "PRIORITIES",
    "PolicyFields",
    "TargetFields",
    "create_policy",
    "matching_policy",
    "targets_of",
    "update_policy",
]

PRIORITIES = ("LOW", "NORMAL", "HIGH", "URGENT")
CHANNELS = ("PHONE", "EMAIL", "WEB", "CHAT", "VISIT", "SOCIAL")
KINDS = ("REQUEST", "INCIDENT", "QUESTION", "COMPLAINT")
# Condition key -> what of the case (and its customer) it is compared with.
CONDITION_KEYS = ("priorities", "categories", "channels", "kinds", "segments", "grades")


@dataclass
class TargetFields:
    metric: str
    minutes: int
    business_hours: bool = True
    pause_on: list[str] = field(default_factory=list)
    warning_percent: int = 80


@dataclass
class PolicyFields(FieldValues):
    name: str | None = None
    position: int | None = None
    active: bool | None = None
    conditions: dict[str, list[str]] | None = None
    calendar_id: uuid.UUID | None = None
    # None leaves the targets as they are; a list replaces them.
    targets: list[TargetFields] | None = None


def _check_targets(problems: Problems, targets: list[TargetFields]) -> None:
    seen: set[str] = set()
    for index, target in enumerate(targets):
        path = f"targets[{index}]"
        if target.metric not in METRICS:
            problems.add(f"{path}.metric", f"must be one of {', '.join(METRICS)}")
        elif target.metric in seen:
            problems.add(f"{path}.metric", "one target per metric")
        seen.add(target.metric)
        if target.minutes <= 0:
            problems.add(f"{path}.minutes", "must be more than zero")
        if not 1 <= target.warning_percent <= 100:
            problems.add(f"{path}.warningPercent", "must be between 1 and 100")
        # A waiting status is the only kind of pause: time in a solved one never counts.
        bad = [c for c in target.pause_on if c not in OPEN_CATEGORIES]
        if bad:
            problems.add(f"{path}.pauseOn", f"not an open status category: {', '.join(bad)}")


def _check_conditions(problems: Problems, conditions: dict[str, list[str]]) -> None:
    allowed = {"priorities": PRIORITIES, "channels": CHANNELS, "kinds": KINDS}
    for key, values in conditions.items():
        if key not in CONDITION_KEYS:
            problems.add("conditions", f"unknown condition {key}")
        elif key in allowed and any(v not in allowed[key] for v in values):
            problems.add(f"conditions.{key}", f"must be among {', '.join(allowed[key])}")


async def _validate(
    op: Operation, problems: Problems, data: PolicyFields, policy_id: uuid.UUID | None
) -> None:
    if data.name is not None:
        problems.required("name", data.name)
        problems.length("name", data.name, 100)
        taken = select(SlaPolicy.id).where(SlaPolicy.name == data.name.strip())
        if policy_id is not None:
            taken = taken.where(SlaPolicy.id != policy_id)
        if (await op.session.execute(taken)).first() is not None:
            problems.add("name", "a policy already has this name", ServiceErrorCode.NAME_TAKEN)
    if data.position is not None and data.position < 0:
        problems.add("position", "must not be negative")
    if data.conditions is not None:
        _check_conditions(problems, data.conditions)
    if data.targets is not None:
        _check_targets(problems, data.targets)
    await problems.exists(op, "calendarId", BusinessCalendar, data.calendar_id, "calendar")


def _replace_targets(op: Operation, policy: SlaPolicy, targets: list[TargetFields]) -> None:
    for target in targets:
        op.session.add(
            SlaTarget(
                workspace_id=op.workspace_id,
                policy_id=policy.id,
                metric=target.metric,
                minutes=target.minutes,
                business_hours=target.business_hours,
                pause_on=sorted(set(target.pause_on)),
                warning_percent=target.warning_percent,
            )
        )


async def create_policy(op: Operation, data: PolicyFields) -> SlaPolicy:
    problems = Problems()
    problems.required("name", data.name)
    problems.required("position", data.position)
    await _validate(op, problems, data, None)
    problems.raise_if_any()
    assert data.name is not None
    assert data.position is not None
    policy = SlaPolicy(
        workspace_id=op.workspace_id,
        name=data.name.strip(),
        position=data.position,
        active=True if data.active is None else data.active,
        conditions=data.conditions or {},
        calendar_id=data.calendar_id,
    )
    op.session.add(policy)
    await op.session.flush()
    _replace_targets(op, policy, data.targets or [])
    await op.session.flush()
    op.audit("SlaPolicy", policy.id, "create", {"name": [None, policy.name]})
    await _reapply(op)
    return policy


async def update_policy(op: Operation, policy_id: uuid.UUID, data: PolicyFields) -> SlaPolicy:
    policy = await get_row(op, SlaPolicy, policy_id, "id", "SLA policy")
    values = data.patch(SlaPolicy)
    problems = Problems()
    await _validate(op, problems, data, policy.id)
    problems.raise_if_any()
    values.pop("targets", None)
    if "name" in values:
        values["name"] = values["name"].strip()
    changes = apply_changes(policy, values)
    if data.targets is not None:
        await op.session.execute(delete(SlaTarget).where(SlaTarget.policy_id == policy.id))
        _replace_targets(op, policy, data.targets)
        changes["targets"] = [None, [t.metric for t in data.targets]]
    await op.session.flush()
    op.audit("SlaPolicy", policy.id, "update", changes)
    await _reapply(op)
    return policy


async def targets_of(op: Operation, policy_id: uuid.UUID) -> list[SlaTarget]:
    found = await op.session.execute(
        select(SlaTarget).where(SlaTarget.policy_id == policy_id).order_by(SlaTarget.metric)
    )
    return list(found.scalars().all())


def _matches(conditions: dict[str, list[str]], case: Case, customer: Customer | None) -> bool:
    facts: dict[str, set[str]] = {
        "priorities": {case.priority},
        "categories": {case.category} if case.category else set(),
        "channels": {case.channel},
        "kinds": {case.kind},
        # The customer's segments are its tags; its grade is its value grade (A, B, C).
        "segments": set(customer.tags or []) if customer else set(),
        "grades": {customer.value_grade} if customer and customer.value_grade else set(),
    }
    return all(not wanted or facts[key] & set(wanted) for key, wanted in conditions.items())


async def matching_policy(op: Operation, case: Case) -> SlaPolicy | None:
    """The first active policy, by position, whose every condition holds for the case."""
    customer = await op.session.get(Customer, (op.workspace_id, case.customer_id))
    policies = (
        await op.session.execute(
            select(SlaPolicy).where(SlaPolicy.active).order_by(SlaPolicy.position, SlaPolicy.name)
        )
    ).scalars()
    return next((p for p in policies if _matches(p.conditions, case, customer)), None)


async def _reapply(op: Operation) -> None:
    from rapport.plugins.service.services.timers import reapply_policies

    await reapply_policies(op)
