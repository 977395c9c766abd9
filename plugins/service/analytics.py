"""Service analytics, aggregated in SQL on both engines.

Formulas:

- service levels, per group (team, agent, category or priority of the case): *opened* =
  cases opened in the period; *resolved* = cases whose resolution is in the period; first
  response and resolution times are the SLA timers' elapsed time (business time when the
  target counts business hours), median and 90th percentile by nearest rank, over the timers
  completed in the period; *within SLA* = met / (met + breached) among those; *breaches* =
  timers breached in the period; *backlog* = open cases now, by age since opening.
- complaint summary: complaints opened in the period by category and root cause, against the
  same number of days just before (the trend).
- survey results, per group: invitations sent in the period, answers, response rate; CSAT % =
  answers of 4 or 5 / all CSAT answers; NPS = % promoters (9-10) - % detractors (0-6).

Percentiles are picked in SQL with ``ROW_NUMBER`` over each group (rank ceil(p x n)), which
both PostgreSQL and SQLite run; no engine-only aggregate is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.plugins.service.models import Case, SlaTimer, SurveyInvitation
from rapport.plugins.service.statuses import OPEN_CATEGORIES

__all__ = [
    "AGE_BUCKETS",
    "ComplaintRow",
    "LevelRow",
    "Period",
    "SurveyRow",
    "complaint_summary",
    "service_levels",
    "survey_results",
]

# (label, lower bound in days): open cases at least that old and younger than the next bound.
AGE_BUCKETS = (("UNDER_1_DAY", 0), ("1_TO_3_DAYS", 1), ("3_TO_7_DAYS", 3), ("OVER_7_DAYS", 7))


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def span(self) -> tuple[datetime, datetime]:
        """From the start of the first day to the end of the last (UTC), half open."""
        first = datetime.combine(self.start, time.min, tzinfo=UTC)
        return first, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def before(self) -> Period:
        days = (self.end - self.start).days + 1
        return Period(self.start - timedelta(days=days), self.start - timedelta(days=1))


@dataclass
class LevelRow:
    key: str | None
    opened: int = 0
    resolved: int = 0
    first_response_median: int | None = None
    first_response_p90: int | None = None
    resolution_median: int | None = None
    resolution_p90: int | None = None
    met: int = 0
    breached: int = 0
    breaches: int = 0
    backlog: dict[str, int] = field(default_factory=dict)

    @property
    def within_sla_percent(self) -> float | None:
        total = self.met + self.breached
        return round(100 * self.met / total, 1) if total else None


GROUPS = {
    "TEAM": lambda: Case.team,
    "AGENT": lambda: cast(Case.assignee_id, String),
    "CATEGORY": lambda: Case.category,
    "PRIORITY": lambda: Case.priority,
}


def _key(value: Any) -> str | None:
    if value is None:
        return None
    # An agent's id reads back from SQLite without dashes: always the dashed form.
    text = str(value)
    return (
        text
        if len(text) != 32
        else f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    )


async def _percentiles(
    session: AsyncSession, group: Any, metric: str, start: datetime, end: datetime
) -> dict[str | None, tuple[int, int]]:
    ranked = (
        select(
            group.label("key"),
            SlaTimer.elapsed_seconds.label("value"),
            func.row_number()
            .over(partition_by=group, order_by=SlaTimer.elapsed_seconds)
            .label("rank"),
            func.count().over(partition_by=group).label("n"),
        )
        .select_from(SlaTimer)
        .join(Case, Case.id == SlaTimer.case_id)
        .where(
            SlaTimer.metric == metric,
            SlaTimer.state.in_(["MET", "BREACHED"]),
            SlaTimer.completed_at >= start,
            SlaTimer.completed_at < end,
        )
        .subquery()
    )
    # Nearest rank: ceil(p x n) in integers, (p100 x n + 99) / 100.
    median_rank = (ranked.c.n * 50 + 99) // 100
    p90_rank = (ranked.c.n * 90 + 99) // 100
    statement = select(
        ranked.c.key,
        func.max(case((ranked.c.rank == median_rank, ranked.c.value))),
        func.max(case((ranked.c.rank == p90_rank, ranked.c.value))),
    ).group_by(ranked.c.key)
    return {_key(k): (int(m), int(p)) for k, m, p in await session.execute(statement)}


async def service_levels(
    session: AsyncSession, period: Period, group_by: str, now: datetime
) -> list[LevelRow]:
    start, end = period.span()
    group = GROUPS[group_by]()
    rows: dict[str | None, LevelRow] = {}

    def row(key: Any) -> LevelRow:
        found = rows.get(_key(key))
        if found is None:
            found = rows[_key(key)] = LevelRow(_key(key))
        return found

    opened = select(group, func.count()).where(Case.opened_at >= start, Case.opened_at < end)
    for key, count in await session.execute(opened.group_by(group)):
        row(key).opened = count
    resolved = select(group, func.count()).where(Case.resolved_at >= start, Case.resolved_at < end)
    for key, count in await session.execute(resolved.group_by(group)):
        row(key).resolved = count
    outcome = (
        select(
            group,
            func.sum(case((SlaTimer.state == "MET", 1), else_=0)),
            func.sum(case((SlaTimer.state == "BREACHED", 1), else_=0)),
        )
        .select_from(SlaTimer)
        .join(Case, Case.id == SlaTimer.case_id)
        .where(SlaTimer.completed_at >= start, SlaTimer.completed_at < end)
        .group_by(group)
    )
    for key, met, breached in await session.execute(outcome):
        row(key).met, row(key).breached = int(met or 0), int(breached or 0)
    breaches = (
        select(group, func.count())
        .select_from(SlaTimer)
        .join(Case, Case.id == SlaTimer.case_id)
        .where(SlaTimer.breached_at >= start, SlaTimer.breached_at < end)
        .group_by(group)
    )
    for key, count in await session.execute(breaches):
        row(key).breaches = count
    for metric, fields in (
        ("FIRST_RESPONSE", ("first_response_median", "first_response_p90")),
        ("RESOLUTION", ("resolution_median", "resolution_p90")),
    ):
        for key, (median, p90) in (await _percentiles(session, group, metric, start, end)).items():
            setattr(row(key), fields[0], median)
            setattr(row(key), fields[1], p90)
    bucket = case(
        *(
            (Case.opened_at <= now - timedelta(days=days), literal(label))
            for label, days in reversed(AGE_BUCKETS[1:])
        ),
        else_=literal(AGE_BUCKETS[0][0]),
    )
    backlog = (
        select(group, bucket, func.count())
        .where(Case.status_category.in_(sorted(OPEN_CATEGORIES)))
        .group_by(group, bucket)
    )
    for key, label, count in await session.execute(backlog):
        row(key).backlog[label] = count
    return sorted(rows.values(), key=lambda r: (r.key is None, r.key or ""))


@dataclass
class ComplaintRow:
    category: str | None
    root_cause: str | None
    count: int
    resolved: int
    previous_count: int

    @property
    def change(self) -> int:
        return self.count - self.previous_count


async def complaint_summary(session: AsyncSession, period: Period) -> list[ComplaintRow]:
    start, end = period.span()
    before, _ = period.before().span()
    in_period = and_(Case.opened_at >= start, Case.opened_at < end)
    in_before = and_(Case.opened_at >= before, Case.opened_at < start)
    statement = (
        select(
            Case.category,
            Case.root_cause,
            func.sum(case((in_period, 1), else_=0)),
            func.sum(case((and_(in_period, Case.resolved_at.is_not(None)), 1), else_=0)),
            func.sum(case((in_before, 1), else_=0)),
        )
        .where(Case.kind == "COMPLAINT", Case.opened_at >= before, Case.opened_at < end)
        .group_by(Case.category, Case.root_cause)
    )
    found = [
        ComplaintRow(category, cause, int(count or 0), int(solved or 0), int(previous or 0))
        for category, cause, count, solved, previous in await session.execute(statement)
    ]
    return sorted(found, key=lambda r: (-r.count, r.category or "", r.root_cause or ""))


@dataclass
class SurveyRow:
    key: str | None
    sent: int
    answered: int
    csat_answers: int
    csat_satisfied: int
    nps_answers: int
    promoters: int
    detractors: int

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None

    @property
    def csat_percent(self) -> float | None:
        return (
            round(100 * self.csat_satisfied / self.csat_answers, 1) if self.csat_answers else None
        )

    @property
    def nps(self) -> float | None:
        if not self.nps_answers:
            return None
        return round(100 * (self.promoters - self.detractors) / self.nps_answers, 1)


SURVEY_GROUPS = {
    "TEAM": lambda: SurveyInvitation.team,
    "AGENT": lambda: cast(SurveyInvitation.agent_id, String),
    "CATEGORY": lambda: SurveyInvitation.category,
    "PRIORITY": lambda: Case.priority,
}


async def survey_results(session: AsyncSession, period: Period, group_by: str) -> list[SurveyRow]:
    start, end = period.span()
    group = SURVEY_GROUPS[group_by]()
    answered = SurveyInvitation.responded_at.is_not(None)
    csat = and_(answered, SurveyInvitation.kind == "CSAT")
    nps = and_(answered, SurveyInvitation.kind == "NPS")

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    statement = (
        select(
            group,
            func.count(),
            count(answered),
            count(csat),
            count(and_(csat, SurveyInvitation.score >= 4)),
            count(nps),
            count(and_(nps, SurveyInvitation.score >= 9)),
            count(and_(nps, SurveyInvitation.score <= 6)),
        )
        .select_from(SurveyInvitation)
        .join(Case, Case.id == SurveyInvitation.case_id)
        .where(SurveyInvitation.sent_at >= start, SurveyInvitation.sent_at < end)
        .group_by(group)
    )
    found = [
        SurveyRow(_key(key), *(int(v or 0) for v in values))
        for key, *values in await session.execute(statement)
    ]
    return sorted(found, key=lambda r: (r.key is None, r.key or ""))
