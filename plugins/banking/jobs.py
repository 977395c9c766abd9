"""Background work run by ``rapport worker``."""

from __future__ import annotations

from rapport.core import JobContext
from rapport.plugins.banking.services.ratings import raise_overdue_review_tasks

__all__ = ["REVIEW_JOB_SECONDS", "raise_overdue_reviews"]

REVIEW_JOB_SECONDS = 3600


async def raise_overdue_reviews(context: JobContext) -> int:
    """Raise the overdue review tasks of every workspace; returns how many were created."""
    created = 0
    async for op in context.each_workspace():
        created += len(await raise_overdue_review_tasks(op))
    return created
