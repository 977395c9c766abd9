"""SLA timers of real cases, through the API, each expectation computed by hand.

The office calendar is Europe/Paris, Monday to Friday 09-12 and 13-17 (seven hours a day);
Monday 2 March 2026 starts every story unless said otherwise. Cases are typed in after the
fact (``openedAt`` and each move's ``at``), so the stories lie in the past and every timer
is the one a person would compute from them.
"""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.service.helpers import (
    ALL_WEEK,
    ERRORS,
    calendar,
    customer,
    entry,
    instant,
    moved,
    ok,
    open_case,
    paris,
    policy,
    target,
    timer,
)

UPDATE = (
    "mutation($id: ID!, $i: UpdateCaseInput!) { updateCase(id: $id, input: $i) { case { id policyId timers { metric targetAt state breachedAt } } "
    + ERRORS
    + " } }"
)
ADD_DAY = (
    "mutation($c: ID!, $i: CalendarDayInput!) { addCalendarDay(calendarId: $c, input: $i) { calendar { id days { firstDay lastDay } } "
    + ERRORS
    + " } }"
)


async def _office(client: Client, hours: int = 8, country: str | None = None) -> str:
    calendar_id = await calendar(client, country=country)
    await policy(
        client, "Standard", 10, [target("RESOLUTION", hours * 60), target("FIRST_RESPONSE", 60)]
    )
    return calendar_id


async def test_pause_and_resume_and_several_pauses(client: Client) -> None:
    await _office(client)
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    assert instant(timer(case, "RESOLUTION")["targetAt"]) == instant(paris(2026, 3, 3, 10))
    case = await moved(client, "startCase", case["id"], at=paris(2026, 3, 2, 9, 30))
    case = await moved(client, "waitOnCustomer", case["id"], at=paris(2026, 3, 2, 10))
    paused = timer(case, "RESOLUTION")
    assert (paused["state"], paused["targetAt"]) == ("PAUSED", None)
    case = await moved(client, "startCase", case["id"], at=paris(2026, 3, 2, 14))
    # Counting Monday 9-10 and 14-17 (4h), Tuesday 9-12 (7h), 13-14 (8h).
    resumed = timer(case, "RESOLUTION")
    assert instant(resumed["targetAt"]) == instant(paris(2026, 3, 3, 14))
    # A second pause, on the third party, Tuesday 10:00 to Wednesday 09:30: 6.5h come off.
    case = await moved(client, "waitOnThirdParty", case["id"], at=paris(2026, 3, 3, 10))
    case = await moved(client, "startCase", case["id"], at=paris(2026, 3, 4, 9, 30))
    # 4h Monday + Tuesday 9-10 (5h); Wednesday from 09:30: 9:30-12 (7.5h), 13:00-13:30 (8h).
    again = timer(case, "RESOLUTION")
    assert instant(again["targetAt"]) == instant(paris(2026, 3, 4, 13, 30))
    assert again["pausedSeconds"] == (3 + 6) * 3600 + 1800
    case = await moved(client, "resolveCase", case["id"], at=paris(2026, 3, 4, 11))
    met = timer(case, "RESOLUTION")
    assert (met["state"], met["elapsedSeconds"]) == ("MET", int(6.5 * 3600))


async def test_public_holidays_and_own_holidays(client: Client) -> None:
    calendar_id = await _office(client, hours=3, country="FR")
    await ok(client, ADD_DAY, {"c": calendar_id, "i": {"firstDay": "2026-05-04", "name": "Bridge"}})
    acme = await customer(client)
    # Thursday 30 April 16:00: 16-17, then 1 May (Labour Day) and 4 May (own) are closed,
    # so the remaining 2h run Tuesday 5 May 09:00-11:00.
    case = await open_case(client, acme, openedAt=paris(2026, 4, 30, 16))
    assert instant(timer(case, "RESOLUTION")["targetAt"]) == instant(paris(2026, 5, 5, 11))


async def test_calendar_edit_after_the_fact_recomputes_open_cases(client: Client) -> None:
    calendar_id = await _office(client)
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    # Tuesday 3 March declared closed afterwards: Monday's 7h, then Wednesday 09:00-10:00.
    await ok(client, ADD_DAY, {"c": calendar_id, "i": {"firstDay": "2026-03-03"}})
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { timers { metric targetAt } } } }",
        {"id": case["id"]},
    )
    assert instant(timer(data["node"], "RESOLUTION")["targetAt"]) == instant(paris(2026, 3, 4, 10))


async def test_case_created_outside_business_hours(client: Client) -> None:
    await _office(client)
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 7, 20))
    first = timer(case, "FIRST_RESPONSE")
    assert instant(first["targetAt"]) == instant(paris(2026, 3, 9, 10))
    # A reply Monday 09:40 meets it, and the timer row says so at once.
    replied = await entry(client, case["id"], "PUBLIC_REPLY", paris(2026, 3, 9, 9, 40))
    met = timer(replied["case"], "FIRST_RESPONSE")
    assert (met["state"], met["elapsedSeconds"]) == ("MET", 40 * 60)
    assert instant(replied["case"]["firstResponseAt"]) == instant(paris(2026, 3, 9, 9, 40))


async def test_priority_change_mid_case_applies_the_new_policy_from_the_opening(
    client: Client,
) -> None:
    await _office(client)
    await policy(
        client, "Urgent", 1, [target("RESOLUTION", 120)], conditions={"priorities": ["URGENT"]}
    )
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    assert instant(timer(case, "RESOLUTION")["targetAt"]) == instant(paris(2026, 3, 3, 10))
    changed = await ok(client, UPDATE, {"id": case["id"], "i": {"priority": "URGENT"}})
    urgent = timer(changed["case"], "RESOLUTION")
    # Two hours from Monday 09:00, long past by now: breached at 11:00.
    assert changed["case"]["policyId"] != case["policyId"]
    assert urgent["state"] == "BREACHED"
    assert instant(urgent["breachedAt"]) == instant(paris(2026, 3, 2, 11))
    assert not any(t["metric"] == "FIRST_RESPONSE" for t in changed["case"]["timers"])


