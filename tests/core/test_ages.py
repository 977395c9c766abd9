"""Ages in Python and in SQL agree, birthdays (29 February too) included, on both engines."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from rapport.core.ages import age_band_of, age_band_sql, age_of
from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.sql import age_on
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace

CASES = [
    # (born, on, age)
    (date(2000, 2, 29), date(2018, 2, 28), 17),
    (date(2000, 2, 29), date(2018, 3, 1), 18),
    (date(2000, 2, 29), date(2020, 2, 29), 20),
    (date(1990, 6, 15), date(2025, 6, 14), 34),
    (date(1990, 6, 15), date(2025, 6, 15), 35),
    (date(1990, 12, 31), date(2025, 1, 1), 34),
]


def test_python_ages() -> None:
    for born, on, age in CASES:
        assert age_of(born, on) == age, (born, on)
    assert [age_band_of(a) for a in (0, 17, 18, 24, 25, 64, 65, 120)] == [
        "under_18",
        "under_18",
        "18_24",
        "18_24",
        "25_34",
        "55_64",
        "65_plus",
        "65_plus",
    ]


async def test_sql_ages_match_python(runtime: Runtime) -> None:
    workspace = await create_workspace(runtime, f"ages-{uuid.uuid4().hex[:8]}")
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        for born in dict.fromkeys(born for born, _on, _age in CASES):
            session.add(Customer(kind="person", display_name=str(born), birth_date=born))
        session.add(Customer(kind="person", display_name="unknown"))
    async with tenant_session(runtime.sessions, workspace.id) as session:
        for born, on, age in CASES:
            row = (
                await session.execute(
                    select(
                        age_on(Customer.birth_date, on), age_band_sql(Customer.birth_date, on)
                    ).where(Customer.birth_date == born)
                )
            ).one()
            assert tuple(row) == (age, age_band_of(age)), (born, on)
        unknown = await session.execute(
            select(age_band_sql(Customer.birth_date, date(2025, 1, 1))).where(
                Customer.birth_date.is_(None)
            )
        )
        assert unknown.scalar_one() is None
