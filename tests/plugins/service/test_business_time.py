"""Business-time arithmetic, each case computed by hand beforehand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.plugins.service.business_time import BusinessCalendar, Window, parse_clock

PARIS = ZoneInfo("Europe/Paris")
OFFICE = {d: (Window.between("09:00", "12:00"), Window.between("13:00", "17:00")) for d in range(5)}


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def office(**kwargs: Any) -> BusinessCalendar:
    return BusinessCalendar("Europe/Paris", OFFICE, **kwargs)


HOUR = 3600


def test_several_windows_a_day() -> None:
    # Monday 2 March 2026: 09-12 and 13-17 is seven hours, the lunch hour is closed.
    assert office().seconds_between(paris(2026, 3, 2, 8), paris(2026, 3, 2, 18)) == 7 * HOUR
    assert office().add(paris(2026, 3, 2, 11), 2 * HOUR) == paris(2026, 3, 2, 14)


def test_created_outside_business_hours_starts_at_the_next_opening() -> None:
    # Monday 18:00: nothing counts until Tuesday 09:00, so one hour ends at 10:00.
    assert office().add(paris(2026, 3, 2, 18), HOUR) == paris(2026, 3, 3, 10)
    # Saturday night: the next opening is Monday.
    assert office().add(paris(2026, 3, 7, 23), HOUR) == paris(2026, 3, 9, 10)
    assert office().seconds_between(paris(2026, 3, 6, 17), paris(2026, 3, 9, 9)) == 0


def test_public_holidays_from_the_library_are_closed() -> None:
    # Friday 1 May 2026 is Labour Day in France: Thursday 16-17 then Monday 09-10.
    calendar = office(closed=holidays.country_holidays("FR"))
    assert calendar.add(paris(2026, 4, 30, 16), 2 * HOUR) == paris(2026, 5, 4, 10)
    assert calendar.seconds_between(paris(2026, 5, 1, 0), paris(2026, 5, 2, 0)) == 0


def test_own_holidays_are_closed_and_exceptions_open_with_their_own_hours() -> None:
    # The workspace closes Tuesday 3 March; Wednesday 4 March opens 10-12 only.
    calendar = office(
        closed=frozenset({date(2026, 3, 3)}),
        exceptions={date(2026, 3, 4): (Window.between("10:00", "12:00"),)},
    )
    assert calendar.seconds_between(paris(2026, 3, 3, 0), paris(2026, 3, 5, 0)) == 2 * HOUR
    # Monday 16:00 + 4h: Monday 16-17, Wednesday 10-12, Thursday 09-10.
    assert calendar.add(paris(2026, 3, 2, 16), 4 * HOUR) == paris(2026, 3, 5, 10)
    # An exception wins over a holiday: opening on a closed date.
    reopened = office(
        closed=frozenset({date(2026, 3, 3)}),
        exceptions={date(2026, 3, 3): (Window.between("09:00", "10:00"),)},
    )
    assert reopened.seconds_between(paris(2026, 3, 3, 0), paris(2026, 3, 4, 0)) == HOUR


def test_a_window_crossing_midnight_runs_into_the_next_day() -> None:
    # A night desk Monday to Friday 22:00-06:00: Friday's shift ends Saturday 06:00.
    night = BusinessCalendar(
        "Europe/Paris", {d: (Window.between("22:00", "06:00"),) for d in range(5)}
    )
    assert night.add(paris(2026, 3, 6, 23), 4 * HOUR) == paris(2026, 3, 7, 3)
    assert night.seconds_between(paris(2026, 3, 6, 12), paris(2026, 3, 7, 12)) == 8 * HOUR
    # Saturday has no shift of its own: Saturday 07:00 + 1h is Monday 23:00.
    assert night.add(paris(2026, 3, 7, 7), HOUR) == paris(2026, 3, 9, 23)
    # A holiday closes the shift that starts on it, not the one that runs into it.
    closed_saturday = BusinessCalendar(
        "Europe/Paris",
        {d: (Window.between("22:00", "06:00"),) for d in range(5)},
        closed=frozenset({date(2026, 3, 7)}),
    )
    assert closed_saturday.add(paris(2026, 3, 6, 23), 4 * HOUR) == paris(2026, 3, 7, 3)


def test_all_week_never_loses_a_minute_at_midnight() -> None:
    always = BusinessCalendar(
        "Europe/Paris", {d: (Window.between("00:00", "24:00"),) for d in range(7)}
    )
    start = paris(2026, 3, 2, 23, 59)
    assert always.seconds_between(start, start + timedelta(minutes=2)) == 120
    assert always.add(start, 120) == paris(2026, 3, 3, 0, 1)
    assert always.seconds_between(paris(2026, 3, 2), paris(2026, 3, 9)) == 7 * 24 * HOUR
    assert always.is_open(paris(2026, 3, 3, 0, 0))


def test_spring_forward_day_is_23_hours_long_and_fall_back_25() -> None:
    always = BusinessCalendar(
        "Europe/Paris", {d: (Window.between("00:00", "24:00"),) for d in range(7)}
    )
    # Sunday 29 March 2026 02:00 -> 03:00; Sunday 25 October 03:00 -> 02:00.
    assert always.seconds_between(paris(2026, 3, 29), paris(2026, 3, 30)) == 23 * HOUR
    assert always.seconds_between(paris(2026, 10, 25), paris(2026, 10, 26)) == 25 * HOUR
    # A 01:00-04:00 window holds two real hours in March and four in October.
    early = BusinessCalendar("Europe/Paris", {6: (Window.between("01:00", "04:00"),)})
    assert early.seconds_between(paris(2026, 3, 29), paris(2026, 3, 30)) == 2 * HOUR
    assert early.seconds_between(paris(2026, 10, 25), paris(2026, 10, 26)) == 4 * HOUR


def test_office_hours_across_a_transition_use_each_days_own_offset() -> None:
    # Friday 27 March (UTC+1) to Monday 30 March (UTC+2): two full days, 14 hours, not 13 or 15.
    assert office().seconds_between(paris(2026, 3, 27, 9), paris(2026, 3, 30, 17)) == 14 * HOUR
    # Friday 16:00 + 2h lands Monday 10:00 local, which is 08:00 UTC after the change.
    end = office().add(paris(2026, 3, 27, 16), 2 * HOUR)
    assert end == datetime(2026, 3, 30, 8, tzinfo=UTC)
    # Same in autumn: Friday 23 October (UTC+2) 16:00 + 2h is Monday 26 October 10:00 (UTC+1).
    assert office().add(paris(2026, 10, 23, 16), 2 * HOUR) == datetime(2026, 10, 26, 9, tzinfo=UTC)


def test_bad_windows_and_clocks_are_refused() -> None:
    for text in ("9", "25:00", "09:60", "ab:cd", "9:5"):
        with pytest.raises(ValueError, match=r"HH:MM|time of day"):
            parse_clock(text)
    with pytest.raises(ValueError, match="24:00"):
        Window.between("24:00", "01:00")
    with pytest.raises(ValueError, match="ends after"):
        Window(600, 600)
    assert Window.between("22:00", "06:00").label() == ("22:00", "06:00")
    assert Window.between("00:00", "24:00").label() == ("00:00", "24:00")


def test_a_calendar_that_never_opens_gives_no_end() -> None:
    assert BusinessCalendar("UTC", {}).add(paris(2026, 3, 2), 60) is None


ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    weekly: dict[int, tuple[Window, ...]] = {}
    for day in range(7):
        windows = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(0, 1439))
            windows.append(Window(start, start + draw(st.integers(1, 1440))))
        weekly[day] = tuple(windows)
    closed = frozenset(draw(st.lists(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20)))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), weekly, closed=closed)


instants = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, st.integers(0, 20 * 24 * 3600), st.integers(0, 20 * 24 * 3600))
def test_business_time_never_exceeds_wall_time_and_never_decreases(
    calendar: BusinessCalendar, start: datetime, first: int, more: int
) -> None:
    middle = start + timedelta(seconds=first)
    end = middle + timedelta(seconds=more)
    to_middle = calendar.seconds_between(start, middle)
    to_end = calendar.seconds_between(start, end)
    assert 0 <= to_middle <= first
    assert to_middle <= to_end <= first + more
    # Splitting an interval loses nothing and adds nothing.
    assert to_end == pytest.approx(to_middle + calendar.seconds_between(middle, end), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, st.integers(1, 5 * 24 * 3600))
def test_adding_business_time_is_the_inverse_of_measuring_it(
    calendar: BusinessCalendar, start: datetime, seconds: int
) -> None:
    end = calendar.add(start, seconds)
    if end is None:
        return
    assert end >= start
    assert calendar.seconds_between(start, end) == pytest.approx(seconds, abs=1e-6)
