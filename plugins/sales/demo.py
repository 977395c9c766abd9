"""Demo data for ``serve --demo``."""

from __future__ import annotations

from typing import Any


async def load_sales_demo(session: Any, workspace: Any, rng: Any) -> None:
    return None
