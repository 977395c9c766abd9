"""How two segments overlap: each one's size, the customers in both, and the Jaccard index."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer

__all__ = ["Overlap", "segment_overlap"]


@dataclass(frozen=True)
class Overlap:
    first: int
    second: int
    both: int

    @property
    def only_first(self) -> int:
        return self.first - self.both

    @property
    def only_second(self) -> int:
        return self.second - self.both

    @property
    def jaccard(self) -> Decimal | None:
        union = self.first + self.second - self.both
        return (Decimal(self.both) / Decimal(union)).quantize(Decimal("0.0001")) if union else None


async def segment_overlap(
    session: AsyncSession, first: Select[Any], second: Select[Any]
) -> Overlap:
    """One statement: each customer counted in the segments it is in."""
    in_first = Customer.id.in_(first)
    in_second = Customer.id.in_(second)
    statement = select(
        func.count().filter(in_first),
        func.count().filter(in_second),
        func.count().filter(in_first & in_second),
    ).where(Customer.deleted_at.is_(None))
    row = (await session.execute(statement)).one()
    return Overlap(int(row[0]), int(row[1]), int(row[2]))
