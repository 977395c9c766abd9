"""The interaction timeline: logging calls, emails, meetings, notes, visits, complaints."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from rapport.core.db import utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from rapport.core.event_types import InteractionLogged
from rapport.core.models import Interaction, InteractionParticipant, User
from rapport.core.services.changes import apply_changes
from rapport.core.services.customers import customer_errors
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation
from rapport.core.services.soft_delete import restore_row, soft_delete_row
from rapport.core.vocabulary import build_vocabulary

__all__ = [
    "DIRECTIONS",
    "InteractionFields",
    "delete_interaction",
    "log_interaction",
    "restore_interaction",
    "update_interaction",
]

DIRECTIONS = ("inbound", "outbound", "internal")
MAX_PARTICIPANTS = 50


@dataclass
class InteractionFields(FieldValues):
    customer_id: uuid.UUID | None = None
    kind: str | None = None
    channel: str | None = None
    direction: str | None = None
    occurred_at: datetime | None = None
    subject: str | None = None
    body: str | None = None
    outcome: str | None = None
    duration_seconds: int | None = None
    link_type: str | None = None
    link_id: uuid.UUID | None = None
    # None leaves an interaction's participants as they are; a list replaces them.
    participant_customer_ids: list[uuid.UUID] | None = None
    participant_user_ids: list[uuid.UUID] | None = None

    def given(self) -> dict[str, object]:
        skip = ("participant_customer_ids", "participant_user_ids")
        return {k: v for k, v in super().given().items() if k not in skip}


async def _validate(
    op: Operation, fields: dict[str, object], data: InteractionFields, prefix: str
) -> None:
    errors: list[FieldError] = []
    kinds = build_vocabulary(op.host).interaction_kinds
    if "kind" in fields and fields["kind"] not in kinds:
        errors.append(
            FieldError(
                f"{prefix}kind",
                CoreErrorCode.UNKNOWN_INTERACTION_KIND,
                f"unknown kind; known: {', '.join(sorted(kinds))}",
            )
        )
    if "direction" in fields and fields["direction"] not in DIRECTIONS:
        errors.append(
            FieldError(
                f"{prefix}direction",
                CoreErrorCode.NOT_ONE_OF,
                f"must be one of {', '.join(DIRECTIONS)}",
            )
        )
    duration = fields.get("duration_seconds")
    if isinstance(duration, int) and duration < 0:
        errors.append(
            FieldError(f"{prefix}durationSeconds", CoreErrorCode.NEGATIVE, "must not be negative")
        )
    if (fields.get("link_type") is None) != (fields.get("link_id") is None):
        errors.append(
            FieldError(
                f"{prefix}link", CoreErrorCode.INCOMPLETE_LINK, "a link needs both a type and an id"
            )
        )
    customer = fields.get("customer_id")
    if isinstance(customer, uuid.UUID):
        errors.extend(await customer_errors(op, customer, f"{prefix}customerId"))
    customer_ids = data.participant_customer_ids or []
    user_ids = data.participant_user_ids or []
    participants = len(customer_ids) + len(user_ids)
    if participants > MAX_PARTICIPANTS:
        errors.append(
            FieldError(
                f"{prefix}participants",
                ErrorCode.LIMIT_EXCEEDED,
                f"at most {MAX_PARTICIPANTS} participants",
            )
        )
    for index, customer_id in enumerate(customer_ids):
        errors.extend(
            await customer_errors(op, customer_id, f"{prefix}participantCustomerIds.{index}")
        )
    for index, user_id in enumerate(user_ids):
        if await op.session.get(User, (op.workspace_id, user_id)) is None:
            errors.append(
                FieldError(
                    f"{prefix}participantUserIds.{index}", ErrorCode.NOT_FOUND, "user not found"
                )
            )
    if errors:
        raise ValidationFailed(errors)


async def log_interaction(
    op: Operation, data: InteractionFields, prefix: str = "input."
) -> Interaction:
    fields = data.given()
    missing = [name for name in ("customer_id", "kind") if name not in fields]
    if missing:
        raise ValidationFailed(
            [
                FieldError(
                    f"{prefix}{'customerId' if m == 'customer_id' else m}",
                    ErrorCode.REQUIRED,
                    "required",
                )
                for m in missing
            ]
        )
    fields.setdefault("occurred_at", utcnow())
    fields.setdefault("direction", "outbound")
    await _validate(op, fields, data, prefix)
    interaction = Interaction(workspace_id=op.workspace_id, user_id=op.actor.user_id, **fields)
    op.session.add(interaction)
    await op.session.flush()
    _add_participants(op, interaction.id, "customer_id", data.participant_customer_ids or [])
    _add_participants(op, interaction.id, "user_id", data.participant_user_ids or [])
    await op.session.flush()
    await op.emit(
        InteractionLogged(
            id=interaction.id, customer_id=interaction.customer_id, kind=interaction.kind
        )
    )
    return interaction


def _add_participants(
    op: Operation, interaction_id: uuid.UUID, column: str, ids: list[uuid.UUID]
) -> None:
    for participant_id in dict.fromkeys(ids):
        op.session.add(
            InteractionParticipant(
                workspace_id=op.workspace_id,
                interaction_id=interaction_id,
                role="participant",
                **{column: participant_id},
            )
        )


async def _replace_participants(
    op: Operation, interaction: Interaction, column: str, ids: list[uuid.UUID]
) -> dict[str, list[object]]:
    """Make ``ids`` the interaction's participants of one kind; the change, for the audit."""
    current = getattr(InteractionParticipant, column)
    before = await op.session.execute(
        select(current).where(
            InteractionParticipant.interaction_id == interaction.id, current.is_not(None)
        )
    )
    old = sorted(str(i) for i in before.scalars())
    new = sorted({str(i) for i in ids})
    if old == new:
        return {}
    await op.session.execute(
        delete(InteractionParticipant).where(
            InteractionParticipant.interaction_id == interaction.id, current.is_not(None)
        )
    )
    _add_participants(op, interaction.id, column, ids)
    return {f"participants.{column}": [old, new]}


async def get_interaction(op: Operation, interaction_id: uuid.UUID) -> Interaction:
    interaction = await op.session.get(Interaction, (op.workspace_id, interaction_id))
    if interaction is None or interaction.deleted_at is not None:
        raise NotFound("id", "interaction")
    return interaction


async def update_interaction(
    op: Operation, interaction_id: uuid.UUID, data: InteractionFields, prefix: str = "input."
) -> Interaction:
    interaction = await get_interaction(op, interaction_id)
    fields = data.patch(Interaction, prefix)
    await _validate(op, fields, data, prefix)
    changes: dict[str, list[object]] = dict(apply_changes(interaction, fields))
    if data.participant_customer_ids is not None:
        changes |= await _replace_participants(
            op, interaction, "customer_id", data.participant_customer_ids
        )
    if data.participant_user_ids is not None:
        changes |= await _replace_participants(
            op, interaction, "user_id", data.participant_user_ids
        )
    if changes:
        await op.session.flush()
        op.audit(
            "Interaction", interaction.id, "update", changes, customer_id=interaction.customer_id
        )
    return interaction


async def delete_interaction(op: Operation, interaction_id: uuid.UUID) -> Interaction:
    interaction = await get_interaction(op, interaction_id)
    await soft_delete_row(op, interaction, "Interaction")
    return interaction


async def restore_interaction(op: Operation, interaction_id: uuid.UUID) -> Interaction:
    return await restore_row(op, Interaction, interaction_id, "Interaction", "interaction")
