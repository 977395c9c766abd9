"""Cases: opening, changing, assigning, moving through the status categories, and the
conversation, each entry of which is an interaction on the customer's timeline.

Every move is checked against ``statuses.TRANSITIONS`` and refused whole, with the reason; a
complaint needs its root cause and a resolution summary before it may close; a solved case
may be reopened within the workspace's window. Each change is written to the status history
(or the activity log) first and the SLA timers are then recomputed from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from rapport.core import (
    Customer,
    ErrorCode,
    FieldValues,
    Interaction,
    InteractionFields,
    Operation,
    ValidationFailed,
    get_customer,
    log_interaction,
    utcnow,
)
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import (
    CaseAssigned,
    CaseClosed,
    CaseOpened,
    CaseReopened,
    CaseReplied,
    CaseResolved,
    CaseStatusChanged,
    CaseUpdated,
)
from rapport.plugins.service.models import (
    Article,
    Asset,
    Case,
    CaseActivity,
    CaseStatus,
    CaseStatusChange,
)
from rapport.plugins.service.services.common import Problems, get_row, moment, settings_of
from rapport.plugins.service.services.policies import (
    CHANNELS,
    KINDS,
    PRIORITIES,
    matching_policy,
)
from rapport.plugins.service.services.timers import CASE_LINK, recompute_case_timers
from rapport.plugins.service.statuses import CATEGORIES, SOLVED_CATEGORIES, why_not

__all__ = [
    "ENTRY_TYPES",
    "CaseFields",
    "MoveFields",
    "add_entry",
    "assign_case",
    "get_case",
    "move_case",
    "open_case",
    "record_activity",
    "update_case",
]

DEFAULT_REOPEN_DAYS = 14
# Entry type -> (interaction direction, interaction kind).
ENTRY_TYPES = {
    "PUBLIC_REPLY": ("outbound", "case_reply"),
    "CUSTOMER_MESSAGE": ("inbound", "case_message"),
    "INTERNAL_NOTE": ("internal", "case_note"),
}


@dataclass
class CaseFields(FieldValues):
    customer_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    kind: str | None = None
    subject: str | None = None
    description: str | None = None
    channel: str | None = None
    category: str | None = None
    subcategory: str | None = None
    priority: str | None = None
    severity: int | None = None
    team: str | None = None
    asset_id: uuid.UUID | None = None
    # When the customer got in touch (a phone case typed in afterwards); default: now.
    opened_at: datetime | None = None


@dataclass
class MoveFields:
    category: str | None = None
    # A workspace status: its category is the target (and must match ``category`` if given).
    status_id: uuid.UUID | None = None
    at: datetime | None = None
    reason: str | None = None
    duplicate_of_id: uuid.UUID | None = None
    root_cause: str | None = None
    resolution_summary: str | None = None
    solution_article_id: uuid.UUID | None = None


async def get_case(op: Operation, case_id: uuid.UUID, field: str = "id") -> Case:
    return await get_row(op, Case, case_id, field, "case")


def record_activity(
    op: Operation, case: Case, action: str, detail: dict[str, Any], at: datetime | None = None
) -> None:
    op.session.add(
        CaseActivity(
            workspace_id=op.workspace_id,
            case_id=case.id,
            happened_at=at or utcnow(),
            action=action,
            detail=detail,
            actor_id=op.actor.user_id,
        )
    )


async def _validate(
    op: Operation, problems: Problems, values: dict[str, Any], customer_id: uuid.UUID | None
) -> Asset | None:
    problems.one_of("kind", values.get("kind"), KINDS)
    problems.one_of("channel", values.get("channel"), CHANNELS)
    problems.one_of("priority", values.get("priority"), PRIORITIES)
    if "subject" in values:
        problems.required("subject", values["subject"])
        problems.length("subject", values["subject"], 300)
    for key in ("category", "subcategory", "team"):
        problems.length(key, values.get(key), 100)
    severity = values.get("severity")
    if severity is not None and not 1 <= severity <= 5:
        problems.add("severity", "from 1 (critical) to 5 (cosmetic)")
    contact = values.get("contact_id")
    if contact is not None:
        person = await problems.exists(op, "contactId", Customer, contact, "contact")
        if person is not None and person.kind != "person":
            problems.add(
                "contactId", "a contact is a person", ServiceErrorCode.CONTACT_NOT_A_PERSON
            )
    asset = await problems.exists(op, "assetId", Asset, values.get("asset_id"), "asset")
    if asset is not None and asset.customer_id != customer_id:
        problems.add(
            "assetId", "the asset belongs to another customer", ServiceErrorCode.CUSTOMER_MISMATCH
        )
    return asset


def _in_warranty(asset: Asset | None, opened_at: datetime) -> bool | None:
    """Whether the asset was under warranty the day the case was opened (None: no asset)."""
    if asset is None:
        return None
    day = opened_at.date()
    start, end = asset.warranty_start, asset.warranty_end
    return start is not None and end is not None and start <= day <= end


async def open_case(op: Operation, data: CaseFields) -> Case:
    problems = Problems()
    problems.required("customerId", data.customer_id)
    problems.required("subject", data.subject)
    problems.required("channel", data.channel)
    problems.not_future("openedAt", data.opened_at)
    values = data.given()
    asset = await _validate(op, problems, values, data.customer_id)
    problems.raise_if_any()
    assert data.customer_id is not None
    customer = await get_customer(op, data.customer_id, "input.customerId")
    opened_at = moment(data.opened_at)
    case = Case(
        workspace_id=op.workspace_id,
        customer_id=customer.id,
        contact_id=data.contact_id,
        kind=data.kind or "REQUEST",
        subject=(data.subject or "").strip(),
        description=data.description,
        channel=data.channel,
        category=data.category,
        subcategory=data.subcategory,
        priority=data.priority or "NORMAL",
        severity=data.severity,
        team=data.team,
        asset_id=data.asset_id,
        in_warranty=_in_warranty(asset, opened_at),
        status_category="NEW",
        opened_at=opened_at,
        last_update_at=opened_at,
    )
    op.session.add(case)
    await op.session.flush()
    op.session.add(
        CaseStatusChange(
            workspace_id=op.workspace_id,
            case_id=case.id,
            changed_at=opened_at,
            from_category=None,
            to_category="NEW",
            actor_id=op.actor.user_id,
        )
    )
    policy = await matching_policy(op, case)
    case.policy_id = policy.id if policy else None
    if data.description:
        # What the customer said is the first entry of the conversation (and of the timeline).
        await _log_entry(op, case, "CUSTOMER_MESSAGE", data.description, opened_at)
    await recompute_case_timers(op, case)
    op.audit(
        "Case",
        case.id,
        "open",
        {"subject": [None, case.subject], "kind": [None, case.kind]},
        customer_id=case.customer_id,
    )
    await op.emit(
        CaseOpened(
            id=case.id,
            customer_id=case.customer_id,
            kind=case.kind,
            priority=case.priority,
            channel=case.channel,
            policy_id=case.policy_id,
        )
    )
    return case


UPDATABLE = (
    *("kind", "subject", "description", "category", "subcategory", "priority", "severity"),
    *("team", "contact_id", "asset_id", "channel"),
)


async def update_case(op: Operation, case_id: uuid.UUID, data: CaseFields) -> Case:
    case = await get_case(op, case_id)
    problems = Problems()
    if data.customer_id is not None and data.customer_id != case.customer_id:
        problems.add(
            "customerId", "a case stays with its customer", ServiceErrorCode.CUSTOMER_FIXED
        )
    if data.opened_at is not None:
        problems.add("openedAt", "the opening time is history")
    values = {k: v for k, v in data.patch(Case).items() if k in UPDATABLE}
    asset = await _validate(op, problems, values, case.customer_id)
    problems.raise_if_any()
    changes: dict[str, list[Any]] = {}
    for key, value in values.items():
        if getattr(case, key) != value:
            changes[key] = [_plain(getattr(case, key)), _plain(value)]
            setattr(case, key, value)
    if not changes:
        return case
    if "asset_id" in changes:
        case.in_warranty = _in_warranty(asset, case.opened_at)
    record_activity(op, case, "updated", changes)
    # Priority, category, channel or kind may select another policy: its targets then apply
    # from the opening, as they would have had the case come in that way.
    policy = await matching_policy(op, case)
    case.policy_id = policy.id if policy else None
    await op.session.flush()
    await recompute_case_timers(op, case)
    op.audit("Case", case.id, "update", changes, customer_id=case.customer_id)
    await op.emit(CaseUpdated(id=case.id, changes=tuple(changes)))
    return case


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


async def assign_case(
    op: Operation,
    case_id: uuid.UUID,
    assignee_id: uuid.UUID | None,
    team: str | None,
    at: datetime | None = None,
) -> Case:
    case = await get_case(op, case_id)
    problems = Problems("")
    await problems.user(op, "assigneeId", assignee_id)
    problems.length("team", team, 100)
    problems.not_future("at", at)
    when = moment(at)
    if when < await _last_change(op, case):
        problems.add(
            "at", "comes before the case's last status change", ServiceErrorCode.OUT_OF_ORDER
        )
    if case.status_category in ("CLOSED", "REJECTED", "DUPLICATE"):
        problems.add(
            "id",
            f"a {case.status_category.lower()} case is not worked any more",
            ServiceErrorCode.CASE_NOT_WORKED,
        )
    problems.raise_if_any()
    before = {"assignee": _plain(case.assignee_id), "team": case.team}
    case.assignee_id = assignee_id
    if team is not None:
        case.team = team
    record_activity(
        op,
        case,
        "assigned",
        {"from": before, "to": {"assignee": _plain(assignee_id), "team": case.team}},
        when,
    )
    if case.status_category == "NEW" and assignee_id is not None:
        await _write_move(op, case, "ASSIGNED", None, when, None)
    await op.session.flush()
    await recompute_case_timers(op, case)
    op.audit(
        "Case",
        case.id,
        "assign",
        {"assignee": [before["assignee"], _plain(assignee_id)]},
        customer_id=case.customer_id,
    )
    await op.emit(CaseAssigned(id=case.id, assignee_id=assignee_id, team=case.team))
    return case


async def _last_change(op: Operation, case: Case) -> datetime:
    found = await op.session.execute(
        select(func.max(CaseStatusChange.changed_at)).where(CaseStatusChange.case_id == case.id)
    )
    return found.scalar_one() or case.opened_at


async def _write_move(
    op: Operation,
    case: Case,
    target: str,
    status_id: uuid.UUID | None,
    at: datetime,
    reason: str | None,
) -> None:
    op.session.add(
        CaseStatusChange(
            workspace_id=op.workspace_id,
            case_id=case.id,
            changed_at=at,
            from_category=case.status_category,
            to_category=target,
            status_id=status_id,
            actor_id=op.actor.user_id,
            reason=reason,
        )
    )
    case.status_category, case.status_id = target, status_id
    case.last_update_at = max(case.last_update_at, at)


async def _target_of(op: Operation, problems: Problems, data: MoveFields) -> str | None:
    if data.status_id is not None:
        status = await problems.exists(op, "statusId", CaseStatus, data.status_id, "status")
        if status is None:
            return None
        if data.category is not None and data.category != status.category:
            problems.add(
                "category",
                f"the status is in {status.category}",
                ServiceErrorCode.STATUS_OF_OTHER_CATEGORY,
            )
        category: str = status.category
        return category
    if data.category is None:
        problems.add("category", "give a category or a status", ErrorCode.REQUIRED)
        return None
    if data.category not in CATEGORIES:
        problems.add("category", f"must be one of {', '.join(CATEGORIES)}")
        return None
    return data.category


async def move_case(op: Operation, case_id: uuid.UUID, data: MoveFields) -> Case:
    case = await get_case(op, case_id)
    problems = Problems("")
    target = await _target_of(op, problems, data)
    problems.not_future("at", data.at)
    problems.length("reason", data.reason, 300)
    problems.length("rootCause", data.root_cause, 200)
    problems.raise_if_any()
    assert target is not None
    at = moment(data.at)
    if at < await _last_change(op, case):
        problems.add(
            "at", "comes before the case's last status change", ServiceErrorCode.OUT_OF_ORDER
        )
    reason = why_not(case.status_category, target)
    if reason is not None:
        raise ValidationFailed.one("category", reason, ServiceErrorCode.ILLEGAL_TRANSITION)
    reopening = case.status_category in SOLVED_CATEGORIES and target not in SOLVED_CATEGORIES
    if reopening:
        window = timedelta(days=int(settings_of(op).get("reopen_days", DEFAULT_REOPEN_DAYS)))
        solved_at = case.closed_at or case.resolved_at or at
        if at - solved_at > window:
            raise ValidationFailed.one(
                "category",
                f"solved more than {window.days} days ago: open a new case instead",
                ServiceErrorCode.REOPEN_WINDOW_PASSED,
            )
    await _check_ending(op, problems, case, target, data)
    problems.raise_if_any()
    if data.root_cause is not None:
        case.root_cause = data.root_cause.strip()
    if data.resolution_summary is not None:
        case.resolution_summary = data.resolution_summary.strip()
    if data.solution_article_id is not None:
        case.solution_article_id = data.solution_article_id
    if target == "DUPLICATE":
        case.duplicate_of_id = data.duplicate_of_id
    previous = case.status_category
    await _write_move(op, case, target, data.status_id, at, data.reason)
    if target == "RESOLVED":
        case.resolved_at = at
    elif target == "CLOSED":
        case.closed_at = at
        case.resolved_at = case.resolved_at or at
    elif reopening:
        case.resolved_at = case.closed_at = None
        case.reopen_count += 1
    await op.session.flush()
    await recompute_case_timers(op, case)
    op.audit(
        "Case",
        case.id,
        "move",
        {"status": [previous, target]},
        customer_id=case.customer_id,
        note=data.reason,
    )
    await op.emit(CaseStatusChanged(id=case.id, from_category=previous, to_category=target))
    if target == "RESOLVED":
        await op.emit(CaseResolved(id=case.id, customer_id=case.customer_id))
        from rapport.plugins.service.services.surveys import offer_on_resolution

        await offer_on_resolution(op, case)
    elif target == "CLOSED":
        await op.emit(CaseClosed(id=case.id, customer_id=case.customer_id))
    elif reopening:
        await op.emit(CaseReopened(id=case.id, reopen_count=case.reopen_count))
    return case


async def _check_ending(
    op: Operation, problems: Problems, case: Case, target: str, data: MoveFields
) -> None:
    if target == "DUPLICATE":
        if data.duplicate_of_id is None:
            problems.add("duplicateOfId", "name the case this one duplicates", ErrorCode.REQUIRED)
        elif data.duplicate_of_id == case.id:
            problems.add(
                "duplicateOfId", "a case cannot duplicate itself", ServiceErrorCode.SELF_DUPLICATE
            )
        else:
            original = await problems.exists(
                op, "duplicateOfId", Case, data.duplicate_of_id, "case"
            )
            if original is not None and original.duplicate_of_id == case.id:
                problems.add(
                    "duplicateOfId",
                    "that case is recorded as a duplicate of this one",
                    ServiceErrorCode.DUPLICATE_CYCLE,
                )
    elif data.duplicate_of_id is not None:
        problems.add(
            "duplicateOfId",
            "only a move to DUPLICATE names an original",
            ServiceErrorCode.NOT_A_DUPLICATE,
        )
    if data.solution_article_id is not None:
        article = await problems.exists(
            op, "solutionArticleId", Article, data.solution_article_id, "article"
        )
        if article is not None and article.status != "PUBLISHED":
            problems.add(
                "solutionArticleId",
                "only a published article is a solution",
                ServiceErrorCode.ARTICLE_NOT_PUBLISHED,
            )
    if case.kind == "COMPLAINT" and target == "CLOSED":
        if not (data.root_cause or case.root_cause):
            problems.add(
                "rootCause",
                "a complaint closes with its root cause",
                ServiceErrorCode.ROOT_CAUSE_REQUIRED,
            )
        if not (data.resolution_summary or case.resolution_summary):
            problems.add(
                "resolutionSummary",
                "a complaint closes with a summary of its resolution",
                ServiceErrorCode.RESOLUTION_SUMMARY_REQUIRED,
            )


async def _log_entry(
    op: Operation, case: Case, entry_type: str, body: str, at: datetime
) -> Interaction:
    direction, kind = ENTRY_TYPES[entry_type]
    return await log_interaction(
        op,
        InteractionFields(
            customer_id=case.customer_id,
            kind=kind,
            channel=case.channel.lower(),
            direction=direction,
            occurred_at=at,
            subject=case.subject,
            body=body,
            link_type=CASE_LINK,
            link_id=case.id,
        ),
    )


async def add_entry(
    op: Operation, case_id: uuid.UUID, entry_type: str, body: str, at: datetime | None = None
) -> tuple[Case, Interaction]:
    """A public reply, a customer message or an internal note, on the customer's timeline."""
    case = await get_case(op, case_id, "caseId")
    problems = Problems("")
    problems.one_of("type", entry_type, tuple(ENTRY_TYPES))
    problems.required("body", body)
    problems.not_future("at", at)
    problems.raise_if_any()
    when = moment(at)
    if when < case.opened_at:
        problems.add("at", "comes before the case was opened", ServiceErrorCode.OUT_OF_ORDER)
    if case.status_category in ("REJECTED", "DUPLICATE"):
        problems.add(
            "caseId",
            f"a {case.status_category.lower()} case takes no more entries",
            ServiceErrorCode.CASE_NOT_WORKED,
        )
    problems.raise_if_any()
    entry = await _log_entry(op, case, entry_type, body, when)
    if entry_type == "PUBLIC_REPLY":
        case.first_response_at = min(case.first_response_at or when, when)
    if entry_type != "INTERNAL_NOTE":
        case.last_update_at = max(case.last_update_at, when)
    await op.session.flush()
    # A reply fulfils response timers at once: escalation never fires on an answered case.
    await recompute_case_timers(op, case)
    await op.emit(CaseReplied(id=case.id, entry_type=entry_type, entry_id=entry.id))
    return case, entry
