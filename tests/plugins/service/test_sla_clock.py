"""SLA timers from the status history, each expectation computed by hand.

The office calendar is Europe/Paris, Monday to Friday 09-12 and 13-17 (seven hours a day);
Monday 2 March 2026 is the first day of every story unless said otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.plugins.service.business_time import ALWAYS_OPEN, BusinessCalendar, Clock, Window
from rapport.plugins.service.sla_clock import CaseFacts, Entry, Target, compute_timer

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
OFFICE = BusinessCalendar(
    "Europe/Paris",
    {d: (Window.between("09:00", "12:00"), Window.between("13:00", "17:00")) for d in range(5)},
)
WAITING = frozenset({"WAITING_ON_CUSTOMER", "WAITING_ON_THIRD_PARTY"})


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def resolution(hours: float, clock: Clock = OFFICE, pause: frozenset[str] = WAITING) -> Target:
    return Target("RESOLUTION", int(hours * HOUR), clock, pause)


def test_pause_and_resume() -> None:
    # Open Monday 09:00, waiting on the customer 10:00-14:00 (three business hours paused).
    # Counting: Monday 9-10 and 14-17 (4h), Tuesday 9-12 (7h), 13-14 (8h): due Tuesday 14:00.
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [
            (paris(2026, 3, 2, 9), "IN_PROGRESS"),
            (paris(2026, 3, 2, 10), "WAITING_ON_CUSTOMER"),
            (paris(2026, 3, 2, 14), "IN_PROGRESS"),
        ],
    )
    timer = compute_timer(resolution(8), facts, paris(2026, 3, 2, 15))
    assert timer is not None
    assert timer.state == "RUNNING"
    assert timer.elapsed_seconds == 2 * HOUR
    assert timer.paused_seconds == 3 * HOUR
    assert timer.target_at == paris(2026, 3, 3, 14)
    assert timer.remaining_seconds == 6 * HOUR
    # While it waits, it is paused and its remaining time does not move.
    during = compute_timer(
        resolution(8), CaseFacts(facts.opened_at, facts.history[:2]), paris(2026, 3, 3, 16)
    )
    assert during is not None
    assert (during.state, during.elapsed_seconds, during.target_at) == ("PAUSED", HOUR, None)
    # Monday 10-12 and 13-17 (6h), Tuesday 9-12 and 13-16 (6h).
    assert during.paused_seconds == 12 * HOUR


def test_several_pauses_each_come_off() -> None:
    # Waiting Monday 10-11 (customer) and 15:00 to Tuesday 10:00 (third party):
    # counting Monday 9-10, 11-12, 13-15 (4h) and Tuesday from 10: 10-12 (6h), 13-15 (8h).
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [
            (paris(2026, 3, 2, 9), "NEW"),
            (paris(2026, 3, 2, 10), "WAITING_ON_CUSTOMER"),
            (paris(2026, 3, 2, 11), "IN_PROGRESS"),
            (paris(2026, 3, 2, 15), "WAITING_ON_THIRD_PARTY"),
            (paris(2026, 3, 3, 10), "IN_PROGRESS"),
        ],
    )
    timer = compute_timer(resolution(8), facts, paris(2026, 3, 3, 10))
    assert timer is not None
    assert timer.target_at == paris(2026, 3, 3, 15)
    assert timer.paused_seconds == HOUR + 3 * HOUR  # Monday 10-11; Monday 15-17 and Tuesday 9-10


def test_a_pause_the_metric_does_not_list_keeps_counting() -> None:
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [(paris(2026, 3, 2, 9), "NEW"), (paris(2026, 3, 2, 10), "WAITING_ON_THIRD_PARTY")],
    )
    only_customer = resolution(8, pause=frozenset({"WAITING_ON_CUSTOMER"}))
    timer = compute_timer(only_customer, facts, paris(2026, 3, 2, 12))
    assert timer is not None
    assert (timer.state, timer.elapsed_seconds) == ("RUNNING", 3 * HOUR)


def test_breach_is_the_moment_the_target_passed_and_stays_after_solving() -> None:
    # A 2h target, opened Monday 11:00: 11-12 and 13-14, breached at 14:00; solved at 16:00.
    facts = CaseFacts(
        paris(2026, 3, 2, 11),
        [(paris(2026, 3, 2, 11), "NEW"), (paris(2026, 3, 2, 16), "RESOLVED")],
    )
    timer = compute_timer(resolution(2), facts, paris(2026, 3, 5, 9))
    assert timer is not None
    assert timer.state == "BREACHED"
    assert timer.breached_at == paris(2026, 3, 2, 14)
    assert timer.completed_at == paris(2026, 3, 2, 16)
    assert timer.remaining_seconds == -2 * HOUR


def test_met_when_solved_in_time_and_warning_at_the_threshold() -> None:
    facts = CaseFacts(paris(2026, 3, 2, 9), [(paris(2026, 3, 2, 9), "NEW")])
    running = compute_timer(resolution(10), facts, paris(2026, 3, 2, 10))
    assert running is not None
    # 80 % of 10h is 8h: Monday's 7h then Tuesday 09:00-10:00.
    assert running.warning_at == paris(2026, 3, 3, 10)
    solved = CaseFacts(facts.opened_at, [*facts.history, (paris(2026, 3, 2, 15), "RESOLVED")])
    met = compute_timer(resolution(10), solved, paris(2026, 3, 9, 9))
    assert met is not None
    assert (met.state, met.elapsed_seconds, met.breached_at) == ("MET", 5 * HOUR, None)


def test_holidays_from_the_library_and_the_workspace_do_not_count() -> None:
    calendar = BusinessCalendar(
        OFFICE.zone,
        OFFICE.weekly,
        closed=_Both(holidays.country_holidays("FR"), {datetime(2026, 5, 4).date()}),
    )
    # Thursday 30 April 16:00, 3h: Thursday 16-17; 1 May (Labour Day) and Monday 4 May (the
    # workspace's own) are closed; Tuesday 09:00-11:00.
    facts = CaseFacts(paris(2026, 4, 30, 16), [(paris(2026, 4, 30, 16), "NEW")])
    timer = compute_timer(resolution(3, clock=calendar), facts, paris(2026, 4, 30, 16, 30))
    assert timer is not None
    assert timer.target_at == paris(2026, 5, 5, 11)


class _Both:
    def __init__(self, *sources: object) -> None:
        self.sources = sources

    def __contains__(self, day: object) -> bool:
        return any(day in source for source in self.sources)  # type: ignore[operator]


def test_created_outside_business_hours() -> None:
    # Saturday 7 March 20:00 with a 1h first response: due Monday 10:00.
    facts = CaseFacts(paris(2026, 3, 7, 20), [(paris(2026, 3, 7, 20), "NEW")])
    first = Target("FIRST_RESPONSE", HOUR, OFFICE)
    timer = compute_timer(first, facts, paris(2026, 3, 8, 12))
    assert timer is not None
    assert (timer.state, timer.elapsed_seconds, timer.target_at) == (
        "RUNNING",
        0,
        paris(2026, 3, 9, 10),
    )


def test_calendar_time_counts_every_second_and_pauses_still_apply() -> None:
    facts = CaseFacts(
        paris(2026, 3, 7, 20),
        [
            (paris(2026, 3, 7, 20), "NEW"),
            (paris(2026, 3, 7, 21), "WAITING_ON_CUSTOMER"),
            (paris(2026, 3, 7, 23), "IN_PROGRESS"),
        ],
    )
    timer = compute_timer(resolution(4, clock=ALWAYS_OPEN), facts, paris(2026, 3, 7, 23))
    assert timer is not None
    assert timer.target_at == paris(2026, 3, 8, 2)


def test_reopen_resumes_where_it_stopped() -> None:
    # Opened Monday 09:00, solved 11:00 (2h), reopened Wednesday 09:00: the solved time does
    # not count, so an 8h target is due Wednesday 16:00 (2h + 9-12 + 13-16).
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [
            (paris(2026, 3, 2, 9), "IN_PROGRESS"),
            (paris(2026, 3, 2, 11), "RESOLVED"),
            (paris(2026, 3, 4, 9), "IN_PROGRESS"),
        ],
    )
    timer = compute_timer(resolution(8), facts, paris(2026, 3, 4, 10))
    assert timer is not None
    assert (timer.state, timer.completed_at) == ("RUNNING", None)
    assert timer.target_at == paris(2026, 3, 4, 16)
    assert timer.paused_seconds == 0  # being solved is not a pause


def test_first_response_is_met_by_the_first_public_reply_only() -> None:
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [(paris(2026, 3, 2, 9), "NEW")],
        [
            Entry(paris(2026, 3, 2, 9, 30), "INTERNAL_NOTE"),
            Entry(paris(2026, 3, 2, 10), "PUBLIC_REPLY"),
        ],
    )
    timer = compute_timer(Target("FIRST_RESPONSE", 2 * HOUR, OFFICE), facts, paris(2026, 3, 3, 9))
    assert timer is not None
    assert (timer.state, timer.completed_at, timer.elapsed_seconds) == (
        "MET",
        paris(2026, 3, 2, 10),
        HOUR,
    )


def test_next_response_follows_the_latest_unanswered_customer_message() -> None:
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [(paris(2026, 3, 2, 9), "IN_PROGRESS")],
        [
            Entry(paris(2026, 3, 2, 9, 30), "PUBLIC_REPLY"),
            Entry(paris(2026, 3, 2, 10), "CUSTOMER_MESSAGE"),
            Entry(paris(2026, 3, 2, 10, 30), "PUBLIC_REPLY"),
            Entry(paris(2026, 3, 2, 16), "CUSTOMER_MESSAGE"),
            Entry(paris(2026, 3, 2, 16, 30), "CUSTOMER_MESSAGE"),
        ],
    )
    target = Target("NEXT_RESPONSE", 2 * HOUR, OFFICE)
    timer = compute_timer(target, facts, paris(2026, 3, 2, 17))
    assert timer is not None
    # The cycle opened at 16:00 (not 16:30: the first unanswered message starts it).
    assert (timer.state, timer.started_at, timer.target_at) == (
        "RUNNING",
        paris(2026, 3, 2, 16),
        paris(2026, 3, 3, 10),
    )
    no_cycle = CaseFacts(facts.opened_at, facts.history, facts.entries[:1])
    assert compute_timer(target, no_cycle, paris(2026, 3, 2, 17)) is None


def test_a_rejected_case_cancels_what_was_not_breached() -> None:
    facts = CaseFacts(
        paris(2026, 3, 2, 9),
        [(paris(2026, 3, 2, 9), "NEW"), (paris(2026, 3, 2, 10), "REJECTED")],
    )
    timer = compute_timer(resolution(8), facts, paris(2026, 3, 9, 9))
    assert timer is not None
    assert (timer.state, timer.target_at, timer.elapsed_seconds) == ("CANCELLED", None, HOUR)


def test_priority_change_applies_the_new_target_from_the_start() -> None:
    # Opened Monday 09:00 with an 8h target; at 10:00 it becomes urgent (2h): due 11:00,
    # which a person computes from the opening, not from the change.
    facts = CaseFacts(paris(2026, 3, 2, 9), [(paris(2026, 3, 2, 9), "NEW")])
    urgent = compute_timer(resolution(2), facts, paris(2026, 3, 2, 10))
    assert urgent is not None
    assert urgent.target_at == paris(2026, 3, 2, 11)


def test_24_7_timer_over_midnight_and_a_dst_night() -> None:
    always = BusinessCalendar(
        "Europe/Paris", {d: (Window.between("00:00", "24:00"),) for d in range(7)}
    )
    # Saturday 28 March 23:00 + 5h on the night clocks jump: 23:00 + 5 real hours = 05:00 CEST.
    facts = CaseFacts(paris(2026, 3, 28, 23), [(paris(2026, 3, 28, 23), "NEW")])
    timer = compute_timer(resolution(5, clock=always), facts, paris(2026, 3, 28, 23))
    assert timer is not None
    assert timer.target_at == paris(2026, 3, 29, 5)
    assert timer.target_at == datetime(2026, 3, 29, 3, tzinfo=UTC)


@st.composite
def histories(draw: st.DrawFn) -> tuple[CaseFacts, list[datetime]]:
    """A legal-looking history: alternating work and waits, and instants to look at it."""
    opened = paris(2026, 3, 2, 8)
    at, history = opened, [(opened, "IN_PROGRESS")]
    for _ in range(draw(st.integers(0, 8))):
        at += timedelta(minutes=draw(st.integers(1, 3000)))
        category = draw(
            st.sampled_from(["IN_PROGRESS", "WAITING_ON_CUSTOMER", "WAITING_ON_THIRD_PARTY"])
        )
        history.append((at, category))
    looks = sorted(
        opened + timedelta(minutes=m)
        for m in draw(st.lists(st.integers(0, 40000), min_size=2, max_size=6))
    )
    return CaseFacts(opened, history), looks


@settings(max_examples=150, deadline=None)
@given(histories())
def test_elapsed_time_never_exceeds_business_time_and_never_decreases(
    story: tuple[CaseFacts, list[datetime]],
) -> None:
    facts, looks = story
    target = resolution(40)
    previous = 0.0
    for now in looks:
        timer = compute_timer(target, facts, now)
        assert timer is not None
        open_time = OFFICE.seconds_between(facts.opened_at, now)
        assert 0 <= timer.elapsed_seconds <= open_time + 1e-6
        assert timer.elapsed_seconds + timer.paused_seconds == pytest.approx(open_time, abs=1e-6)
        assert timer.elapsed_seconds >= previous - 1e-6
        previous = timer.elapsed_seconds
