"""Named RFM segments, from the three scores: the first rule that holds names the segment."""

from __future__ import annotations

from rapport.core.insights.rfm import RfmScore

__all__ = ["LAPSED", "SEGMENTS", "segment_of"]

# Customers who bought before the window but not in it.
LAPSED = "lost"

SEGMENTS: dict[str, str] = {
    "champions": "bought recently, often and the most",
    "loyal": "buy often, and not long ago",
    "at_risk": "used to buy often, but not lately",
    "lost": "bought little, long ago (or only before the window)",
    "hibernating": "bought little, a while ago",
    "new": "bought for the first time, recently",
    "promising": "bought recently, a few times",
    "needs_attention": "middling on every count",
}


def segment_of(score: RfmScore) -> str:
    r, f, m = score.recency, score.frequency_score, score.monetary_score
    if r >= 4 and f >= 4 and m >= 4:
        return "champions"
    if r >= 3 and f >= 4:
        return "loyal"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r == 1 and f <= 2:
        return "lost"
    if r <= 2:
        return "hibernating"
    if r >= 4 and f == 1:
        return "new"
    if r >= 4:
        return "promising"
    return "needs_attention"
