"""A time comparison SQLite and PostgreSQL spell differently, compiled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["not_before_days"]


class _NotBeforeDays(FunctionElement[bool]):
    """``moment >= reference - days``: days a whole number, written into the SQL."""

    type = Boolean()
    inherit_cache = True
    name = "not_before_days"


def not_before_days(moment: Any, reference: Any, days: int) -> _NotBeforeDays:
    return _NotBeforeDays(moment, reference, int(days))


def _parts(element: _NotBeforeDays, compiler: Any, **kw: Any) -> tuple[str, str, int]:
    moment, reference, days = list(element.clauses)
    return (
        compiler.process(moment, **kw),
        compiler.process(reference, **kw),
        int(days.value),
    )


@compiles(_NotBeforeDays, "postgresql")
def _postgresql(element: _NotBeforeDays, compiler: Any, **kw: Any) -> str:
    moment, reference, days = _parts(element, compiler, **kw)
    return f"({moment} >= {reference} - INTERVAL '{days} days')"


@compiles(_NotBeforeDays)
def _default(element: _NotBeforeDays, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as text that julianday() reads; days are its unit.
    moment, reference, days = _parts(element, compiler, **kw)
    return f"(julianday({moment}) >= julianday({reference}) - {days})"
