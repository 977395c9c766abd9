"""A workspace's own status names, each mapped to one fixed category."""

from __future__ import annotations

from sqlalchemy import select

from rapport.core import Operation
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.models import CaseStatus
from rapport.plugins.service.services.common import Problems
from rapport.plugins.service.statuses import CATEGORIES

__all__ = ["create_status"]


async def create_status(op: Operation, name: str, category: str, position: int = 0) -> CaseStatus:
    problems = Problems()
    problems.required("name", name)
    problems.length("name", name, 60)
    problems.one_of("category", category, CATEGORIES)
    taken = await op.session.execute(select(CaseStatus.id).where(CaseStatus.name == name.strip()))
    if taken.first() is not None:
        problems.add("name", "a status already has this name", ServiceErrorCode.NAME_TAKEN)
    problems.raise_if_any()
    status = CaseStatus(
        workspace_id=op.workspace_id, name=name.strip(), category=category, position=position
    )
    op.session.add(status)
    await op.session.flush()
    op.audit(
        "CaseStatus",
        status.id,
        "create",
        {"name": [None, status.name], "category": [None, category]},
    )
    return status
