"""SLA timer rows, recomputed from each case's status history and conversation.

The rows are what ``sla_clock`` computes; nothing here adds or subtracts time by itself. Every
change that can move a timer (a status, a reply, a priority that selects another policy, an
edited calendar or policy) calls ``recompute_case_timers``, and the worker does too, for the
timers whose target or warning has come.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from rapport.core import Interaction, Operation, utcnow
from rapport.plugins.service.business_time import ALWAYS_OPEN, Clock
from rapport.plugins.service.events import SlaBreached
from rapport.plugins.service.models import (
    BusinessCalendar,
    Case,
    CaseStatusChange,
    SlaPolicy,
    SlaTarget,
    SlaTimer,
)
from rapport.plugins.service.services.calendars import clock_of, default_calendar
from rapport.plugins.service.services.policies import matching_policy
from rapport.plugins.service.sla_clock import CaseFacts, Entry, Target, TimerState, compute_timer
from rapport.plugins.service.statuses import TERMINAL_CATEGORIES

__all__ = [
    "ENTRY_KINDS",
    "case_clock",
    "case_facts",
    "case_targets",
    "reapply_policies",
    "recompute_case_timers",
    "recompute_for_calendar",
]

# Conversation entries are interactions linked to the case; their direction says what they are.
ENTRY_KINDS = {
    "outbound": "PUBLIC_REPLY",
    "inbound": "CUSTOMER_MESSAGE",
    "internal": "INTERNAL_NOTE",
}
CASE_LINK = "Case"


async def case_facts(op: Operation, case: Case) -> CaseFacts:
    changes = await op.session.execute(
        select(CaseStatusChange.changed_at, CaseStatusChange.to_category)
        .where(CaseStatusChange.case_id == case.id)
        .order_by(CaseStatusChange.changed_at, CaseStatusChange.id)
    )
    entries = await op.session.execute(
        select(Interaction.occurred_at, Interaction.direction).where(
            Interaction.link_type == CASE_LINK,
            Interaction.link_id == case.id,
            Interaction.deleted_at.is_(None),
        )
    )
    history = [(at, category) for at, category in changes]
    return CaseFacts(
        case.opened_at,
        history or [(case.opened_at, case.status_category)],
        [Entry(at, ENTRY_KINDS.get(direction, "INTERNAL_NOTE")) for at, direction in entries],
    )


async def case_clock(op: Operation, case: Case) -> Clock:
    """The business hours a case counts on: its policy's calendar, else the default one.

    Without any calendar, business time is every second (nothing is ever closed).
    """
    policy = (
        await op.session.get(SlaPolicy, (op.workspace_id, case.policy_id))
        if case.policy_id
        else None
    )
    calendar = (
        await op.session.get(BusinessCalendar, (op.workspace_id, policy.calendar_id))
        if policy is not None and policy.calendar_id
        else await default_calendar(op)
    )
    return await clock_of(op, calendar) if calendar is not None else ALWAYS_OPEN


async def case_targets(op: Operation, case: Case) -> list[tuple[SlaTarget, Target]]:
    """The policy's targets with the clock each counts on (business hours or every second)."""
    if case.policy_id is None:
        return []
    policy = await op.session.get(SlaPolicy, (op.workspace_id, case.policy_id))
    if policy is None:
        return []
    business = await case_clock(op, case)
    rows = (
        await op.session.execute(select(SlaTarget).where(SlaTarget.policy_id == policy.id))
    ).scalars()
    return [
        (
            row,
            Target(
                row.metric,
                row.minutes * 60,
                business if row.business_hours else ALWAYS_OPEN,
                frozenset(row.pause_on),
                row.warning_percent / 100,
            ),
        )
        for row in rows
    ]


async def recompute_case_timers(
    op: Operation, case: Case, now: datetime | None = None
) -> list[SlaTimer]:
    """Bring the case's timer rows to what its history says at ``now``; emit breaches."""
    now = now or utcnow()
    facts = await case_facts(op, case)
    existing = {
        timer.metric: timer
        for timer in (
            await op.session.execute(select(SlaTimer).where(SlaTimer.case_id == case.id))
        ).scalars()
    }
    kept: list[SlaTimer] = []
    for row, target in await case_targets(op, case):
        state = compute_timer(target, facts, now)
        if state is None:
            continue
        timer = existing.pop(row.metric, None)
        if timer is None:
            timer = SlaTimer(workspace_id=op.workspace_id, case_id=case.id, metric=row.metric)
            op.session.add(timer)
            was_breached = False
        else:
            was_breached = timer.state == "BREACHED"
            if timer.started_at != state.started_at:
                timer.warned_at = None  # a new run (the next customer message) warns anew
        _store(timer, state, row, now)
        kept.append(timer)
        if state.state == "BREACHED" and not was_breached:
            await op.emit(SlaBreached(id=case.id, metric=row.metric, breached_at=state.breached_at))
    for stale in existing.values():
        await op.session.delete(stale)
    await op.session.flush()
    return kept


def _store(timer: SlaTimer, state: TimerState, row: SlaTarget, now: datetime) -> None:
    timer.state = state.state
    timer.started_at = state.started_at
    timer.target_at = state.target_at
    timer.warning_at = state.warning_at
    timer.target_seconds = row.minutes * 60
    timer.business_hours = row.business_hours
    timer.elapsed_seconds = round(state.elapsed_seconds)
    timer.paused_seconds = round(state.paused_seconds)
    timer.breached_at = state.breached_at
    timer.completed_at = state.completed_at
    timer.computed_at = now


async def _live_cases(op: Operation) -> list[Case]:
    # Closed cases keep the timers they closed with; rejected and duplicate ones too.
    found = await op.session.execute(
        select(Case).where(Case.status_category.not_in([*TERMINAL_CATEGORIES, "CLOSED"]))
    )
    return list(found.scalars().all())


async def reapply_policies(op: Operation) -> int:
    """Match every live case against the policies again and recompute its timers."""
    cases = await _live_cases(op)
    for case in cases:
        policy = await matching_policy(op, case)
        case.policy_id = policy.id if policy else None
        await recompute_case_timers(op, case)
    return len(cases)


async def recompute_for_calendar(op: Operation, calendar_id: uuid.UUID) -> int:
    """Recompute the live cases whose policy counts on this calendar (or on the default)."""
    calendar = await op.session.get(BusinessCalendar, (op.workspace_id, calendar_id))
    on_it = select(SlaPolicy.id).where(SlaPolicy.calendar_id == calendar_id)
    if calendar is not None and calendar.is_default:
        on_it = select(SlaPolicy.id).where(
            (SlaPolicy.calendar_id == calendar_id) | SlaPolicy.calendar_id.is_(None)
        )
    policies = set((await op.session.execute(on_it)).scalars().all())
    cases = [case for case in await _live_cases(op) if case.policy_id in policies]
    for case in cases:
        await recompute_case_timers(op, case)
    return len(cases)
