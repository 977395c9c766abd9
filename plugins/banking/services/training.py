"""Training records: courses a manager completed and the points they earn toward renewal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import ErrorCode, FieldError, Operation, ValidationFailed
from rapport.plugins.banking.access import today
from rapport.plugins.banking.events import TrainingRecorded
from rapport.plugins.banking.models import TrainingRecord
from rapport.plugins.banking.periods import Period
from rapport.plugins.banking.services.common import get_manager

__all__ = ["TrainingBalance", "record_training", "training_balance"]

MAX_POINTS = 1000


async def record_training(
    op: Operation, manager_user_id: uuid.UUID, course: str, points: int, completed_on: date
) -> TrainingRecord:
    errors: list[FieldError] = []
    course = " ".join(course.split())
    if not course:
        errors.append(FieldError("input.course", ErrorCode.REQUIRED, "name the course"))
    if not 0 < points <= MAX_POINTS:
        errors.append(FieldError("input.points", ErrorCode.INVALID, f"1 to {MAX_POINTS} points"))
    if completed_on > today():
        errors.append(
            FieldError("input.completedOn", ErrorCode.INVALID, "must not be in the future")
        )
    if errors:
        raise ValidationFailed(errors)
    await get_manager(op, manager_user_id, "input.managerId")
    row = TrainingRecord(
        workspace_id=op.workspace_id,
        manager_user_id=manager_user_id,
        course=course,
        points=points,
        completed_on=completed_on,
    )
    op.session.add(row)
    await op.session.flush()
    op.audit(
        "TrainingRecord", row.id, "create", {"course": [None, course], "points": [None, points]}
    )
    await op.emit(TrainingRecorded(id=row.id, manager_id=manager_user_id, points=points))
    return row


@dataclass(frozen=True)
class TrainingBalance:
    manager_user_id: uuid.UUID
    period: Period
    points: int
    courses: int
    minimum: int

    @property
    def meets_minimum(self) -> bool:
        return self.points >= self.minimum

    @property
    def shortfall(self) -> int:
        return max(self.minimum - self.points, 0)


async def training_balance(
    session: AsyncSession, manager_user_id: uuid.UUID, period: Period, minimum: int
) -> TrainingBalance:
    points, courses = (
        await session.execute(
            select(func.coalesce(func.sum(TrainingRecord.points), 0), func.count()).where(
                TrainingRecord.manager_user_id == manager_user_id,
                TrainingRecord.completed_on >= period.start,
                TrainingRecord.completed_on < period.end,
            )
        )
    ).one()
    return TrainingBalance(manager_user_id, period, int(points), int(courses), minimum)
