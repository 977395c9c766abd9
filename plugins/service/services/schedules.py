"""Periodic callbacks: service schedules that create a visit or a task at each occurrence of
a core recurrence rule. The worker creates what is due; a schedule's row is claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never create the same occurrence."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from rapport.core import Operation, TaskFields, create_task, get_customer, parse_recurrence, utcnow
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.models import Asset, ServiceSchedule
from rapport.plugins.service.services.common import Problems, moment
from rapport.plugins.service.services.visits import VisitFields, create_visit

__all__ = ["ScheduleFields", "create_due_callbacks", "create_schedule"]


@dataclass
class ScheduleFields:
    customer_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    subject: str | None = None
    creates: str | None = None
    recurrence: str | None = None
    first_at: datetime | None = None


async def create_schedule(op: Operation, data: ScheduleFields) -> ServiceSchedule:
    problems = Problems()
    problems.required("subject", data.subject)
    problems.required("recurrence", data.recurrence)
    problems.required("firstAt", data.first_at)
    problems.one_of("creates", data.creates or "VISIT", ("VISIT", "TASK"))
    rule = None
    if data.recurrence:
        try:
            rule = parse_recurrence(data.recurrence)
        except ValueError as exc:
            problems.add("recurrence", str(exc))
    asset = await problems.exists(op, "assetId", Asset, data.asset_id, "asset")
    await problems.user(op, "ownerId", data.owner_id)
    customer_id = data.customer_id or (asset.customer_id if asset is not None else None)
    if asset is not None and customer_id != asset.customer_id:
        problems.add(
            "assetId", "the asset belongs to another customer", ServiceErrorCode.CUSTOMER_MISMATCH
        )
    if customer_id is None and not problems.errors:
        problems.add("customerId", "give a customer or an asset")
    problems.raise_if_any()
    assert customer_id is not None
    assert rule is not None
    customer = await get_customer(op, customer_id, "input.customerId")
    schedule = ServiceSchedule(
        workspace_id=op.workspace_id,
        customer_id=customer.id,
        asset_id=data.asset_id,
        owner_id=data.owner_id,
        subject=(data.subject or "").strip(),
        creates=data.creates or "VISIT",
        recurrence=rule.as_rule(),
        next_at=moment(data.first_at),
    )
    op.session.add(schedule)
    await op.session.flush()
    op.audit(
        "ServiceSchedule",
        schedule.id,
        "create",
        {"recurrence": [None, schedule.recurrence]},
        customer_id=customer.id,
    )
    return schedule


async def create_due_callbacks(op: Operation, now: datetime | None = None) -> list[Any]:
    """Create every occurrence that has come, advancing each schedule past ``now``."""
    now = now or utcnow()
    statement = (
        select(ServiceSchedule)
        .where(ServiceSchedule.active, ServiceSchedule.next_at <= now)
        .order_by(ServiceSchedule.next_at, ServiceSchedule.id)
    )
    if op.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    created: list[Any] = []
    for schedule in (await op.session.execute(statement)).scalars().all():
        rule = parse_recurrence(schedule.recurrence)
        while schedule.active and schedule.next_at <= now:
            created.append(await _occurrence(op, schedule))
            schedule.created_count += 1
            schedule.next_at = rule.next_after(schedule.next_at)
            if rule.count is not None and schedule.created_count >= rule.count:
                schedule.active = False
    await op.session.flush()
    return created


async def _occurrence(op: Operation, schedule: ServiceSchedule) -> Any:
    if schedule.creates == "TASK":
        return await create_task(
            op,
            TaskFields(
                title=schedule.subject,
                customer_id=schedule.customer_id,
                due_at=schedule.next_at,
                assignee_id=schedule.owner_id,
                link_type="ServiceSchedule",
                link_id=schedule.id,
            ),
        )
    return await create_visit(
        op,
        VisitFields(
            subject=schedule.subject,
            customer_id=schedule.customer_id,
            asset_id=schedule.asset_id,
            technician_id=schedule.owner_id,
            schedule_id=schedule.id,
        ),
    )
