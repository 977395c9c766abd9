"""Money columns are exact on both engines: amounts round-trip, sum and compare as decimals,
and SQLite databases of before are converted to whole cents by their migration."""

from __future__ import annotations

from decimal import Decimal

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, Integer, MetaData, Numeric, Table, create_engine, func, select, text

from rapport.core.money_column import Money, convert_stored_money, money_text
from rapport.core.runtime import Runtime

AMOUNTS = [Decimal("0.1"), Decimal("0.2"), Decimal("9999999999999.99"), Decimal("-0.05")]


def _table(name: str) -> tuple[MetaData, Table]:
    metadata = MetaData()
    table = Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("amount", Money()),
        Column("share", Numeric(8, 4)),
    )
    return metadata, table


async def test_amounts_round_trip_sum_and_compare_exactly(runtime: Runtime) -> None:
    metadata, table = _table("scratch_money_exact")
    async with runtime.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        async with runtime.engine.begin() as connection:
            rows = [{"id": i, "amount": a, "share": "0.5"} for i, a in enumerate(AMOUNTS)]
            await connection.execute(table.insert(), rows)
            dialect = connection.dialect.name
            read = await connection.execute(
                select(table.c.amount, money_text(table.c.amount, dialect)).order_by(table.c.id)
            )
            assert [tuple(row) for row in read] == [
                (Decimal("0.10"), "0.10"),
                (Decimal("0.20"), "0.20"),
                (Decimal("9999999999999.99"), "9999999999999.99"),
                (Decimal("-0.05"), "-0.05"),
            ]
            first_two = table.c.id < 2
            total = await connection.scalar(select(func.sum(table.c.amount)).where(first_two))
            assert total == Decimal("0.30")
            assert str(total) == "0.30"
            whole = await connection.scalar(select(func.sum(table.c.amount)))
            assert whole == Decimal("10000000000000.24")
            above = select(table.c.id).where(table.c.amount > Decimal("0.15")).order_by(table.c.id)
            assert list(await connection.scalars(above)) == [1, 2]
            shifted = select(table.c.id).where(table.c.amount + Decimal("0.05") == Decimal("0.15"))
            assert list(await connection.scalars(shifted)) == [0]
            halves = await connection.scalar(
                select(func.sum(table.c.amount * table.c.share)).where(first_two)
            )
            assert halves.quantize(Decimal("0.01")) == Decimal("0.15")
            thirds = await connection.scalar(select(table.c.amount / 3).where(table.c.id == 1))
            assert thirds.quantize(Decimal("0.0001")) == Decimal("0.0667")
            if dialect == "sqlite":
                stored = await connection.scalars(
                    text("SELECT typeof(amount) || ':' || amount FROM scratch_money_exact")
                )
                assert sorted(stored) == sorted(
                    ["integer:10", "integer:20", "integer:999999999999999", "integer:-5"]
                )
    finally:
        async with runtime.engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)


def test_the_migration_turns_stored_floats_into_cents_and_back() -> None:
    engine = create_engine("sqlite://")
    _, table = _table("scratch_money_before")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE scratch_money_before (id INTEGER PRIMARY KEY, "
                "amount NUMERIC(18, 2), share NUMERIC(8, 4))"
            )
        )
        connection.execute(
            text(
                "INSERT INTO scratch_money_before VALUES (1, 12.34, 1), "
                "(2, 0.1, 1), (3, NULL, 1), (4, 9999999999999.99, 1)"
            )
        )
        with Operations.context(MigrationContext.configure(connection)):
            convert_stored_money({"scratch_money_before": ("amount",)})
        stored = connection.execute(
            text("SELECT typeof(amount), amount FROM scratch_money_before ORDER BY id")
        )
        assert [tuple(row) for row in stored] == [
            ("integer", 1234),
            ("integer", 10),
            ("null", None),
            ("integer", 999999999999999),
        ]
        amounts = connection.scalars(select(table.c.amount).order_by(table.c.id))
        assert list(amounts) == [
            Decimal("12.34"),
            Decimal("0.10"),
            None,
            Decimal("9999999999999.99"),
        ]
        with Operations.context(MigrationContext.configure(connection)):
            convert_stored_money({"scratch_money_before": ("amount",)}, to_cents=False)
        back = connection.scalars(text("SELECT amount FROM scratch_money_before ORDER BY id"))
        assert list(back) == [12.34, 0.1, None, 9999999999999.99]
