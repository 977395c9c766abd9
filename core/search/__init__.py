"""Full-text search over customers, contact points and interactions, one workspace at a time.

PostgreSQL uses full-text expression indexes plus pg_trgm (fuzzy names, substrings of emails
and phones); SQLite uses FTS5 (prefix matches). The indexes are made by revision ``core_0002``
and kept current by the database itself, so every write path (services, bulk import, merges,
plugins writing directly) is searchable at once.
"""

from rapport.core.search.hits import SearchKind
from rapport.core.search.service import SearchHit, search, similar_names

__all__ = ["SearchHit", "SearchKind", "search", "similar_names"]
