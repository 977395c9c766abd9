"""Books of business: assigning clients to managers, ending and reassigning, with history.

An assignment is valid for ``[valid_from, valid_to)``. Nothing is deleted: ending an assignment
sets ``valid_to``, and a reassignment ends the old row and opens a new one on the same day, so
"who managed this client on 3 March" is always answerable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import (
    OPEN_TASK_STATUSES,
    AuditEntry,
    Conflict,
    DomainEvent,
    ErrorCode,
    FieldError,
    NotFound,
    Operation,
    Relationship,
    Task,
    TaskFields,
    User,
    ValidationFailed,
    create_task,
    update_task,
)
from rapport.plugins.banking.access import HOUSEHOLD_MEMBER, MANAGER_ROLE, TEAM_LEAD_ROLE, today
from rapport.plugins.banking.error_codes import BankingErrorCode
from rapport.plugins.banking.events import AssignmentEnded, BookReassigned, ClientAssigned
from rapport.plugins.banking.models import Assignment, Household, RelationshipManager
from rapport.plugins.banking.services.common import get_manager, require_client

__all__ = [
    "ASSIGNMENT_ROLES",
    "AssignmentFields",
    "BookMove",
    "assign_client",
    "assign_creator",
    "book_of",
    "end_assignment",
    "primary_managers",
    "reassign_book",
]

ASSIGNMENT_ROLES = ("primary", "backup", "specialist")
PRIMARY = "primary"


@dataclass
class AssignmentFields:
    manager_user_id: uuid.UUID
    role: str = PRIMARY
    customer_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    valid_from: date | None = None


@dataclass
class BookMove:
    """What a reassignment did: the rows it closed and the rows it opened."""

    closed: list[Assignment]
    opened: list[Assignment]
    tasks_moved: int


def _client_is(
    customer_id: uuid.UUID | None, household_id: uuid.UUID | None
) -> ColumnElement[bool]:
    if customer_id is not None:
        return Assignment.customer_id == customer_id
    return Assignment.household_id == household_id


def _overlapping(day: date) -> ColumnElement[bool]:
    """Rows still valid on or after ``day``."""
    return or_(Assignment.valid_to.is_(None), Assignment.valid_to > day)


async def assign_client(
    op: Operation, data: AssignmentFields, prefix: str = "input."
) -> Assignment:
    errors: list[FieldError] = []
    if data.role not in ASSIGNMENT_ROLES:
        errors.append(
            FieldError(
                f"{prefix}role", ErrorCode.INVALID, f"must be one of {', '.join(ASSIGNMENT_ROLES)}"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    await get_manager(op, data.manager_user_id, f"{prefix}managerId")
    await require_client(op, data.customer_id, data.household_id, prefix)
    start = data.valid_from or today()
    client = _client_is(data.customer_id, data.household_id)
    same = select(Assignment).where(client, _overlapping(start))
    if data.role == PRIMARY:
        clash = (await op.session.execute(same.where(Assignment.role == PRIMARY))).scalars().first()
        if clash is not None:
            raise Conflict(
                f"{prefix}role",
                "the client has a primary manager for that date; reassign or end it first",
            )
    else:
        clash = (
            (
                await op.session.execute(
                    same.where(
                        Assignment.role == data.role,
                        Assignment.manager_user_id == data.manager_user_id,
                    )
                )
            )
            .scalars()
            .first()
        )
        if clash is not None:
            raise Conflict(f"{prefix}managerId", f"already the client's {data.role} manager")
    row = Assignment(
        workspace_id=op.workspace_id,
        manager_user_id=data.manager_user_id,
        customer_id=data.customer_id,
        household_id=data.household_id,
        role=data.role,
        valid_from=start,
        created_by_id=op.actor.user_id,
    )
    op.session.add(row)
    await op.session.flush()
    op.audit(
        "Assignment",
        row.id,
        "create",
        {"managerId": [None, str(row.manager_user_id)], "role": [None, row.role]},
        customer_id=row.customer_id,
    )
    await op.emit(
        ClientAssigned(
            id=row.id,
            manager_id=row.manager_user_id,
            customer_id=row.customer_id,
            household_id=row.household_id,
            role=row.role,
        )
    )
    return row


async def end_assignment(
    op: Operation, assignment_id: uuid.UUID, valid_to: date | None = None, reason: str = "ended"
) -> Assignment:
    row = await op.session.get(Assignment, (op.workspace_id, assignment_id))
    if row is None:
        raise NotFound("id", "assignment")
    end = valid_to or today()
    if row.valid_to is not None and row.valid_to <= end:
        raise Conflict("id", "the assignment has ended already")
    if end < row.valid_from:
        raise ValidationFailed.one("validTo", "must not come before the assignment started")
    row.valid_to, row.ended_reason = end, reason
    await op.session.flush()
    op.audit(
        "Assignment",
        row.id,
        "end",
        {"validTo": [None, end.isoformat()]},
        customer_id=row.customer_id,
    )
    await op.emit(AssignmentEnded(id=row.id, valid_to=end))
    return row


async def _covered_customer_ids(
    session: AsyncSession, rows: Iterable[Assignment]
) -> set[uuid.UUID]:
    """The customers a set of assignments covers: direct clients and household members."""
    rows = list(rows)
    customers = {row.customer_id for row in rows if row.customer_id is not None}
    households = [row.household_id for row in rows if row.household_id is not None]
    if households:
        primaries = set(
            (
                await session.execute(
                    select(Household.primary_customer_id).where(Household.id.in_(households))
                )
            ).scalars()
        )
        members = (
            await session.execute(
                select(Relationship.from_customer_id).where(
                    Relationship.type_key == HOUSEHOLD_MEMBER,
                    Relationship.end_date.is_(None),
                    Relationship.to_customer_id.in_(primaries),
                )
            )
        ).scalars()
        customers |= primaries | set(members)
    return customers


async def reassign_book(
    op: Operation, from_user_id: uuid.UUID, to_user_id: uuid.UUID, effective: date | None = None
) -> BookMove:
    """Move every client of one manager to another on ``effective``; tell both managers."""
    if from_user_id == to_user_id:
        raise ValidationFailed.one(
            "toManagerId",
            "must differ from the manager giving the book",
            BankingErrorCode.SAME_MANAGER,
        )
    await get_manager(op, from_user_id, "fromManagerId")
    target = await get_manager(op, to_user_id, "toManagerId")
    day = effective or today()
    rows = list(
        (
            await op.session.execute(
                select(Assignment)
                .where(Assignment.manager_user_id == from_user_id, _overlapping(day))
                .order_by(Assignment.valid_from, Assignment.id)
            )
        ).scalars()
    )
    if any(row.valid_from > day for row in rows):
        raise ValidationFailed.one(
            "effectiveDate", "the book holds assignments starting after this date"
        )
    existing = {
        (row.customer_id, row.household_id, row.role)
        for row in (
            await op.session.execute(
                select(Assignment).where(
                    Assignment.manager_user_id == to_user_id, _overlapping(day)
                )
            )
        ).scalars()
    }
    opened: list[Assignment] = []
    for row in rows:
        row.valid_to, row.ended_reason = day, "reassigned"
    # Close first: the open-primary index must never see two open rows for one client.
    await op.session.flush()
    for row in rows:
        if (row.customer_id, row.household_id, row.role) in existing:
            continue
        new = Assignment(
            workspace_id=op.workspace_id,
            manager_user_id=target.user_id,
            customer_id=row.customer_id,
            household_id=row.household_id,
            role=row.role,
            valid_from=day,
            created_by_id=op.actor.user_id,
        )
        op.session.add(new)
        opened.append(new)
    await op.session.flush()
    for row in rows:
        op.audit(
            "Assignment",
            row.id,
            "reassign",
            {"managerId": [str(from_user_id), str(to_user_id)]},
            customer_id=row.customer_id,
        )
    moved = await _covered_customer_ids(op.session, rows)
    tasks = (
        await op.session.execute(
            select(Task.id).where(
                Task.customer_id.in_(moved),
                Task.assignee_id == from_user_id,
                Task.status.in_(OPEN_TASK_STATUSES),
                Task.deleted_at.is_(None),
            )
        )
    ).scalars()
    task_ids = list(tasks)
    for task_id in task_ids:
        await update_task(op, task_id, TaskFields(assignee_id=to_user_id))
    await _notify(op, from_user_id, to_user_id, day, len(rows))
    await op.emit(
        BookReassigned(
            id=target.id,
            from_manager_id=from_user_id,
            to_manager_id=to_user_id,
            effective_date=day,
            clients=len(rows),
        )
    )
    return BookMove(closed=rows, opened=opened, tasks_moved=len(task_ids))


async def _notify(op: Operation, giver: uuid.UUID, taker: uuid.UUID, day: date, count: int) -> None:
    names = dict(
        (
            await op.session.execute(
                select(User.id, User.display_name).where(User.id.in_([giver, taker]))
            )
        ).all()
    )
    due = datetime.combine(day, time(9), tzinfo=UTC)
    await create_task(
        op,
        TaskFields(
            title=f"Hand over {count} client(s) to {names.get(taker, 'the new manager')}",
            description=f"Your book moves to {names.get(taker)} on {day.isoformat()}.",
            assignee_id=giver,
            due_at=due,
        ),
    )
    await create_task(
        op,
        TaskFields(
            title=f"Welcome {count} client(s) from {names.get(giver, 'the previous manager')}",
            description=f"The book of {names.get(giver)} is yours from {day.isoformat()}.",
            assignee_id=taker,
            due_at=due,
        ),
    )


async def primary_managers(
    session: AsyncSession, customer_ids: Iterable[uuid.UUID], day: date | None = None
) -> dict[uuid.UUID, uuid.UUID]:
    """The primary manager of each customer on ``day``: assigned directly, or through the
    household the customer belongs to (a direct assignment wins)."""
    wanted = list(dict.fromkeys(customer_ids))
    if not wanted:
        return {}
    day = day or today()
    active = and_(
        Assignment.role == PRIMARY,
        Assignment.valid_from <= day,
        or_(Assignment.valid_to.is_(None), Assignment.valid_to > day),
    )
    found: dict[uuid.UUID, uuid.UUID] = {}
    via_household = (
        select(Relationship.from_customer_id, Assignment.manager_user_id)
        .join(Household, Household.primary_customer_id == Relationship.to_customer_id)
        .join(Assignment, Assignment.household_id == Household.id)
        .where(
            active,
            Relationship.type_key == HOUSEHOLD_MEMBER,
            Relationship.end_date.is_(None),
            Relationship.from_customer_id.in_(wanted),
        )
    )
    primary_of_household = (
        select(Household.primary_customer_id, Assignment.manager_user_id)
        .join(Assignment, Assignment.household_id == Household.id)
        .where(active, Household.primary_customer_id.in_(wanted))
    )
    direct = select(Assignment.customer_id, Assignment.manager_user_id).where(
        active, Assignment.customer_id.in_(wanted)
    )
    for statement in (via_household, primary_of_household, direct):
        for customer_id, manager_id in (await session.execute(statement)).all():
            if customer_id is not None:
                found[customer_id] = manager_id
    return found


async def assign_creator(event: DomainEvent, session: AsyncSession) -> None:
    """A customer created by a relationship manager joins that manager's book as PRIMARY.

    The event does not carry the actor's role, so the creator counts as a manager when their
    user has an active banking profile or a manager's role.
    """
    if event.actor_id is None:
        return
    user = await session.get(User, (event.workspace_id, event.actor_id))
    if user is None:
        return
    profile = (
        await session.execute(
            select(RelationshipManager.id).where(
                RelationshipManager.user_id == user.id, RelationshipManager.is_active.is_(True)
            )
        )
    ).scalar_one_or_none()
    if profile is None and user.role not in (MANAGER_ROLE, TEAM_LEAD_ROLE):
        return
    row = Assignment(
        workspace_id=event.workspace_id,
        manager_user_id=user.id,
        customer_id=event.entity_id,
        role=PRIMARY,
        valid_from=today(),
        created_by_id=user.id,
    )
    session.add(row)
    await session.flush()
    session.add(
        AuditEntry(
            workspace_id=event.workspace_id,
            entity_type="Assignment",
            entity_id=row.id,
            customer_id=event.entity_id,
            action="create",
            actor_id=user.id,
            changes={"managerId": [None, str(user.id)], "role": [None, PRIMARY]},
            note="the creating manager takes the client",
        )
    )


async def book_of(
    session: AsyncSession,
    manager_user_id: uuid.UUID,
    day: date,
    roles: tuple[str, ...] = (PRIMARY,),
) -> set[uuid.UUID]:
    """The customers a manager holds in ``roles`` on ``day``, household members included."""
    rows = (
        await session.execute(
            select(Assignment).where(
                Assignment.manager_user_id == manager_user_id,
                Assignment.role.in_(roles),
                Assignment.valid_from <= day,
                or_(Assignment.valid_to.is_(None), Assignment.valid_to > day),
            )
        )
    ).scalars()
    return await _covered_customer_ids(session, rows)
