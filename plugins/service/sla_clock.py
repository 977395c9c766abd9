"""SLA timers computed from a case's history, never accumulated.

A timer is a function of facts: when the case was opened, every status change it went
through, every reply on it, the policy's target and the calendar. Computing it again from the
same facts gives the same answer, so a changed priority (another target), a reopen or an
edited calendar is handled by computing again, and a timer can never keep running while
paused or forget a pause: the pauses are read off the status history each time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rapport.plugins.service.business_time import Clock
from rapport.plugins.service.statuses import SOLVED_CATEGORIES, TERMINAL_CATEGORIES

__all__ = [
    "METRICS",
    "CaseFacts",
    "Entry",
    "Target",
    "TimerState",
    "compute_timer",
    "spans",
]

METRICS = ("FIRST_RESPONSE", "NEXT_RESPONSE", "RESOLUTION")


@dataclass(frozen=True)
class Entry:
    """A conversation entry that matters to response times."""

    at: datetime
    # PUBLIC_REPLY (agent to customer), CUSTOMER_MESSAGE, or INTERNAL_NOTE (never a response).
    kind: str


@dataclass(frozen=True)
class CaseFacts:
    opened_at: datetime
    # (at, category) in order; the first is the status the case was opened in.
    history: Sequence[tuple[datetime, str]]
    entries: Sequence[Entry] = ()


@dataclass(frozen=True)
class Target:
    metric: str
    seconds: int
    clock: Clock
    pause_on: frozenset[str] = frozenset()
    # Share of the target after which the timer warns (0.8: at 80 % of the time).
    warning_ratio: float = 0.8


@dataclass(frozen=True)
class TimerState:
    metric: str
    state: str  # RUNNING | PAUSED | MET | BREACHED | CANCELLED
    started_at: datetime
    target_at: datetime | None
    warning_at: datetime | None
    elapsed_seconds: float
    paused_seconds: float
    remaining_seconds: float
    breached_at: datetime | None
    completed_at: datetime | None


def spans(
    history: Sequence[tuple[datetime, str]], until: datetime
) -> list[tuple[datetime, datetime, str]]:
    """The history as (from, to, category) stretches, the last one ending at ``until``."""
    out: list[tuple[datetime, datetime, str]] = []
    for index, (at, category) in enumerate(history):
        end = history[index + 1][0] if index + 1 < len(history) else until
        if end > at:
            out.append((at, min(end, until), category))
        if end >= until:
            break
    return out


def _window(metric: str, facts: CaseFacts) -> tuple[datetime, datetime | None] | None:
    """When the metric's clock starts and when it is fulfilled (None: not yet)."""
    replies = [e.at for e in facts.entries if e.kind == "PUBLIC_REPLY"]
    if metric == "FIRST_RESPONSE":
        return facts.opened_at, min(replies, default=None)
    if metric == "NEXT_RESPONSE":
        # The latest customer message that waits for (or got) the next reply after the first.
        if not replies:
            return None
        first = min(replies)
        start: datetime | None = None
        answered: datetime | None = None
        for entry in sorted(facts.entries, key=lambda e: e.at):
            if entry.at <= first:
                continue
            if entry.kind == "CUSTOMER_MESSAGE" and (start is None or answered is not None):
                start, answered = entry.at, None
            elif entry.kind == "PUBLIC_REPLY" and start is not None and answered is None:
                answered = entry.at
        return (start, answered) if start is not None else None
    # RESOLUTION: fulfilled while the case is solved; a reopen takes that back.
    current_at, current = facts.history[-1]
    if current in SOLVED_CATEGORIES:
        solved_since = current_at
        for at, category in reversed(facts.history):
            if category not in SOLVED_CATEGORIES:
                break
            solved_since = at
        return facts.opened_at, solved_since
    return facts.opened_at, None


def compute_timer(target: Target, facts: CaseFacts, now: datetime) -> TimerState | None:
    """The timer of one metric at ``now``; None when the metric does not apply (yet)."""
    window = _window(target.metric, facts)
    if window is None:
        return None
    started, fulfilled = window
    until = min(fulfilled, now) if fulfilled is not None else now
    last_category = facts.history[-1][1]
    # Time in a solved status before a reopen does not count toward anything.
    not_counting = target.pause_on | SOLVED_CATEGORIES | TERMINAL_CATEGORIES
    elapsed = paused = 0.0
    breached_at = warning_at = None
    warning_after = target.seconds * target.warning_ratio
    in_force = [category for at, category in facts.history if at <= until]
    paused_now = bool(in_force) and in_force[-1] in target.pause_on
    for a, b, category in spans(facts.history, until):
        a = max(a, started)
        if b <= a:
            continue
        if category in not_counting:
            if category in target.pause_on:
                paused += target.clock.seconds_between(a, b)
            continue
        length = target.clock.seconds_between(a, b)
        if warning_at is None and elapsed + length >= warning_after:
            warning_at = target.clock.add(a, warning_after - elapsed)
        if breached_at is None and elapsed + length >= target.seconds:
            breached_at = target.clock.add(a, target.seconds - elapsed)
        elapsed += length
    remaining = target.seconds - elapsed
    cancelled = fulfilled is None and last_category in TERMINAL_CATEGORIES
    if target.metric != "RESOLUTION" and fulfilled is None and last_category in SOLVED_CATEGORIES:
        cancelled = True  # solved without the reply the metric waits for
    target_at: datetime | None
    if breached_at is not None:
        state, target_at = "BREACHED", breached_at
    elif fulfilled is not None:
        state, target_at = "MET", target.clock.add(until, remaining)
    elif cancelled:
        state, target_at = "CANCELLED", None
    elif paused_now:
        state, target_at = "PAUSED", None
    else:
        state, target_at = "RUNNING", target.clock.add(until, remaining)
    if state == "RUNNING" and warning_at is None:
        warning_at = target.clock.add(until, max(0.0, warning_after - elapsed))
    return TimerState(
        metric=target.metric,
        state=state,
        started_at=started,
        target_at=target_at,
        warning_at=warning_at,
        elapsed_seconds=elapsed,
        paused_seconds=paused,
        remaining_seconds=remaining,
        breached_at=breached_at,
        completed_at=fulfilled,
    )
