"""Turning what a user typed into safe query fragments for each engine.

Only runs of letters and digits survive: quotes, operators (``*``, ``:``, ``&``, ``|``,
``NEAR``, parentheses) and punctuation of every script are separators, so no input can change
the shape of a full-text query. The fragments are still passed as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_QUERY_LENGTH", "QueryTerms", "parse_query"]

MAX_QUERY_LENGTH = 256
MAX_TERMS = 8
MAX_TERM_LENGTH = 64
# Letters and digits of any script; the underscore is a separator, as in both tokenizers.
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class QueryTerms:
    text: str
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def tsquery(self) -> str:
        """PostgreSQL: every term as a prefix, all required (``to_tsquery('simple', ...)``)."""
        return " & ".join(f"'{term}':*" for term in self.terms)

    def fts5_match(self, workspace_token: str) -> str:
        """SQLite FTS5: the workspace token and every term as a prefix, all required."""
        words = " AND ".join(f'"{term}"*' for term in self.terms)
        return f'workspace_id : "{workspace_token}" AND ({words})'

    def fts5_any(self, workspace_token: str, prefix: int) -> str:
        """SQLite FTS5: the workspace token and any term's first ``prefix`` letters."""
        words = " OR ".join(f'"{term[:prefix]}"*' for term in self.terms)
        return f'workspace_id : "{workspace_token}" AND ({words})'

    def like_contains(self) -> str:
        """A LIKE pattern (escape ``\\``) for the whole text as a substring."""
        escaped = self.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


def parse_query(text: str) -> QueryTerms:
    # Control characters (NUL above all, which PostgreSQL refuses in text) carry no meaning.
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(printable.split())[:MAX_QUERY_LENGTH]
    terms = [term[:MAX_TERM_LENGTH] for term in WORD.findall(text.lower())]
    return QueryTerms(text, tuple(dict.fromkeys(terms))[:MAX_TERMS])
