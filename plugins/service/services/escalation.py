"""Escalation rules, run by the worker.

Each run recomputes the timers whose warning or target has come (so a timer turns BREACHED
without anyone touching the case) and then lets every active rule act on the cases it
matches. A rule fires once per occasion (one run of a timer, one idle stretch): the firing
row is unique, so a second worker or a second run does nothing twice. Levels go one after
another: a level-2 rule waits until a level-1 rule has fired for the same occasion. On
PostgreSQL the cases are claimed with ``FOR UPDATE SKIP LOCKED``: two workers share them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError

from rapport.core import FieldValues, Operation, apply_changes, utcnow
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import CaseEscalated, SlaWarning
from rapport.plugins.service.models import (
    Case,
    CaseWatcher,
    EscalationFiring,
    EscalationRule,
    SlaTimer,
)
from rapport.plugins.service.services.cases import record_activity
from rapport.plugins.service.services.common import Problems, get_row
from rapport.plugins.service.services.policies import PRIORITIES, matching_policy
from rapport.plugins.service.services.timers import case_clock, recompute_case_timers
from rapport.plugins.service.sla_clock import METRICS
from rapport.plugins.service.statuses import OPEN_CATEGORIES

__all__ = [
    "ACTIONS",
    "TRIGGERS",
    "RuleFields",
    "create_rule",
    "escalate_due_cases",
    "update_rule",
]

TRIGGERS = ("WARNING", "BREACH", "NO_UPDATE")
ACTIONS = ("NOTIFY", "REASSIGN", "RAISE_PRIORITY", "ADD_WATCHER")


@dataclass
class RuleFields(FieldValues):
    name: str | None = None
    trigger: str | None = None
    metric: str | None = None
    idle_minutes: int | None = None
    level: int | None = None
    action: str | None = None
    user_id: uuid.UUID | None = None
    team: str | None = None
    active: bool | None = None


async def _check(op: Operation, problems: Problems, rule: EscalationRule) -> None:
    problems.required("name", rule.name)
    problems.one_of("trigger", rule.trigger, TRIGGERS)
    problems.one_of("action", rule.action, ACTIONS)
    if rule.trigger == "NO_UPDATE":
        if not rule.idle_minutes or rule.idle_minutes <= 0:
            problems.add("idleMinutes", "how many business minutes without an update")
    elif rule.metric is not None and rule.metric not in METRICS:
        problems.add("metric", f"must be one of {', '.join(METRICS)}")
    if rule.level < 1:
        problems.add("level", "levels start at 1")
    if rule.action in ("REASSIGN", "ADD_WATCHER") and rule.user_id is None:
        problems.add(
            "userId",
            f"{rule.action} needs the user",
        )
    await problems.user(op, "userId", rule.user_id)
    taken = select(EscalationRule.id).where(
        EscalationRule.name == rule.name, EscalationRule.id != rule.id
    )
    if rule.name and (await op.session.execute(taken)).first() is not None:
        problems.add("name", "a rule already has this name", ServiceErrorCode.NAME_TAKEN)


async def create_rule(op: Operation, data: RuleFields) -> EscalationRule:
    rule = EscalationRule(
        workspace_id=op.workspace_id,
        id=uuid.uuid4(),
        name=(data.name or "").strip(),
        trigger=data.trigger or "",
        metric=data.metric,
        idle_minutes=data.idle_minutes,
        level=data.level or 1,
        action=data.action or "",
        user_id=data.user_id,
        team=data.team,
        active=True if data.active is None else data.active,
    )
    problems = Problems()
    await _check(op, problems, rule)
    problems.raise_if_any()
    op.session.add(rule)
    await op.session.flush()
    op.audit("EscalationRule", rule.id, "create", {"name": [None, rule.name]})
    return rule


async def update_rule(op: Operation, rule_id: uuid.UUID, data: RuleFields) -> EscalationRule:
    rule = await get_row(op, EscalationRule, rule_id, "id", "escalation rule")
    changes = apply_changes(rule, data.patch(EscalationRule))
    problems = Problems()
    await _check(op, problems, rule)
    problems.raise_if_any()  # the GraphQL layer rolls the changed attributes back
    await op.session.flush()
    op.audit("EscalationRule", rule.id, "update", changes)
    return rule


def _stamp(moment: datetime) -> str:
    return str(int(moment.timestamp()))


async def _claim(op: Operation, now: datetime, idle_floor: int | None) -> list[Case]:
    """The open cases with a timer due or idle long enough, locked for this worker."""
    due = select(SlaTimer.case_id).where(
        SlaTimer.completed_at.is_(None),
        or_(
            SlaTimer.state == "BREACHED",
            SlaTimer.warning_at <= now,
            SlaTimer.target_at <= now,
        ),
    )
    conditions: list[ColumnElement[bool]] = [Case.id.in_(due)]
    if idle_floor is not None:
        # Business idle time never exceeds wall time: the wall-time test is a safe first cut.
        conditions.append(Case.last_update_at <= now - timedelta(minutes=idle_floor))
    statement = (
        select(Case)
        .where(Case.status_category.in_(sorted(OPEN_CATEGORIES)), or_(*conditions))
        .order_by(Case.opened_at, Case.id)
    )
    if op.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list((await op.session.execute(statement)).scalars().all())


async def escalate_due_cases(op: Operation, now: datetime | None = None) -> int:
    """One worker pass over a workspace; the number of rule firings."""
    now = now or utcnow()
    rules = list(
        (
            await op.session.execute(
                select(EscalationRule)
                .where(EscalationRule.active)
                .order_by(EscalationRule.level, EscalationRule.name)
            )
        ).scalars()
    )
    idle = [r.idle_minutes for r in rules if r.trigger == "NO_UPDATE" and r.idle_minutes]
    fired = 0
    for case in await _claim(op, now, min(idle) if idle else None):
        timers = {t.metric: t for t in await recompute_case_timers(op, case, now)}
        for timer in timers.values():
            if timer.warning_at is not None and timer.warning_at <= now and timer.warned_at is None:
                timer.warned_at = now
                await op.emit(SlaWarning(id=case.id, metric=timer.metric))
        for rule in rules:
            occasion = await _occasion(op, rule, case, timers, now)
            if occasion is not None and await _fire(op, rule, case, occasion, now):
                fired += 1
    await op.session.flush()
    return fired


async def _occasion(
    op: Operation, rule: EscalationRule, case: Case, timers: dict[str, SlaTimer], now: datetime
) -> str | None:
    """What the rule would fire for on this case now (None: its condition does not hold)."""
    if rule.trigger == "NO_UPDATE":
        assert rule.idle_minutes is not None
        idle = (await case_clock(op, case)).seconds_between(case.last_update_at, now)
        return f"idle:{_stamp(case.last_update_at)}" if idle >= rule.idle_minutes * 60 else None
    for metric in [rule.metric] if rule.metric else METRICS:
        timer = timers.get(metric)
        # A met, paused or cancelled timer is nobody's emergency; a breached one stays one.
        if timer is None or timer.state not in ("RUNNING", "BREACHED"):
            continue
        passed = timer.breached_at if rule.trigger == "BREACH" else timer.warning_at
        if passed is not None and passed <= now:
            return f"{metric}:{_stamp(timer.started_at)}"
    return None


async def _fire(
    op: Operation, rule: EscalationRule, case: Case, occasion: str, now: datetime
) -> bool:
    earlier = await op.session.execute(
        select(EscalationFiring.rule_id, EscalationFiring.level).where(
            EscalationFiring.case_id == case.id, EscalationFiring.occasion == occasion
        )
    )
    done = list(earlier)
    if any(rule_id == rule.id for rule_id, _ in done):
        return False
    if rule.level > 1 and not any(level == rule.level - 1 for _, level in done):
        return False
    try:
        async with op.savepoint():
            # The unique firing row is the claim: a concurrent run inserting it first wins.
            op.session.add(
                EscalationFiring(
                    workspace_id=op.workspace_id,
                    case_id=case.id,
                    rule_id=rule.id,
                    occasion=occasion,
                    level=rule.level,
                    fired_at=now,
                )
            )
            await op.session.flush()
    except IntegrityError:
        return False
    done_action = await _act(op, rule, case)
    record_activity(
        op,
        case,
        "escalated",
        {"rule": rule.name, "level": rule.level, "occasion": occasion, **done_action.detail()},
        now,
    )
    op.audit("Case", case.id, "escalate", {"rule": [None, rule.name]}, customer_id=case.customer_id)
    await op.emit(
        CaseEscalated(
            id=case.id,
            rule_id=rule.id,
            rule=rule.name,
            level=rule.level,
            trigger=rule.trigger,
            occasion=occasion,
            action=done_action.action,
            user_id=done_action.user_id,
            team=done_action.team,
            from_priority=done_action.from_priority,
            to_priority=done_action.to_priority,
        )
    )
    return True


@dataclass(frozen=True)
class _Done:
    """What a rule did to a case."""

    action: str
    user_id: uuid.UUID | None = None
    team: str | None = None
    from_priority: str | None = None
    to_priority: str | None = None

    def detail(self) -> dict[str, str | None]:
        """As the case's activity log records it."""
        user = str(self.user_id) if self.user_id else None
        if self.action == "RAISE_PRIORITY":
            return {"action": self.action, "from": self.from_priority, "to": self.to_priority}
        if self.action == "ADD_WATCHER":
            return {"action": self.action, "userId": user}
        return {"action": self.action, "userId": user, "team": self.team}


async def _act(op: Operation, rule: EscalationRule, case: Case) -> _Done:
    if rule.action == "REASSIGN":
        case.assignee_id = rule.user_id
        case.team = rule.team or case.team
        return _Done("REASSIGN", rule.user_id, case.team)
    if rule.action == "RAISE_PRIORITY":
        before = case.priority
        case.priority = PRIORITIES[min(PRIORITIES.index(before) + 1, len(PRIORITIES) - 1)]
        if case.priority != before:
            policy = await matching_policy(op, case)
            case.policy_id = policy.id if policy else None
            await op.session.flush()
            await recompute_case_timers(op, case)
        return _Done("RAISE_PRIORITY", from_priority=before, to_priority=case.priority)
    if rule.action == "ADD_WATCHER":
        assert rule.user_id is not None
        exists = await op.session.execute(
            select(CaseWatcher.id).where(
                CaseWatcher.case_id == case.id, CaseWatcher.user_id == rule.user_id
            )
        )
        if exists.first() is None:
            op.session.add(
                CaseWatcher(workspace_id=op.workspace_id, case_id=case.id, user_id=rule.user_id)
            )
        return _Done("ADD_WATCHER", rule.user_id)
    return _Done("NOTIFY", rule.user_id, rule.team)