async def test_reopen_resumes_the_resolution_timer(client: Client) -> None:
    await _office(client)
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    case = await moved(client, "startCase", case["id"], at=paris(2026, 3, 2, 9))
    case = await moved(client, "resolveCase", case["id"], at=paris(2026, 3, 2, 11))
    assert timer(case, "RESOLUTION")["state"] == "MET"
    case = await moved(client, "reopenCase", case["id"], at=paris(2026, 3, 4, 9))
    # 2h before the resolve; Wednesday 9-12 and 13-16 make up the other 6h.
    reopened = timer(case, "RESOLUTION")
    assert instant(reopened["targetAt"]) == instant(paris(2026, 3, 4, 16))
    assert reopened["completedAt"] is None
    assert (case["reopenCount"], case["resolvedAt"]) == (1, None)


async def test_all_week_calendar_across_midnight_and_the_spring_forward_night(
    client: Client,
) -> None:
    calendar_id = await calendar(client, "Always", hours=ALL_WEEK)
    await policy(client, "Night desk", 1, [target("RESOLUTION", 5 * 60)], calendar_id=calendar_id)
    acme = await customer(client)
    # Saturday 28 March 23:00 + 5 real hours = Sunday 05:00 CEST (03:00 UTC): 04:00 never was.
    case = await open_case(client, acme, openedAt=paris(2026, 3, 28, 23))
    assert instant(timer(case, "RESOLUTION")["targetAt"]) == instant("2026-03-29T03:00:00+00:00")
    # And on the autumn night 03:00 comes twice: 23:00 + 5h = 03:00 CET (02:00 UTC).
    autumn = await open_case(client, acme, openedAt=paris(2026, 10, 24, 23))
    assert instant(timer(autumn, "RESOLUTION")["targetAt"]) == instant("2026-10-25T02:00:00+00:00")


async def test_calendar_time_targets_ignore_the_calendar(client: Client) -> None:
    await calendar(client)
    await policy(client, "Calendar", 1, [target("RESOLUTION", 24 * 60, businessHours=False)])
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 6, 18))
    assert instant(timer(case, "RESOLUTION")["targetAt"]) == instant(paris(2026, 3, 7, 18))


async def test_sla_status_gives_the_remaining_business_time(client: Client) -> None:
    await _office(client, hours=8)
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    case = await moved(client, "startCase", case["id"], at=paris(2026, 3, 2, 9))
    case = await moved(client, "waitOnCustomer", case["id"], at=paris(2026, 3, 2, 12))
    data = await client.query(
        "query($id: ID!) { slaStatus(caseId: $id) { policyId timers { metric state remainingSeconds "
        "elapsedSeconds targetSeconds businessHours } } }",
        {"id": case["id"]},
    )
    resolution = next(t for t in data["slaStatus"]["timers"] if t["metric"] == "RESOLUTION")
    # Paused since Monday 12:00 after three hours: five business hours remain, however long ago.
    assert resolution == {
        "metric": "RESOLUTION",
        "state": "PAUSED",
        "remainingSeconds": 5 * 3600,
        "elapsedSeconds": 3 * 3600,
        "targetSeconds": 8 * 3600,
        "businessHours": True,
    }


async def test_changing_weekly_hours_after_the_fact(client: Client) -> None:
    calendar_id = await _office(client)
    acme = await customer(client)
    case = await open_case(client, acme, openedAt=paris(2026, 3, 2, 9))
    # Monday to Friday 08:00-18:00 instead (ten hours a day): 8h end Monday 17:00.
    hours = [
        {"day": d, "start": "08:00", "end": "18:00"}
        for d in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    ]
    await ok(
        client,
        "mutation($id: ID!, $i: UpdateBusinessCalendarInput!) { updateBusinessCalendar(id: $id, input: $i) { calendar { id } "
        + ERRORS
        + " } }",
        {"id": calendar_id, "i": {"weeklyHours": hours}},
    )
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { timers { metric targetAt } } } }",
        {"id": case["id"]},
    )
    assert instant(timer(data["node"], "RESOLUTION")["targetAt"]) == instant(paris(2026, 3, 2, 17))


async def test_a_pause_across_a_holiday_does_not_shift_the_target_by_wall_time(
    client: Client,
) -> None:
    await _office(client, hours=8, country="FR")
    acme = await customer(client)
    # Thursday 30 April 09:00, work until 11:00 (2h), waiting from then until Monday 4 May
    # 10:00 (Friday 1 May is Labour Day). The remaining 6h run Monday 10-12 and 13-17.
    case = await open_case(client, acme, openedAt=paris(2026, 4, 30, 9))
    case = await moved(client, "startCase", case["id"], at=paris(2026, 4, 30, 9))
    case = await moved(client, "waitOnCustomer", case["id"], at=paris(2026, 4, 30, 11))
    case = await moved(client, "startCase", case["id"], at=paris(2026, 5, 4, 10))
    resolution = timer(case, "RESOLUTION")
    assert instant(resolution["targetAt"]) == instant(paris(2026, 5, 4, 17))
    # Paused in business time: Thursday 11-12 and 13-17 (5h), Monday 09-10 (1h).
    assert resolution["pausedSeconds"] == 6 * 3600
