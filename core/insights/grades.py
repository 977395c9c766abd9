"""Value grade A-D from realised value and RFM, against the workspace's thresholds."""

from __future__ import annotations

from decimal import Decimal

from rapport.core.insights.rfm import RfmScore
from rapport.core.insights.settings import InsightSettings

__all__ = ["VALUE_GRADES", "grade_of"]

VALUE_GRADES = ("A", "B", "C", "D")


def grade_of(realised: Decimal, rfm: RfmScore | None, settings: InsightSettings) -> str:
    """The best grade whose threshold ``realised`` reaches; "A" also asks for a strong RFM."""
    thresholds = settings.grade_thresholds
    value = float(realised)
    strong = rfm is not None and rfm.total >= settings.grade_a_min_rfm
    if value >= thresholds["A"] and strong:
        return "A"
    if value >= thresholds["B"]:
        return "B"
    if value >= thresholds["C"]:
        return "C"
    return "D"
