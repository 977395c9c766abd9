"""A short plain-text excerpt around the first place a search term occurs.

Plain text on purpose: the API's clients render it, and customer notes may contain markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["snippet"]

WIDTH = 120


def _fold(text: str) -> str:
    """Lower case without diacritics, keeping one character per character of ``text``."""
    return "".join(
        unicodedata.normalize("NFKD", ch)[0].lower() if ch.isalpha() else ch.lower() for ch in text
    )


def snippet(texts: Iterable[str | None], terms: Iterable[str]) -> str:
    """The first text containing a term, cut to about ``WIDTH`` characters around it."""
    folded_terms = [_fold(term) for term in terms if term]
    candidates = [" ".join(text.split()) for text in texts if text and text.strip()]
    for text in candidates:
        folded = _fold(text)
        positions = [p for p in (folded.find(t) for t in folded_terms) if p >= 0]
        if not positions:
            continue
        start = max(0, min(positions) - WIDTH // 3)
        excerpt = text[start : start + WIDTH]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + WIDTH < len(text) else ""
        return f"{prefix}{excerpt.strip()}{suffix}"
    return candidates[0][:WIDTH] if candidates else ""
