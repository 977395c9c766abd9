"""Merging duplicate customers into one survivor.

Everything that hangs off a merged customer moves to the survivor: contact points (exact
duplicates by normalised value are dropped, and at most one primary per kind survives),
relationships (both ends; edges that would join the survivor to itself or repeat an existing
edge are dropped), interactions, interaction participants and tasks. Empty survivor fields are
filled from the merged customers in the order given, tags are united and custom attributes
merged with the survivor's values winning. The merged customers are soft-deleted with
``merged_into_id`` set, so they can be traced but not restored.

Plugins move their own rows in a ``before_commit`` hook on the ``customer.merged`` event,
which carries ``survivorId`` and ``mergedIds`` and runs inside the same transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select

from rapport.core.db import utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import ErrorCode, FieldError, ValidationFailed
from rapport.core.event_types import CustomerMerged
from rapport.core.models import (
    ContactPoint,
    Customer,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
)
from rapport.core.services.changes import apply_changes
from rapport.core.services.customers import display_name_of
from rapport.core.services.merge_links import repoint_customer_links
from rapport.core.services.operation import Operation

__all__ = ["MAX_MERGED", "MergeCounts", "MergeResult", "merge_customers"]

MAX_MERGED = 20
# Survivor fields that a merged customer's value fills when the survivor has none.
FILLABLE = (
    "first_name",
    "last_name",
    "organization_name",
    "owner_id",
    "industry",
    "occupation",
    "birth_date",
    "region",
    "source_channel",
    "notes",
)


# What a merge re-pointed at the survivor: record ids by kind (the model's name).
Moved = dict[str, list[uuid.UUID]]


@dataclass
class MergeCounts:
    contact_points: int = 0
    contact_points_dropped: int = 0
    relationships: int = 0
    relationships_dropped: int = 0
    interactions: int = 0
    participants: int = 0
    tasks: int = 0


@dataclass(frozen=True)
class MergeResult:
    survivor: Customer
    merged: list[Customer]
    counts: MergeCounts
    dry_run: bool


async def _load(
    op: Operation, survivor_id: uuid.UUID, merged_ids: list[uuid.UUID]
) -> tuple[Customer, list[Customer]]:
    errors: list[FieldError] = []
    if not merged_ids:
        errors.append(FieldError("mergedIds", ErrorCode.REQUIRED, "name at least one customer"))
    if len(merged_ids) > MAX_MERGED:
        errors.append(
            FieldError("mergedIds", ErrorCode.LIMIT_EXCEEDED, f"at most {MAX_MERGED} at once")
        )
    if survivor_id in merged_ids:
        errors.append(
            FieldError(
                "mergedIds", CoreErrorCode.SELF_MERGE, "a customer cannot be merged into itself"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    rows = await op.session.execute(
        select(Customer).where(Customer.id.in_([survivor_id, *merged_ids]))
    )
    live = {row.id: row for row in rows.scalars() if row.deleted_at is None}
    if survivor_id not in live:
        errors.append(FieldError("survivorId", ErrorCode.NOT_FOUND, "customer not found"))
    for index, merged_id in enumerate(merged_ids):
        if merged_id not in live:
            errors.append(
                FieldError(f"mergedIds.{index}", ErrorCode.NOT_FOUND, "customer not found")
            )
    if errors:
        raise ValidationFailed(errors)
    return live[survivor_id], [live[i] for i in merged_ids]


async def _move_contact_points(
    op: Operation,
    survivor: Customer,
    merged_ids: list[uuid.UUID],
    counts: MergeCounts,
    moved: Moved,
) -> None:
    rows = await op.session.execute(
        select(ContactPoint)
        .where(ContactPoint.customer_id.in_([survivor.id, *merged_ids]))
        .order_by(ContactPoint.created_at, ContactPoint.id)
    )
    points = list(rows.scalars())
    kept = {(p.kind, p.normalized_value) for p in points if p.customer_id == survivor.id}
    primaries = {p.kind for p in points if p.customer_id == survivor.id and p.is_primary}
    order = {merged_id: index for index, merged_id in enumerate(merged_ids)}
    moving = sorted(
        (p for p in points if p.customer_id != survivor.id), key=lambda p: order[p.customer_id]
    )
    for point in moving:
        key = (point.kind, point.normalized_value)
        if key in kept:
            await op.session.delete(point)
            counts.contact_points_dropped += 1
            continue
        kept.add(key)
        if point.is_primary and point.kind in primaries:
            point.is_primary = False
        elif point.is_primary:
            primaries.add(point.kind)
        point.customer_id = survivor.id
        counts.contact_points += 1
        moved.setdefault(ContactPoint.__name__, []).append(point.id)
    # Demotions and deletions first: the unique index allows one primary per kind at a time.
    await op.session.flush()


async def _move_relationships(
    op: Operation,
    survivor: Customer,
    merged_ids: list[uuid.UUID],
    counts: MergeCounts,
    moved: Moved,
) -> None:
    involved = [survivor.id, *merged_ids]
    rows = await op.session.execute(
        select(Relationship)
        .where(
            or_(
                Relationship.from_customer_id.in_(involved),
                Relationship.to_customer_id.in_(involved),
            )
        )
        .order_by(Relationship.created_at, Relationship.id)
    )
    edges = list(rows.scalars())
    merged = set(merged_ids)

    def repointed(edge: Relationship) -> tuple[str, uuid.UUID, uuid.UUID]:
        source = survivor.id if edge.from_customer_id in merged else edge.from_customer_id
        target = survivor.id if edge.to_customer_id in merged else edge.to_customer_id
        return edge.type_key, source, target

    seen = {repointed(e) for e in edges if not {e.from_customer_id, e.to_customer_id} & merged}
    for edge in edges:
        if not {edge.from_customer_id, edge.to_customer_id} & merged:
            continue
        key = repointed(edge)
        if key[1] == key[2] or key in seen:
            await op.session.delete(edge)
            counts.relationships_dropped += 1
            continue
        seen.add(key)
        edge.from_customer_id, edge.to_customer_id = key[1], key[2]
        counts.relationships += 1
        moved.setdefault(Relationship.__name__, []).append(edge.id)


async def _move_participants(
    op: Operation, survivor: Customer, merged_ids: list[uuid.UUID], counts: MergeCounts
) -> None:
    """Re-point merged participants. Rows are dropped that would name the survivor twice on
    one interaction, or beside an interaction the merge makes its own."""
    rows = await op.session.execute(
        select(InteractionParticipant).where(
            InteractionParticipant.customer_id.in_([survivor.id, *merged_ids])
        )
    )
    participants = list(rows.scalars())
    owners = await op.session.execute(
        select(Interaction.id, Interaction.customer_id).where(
            Interaction.id.in_({p.interaction_id for p in participants})
        )
    )
    merged = set(merged_ids)
    becoming_own = {interaction for interaction, owner in owners if owner in merged}
    present = {p.interaction_id for p in participants if p.customer_id == survivor.id}
    for participant in participants:
        interaction = participant.interaction_id
        if participant.customer_id == survivor.id:
            if interaction in becoming_own:
                await op.session.delete(participant)
            continue
        if interaction in present or interaction in becoming_own:
            await op.session.delete(participant)
            continue
        present.add(interaction)
        participant.customer_id = survivor.id
        counts.participants += 1


def _combined_fields(survivor: Customer, merged: list[Customer]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FILLABLE:
        if getattr(survivor, name) is None:
            found = next((getattr(m, name) for m in merged if getattr(m, name) is not None), None)
            if found is not None:
                values[name] = found
    tags = set(survivor.tags or [])
    attributes: dict[str, Any] = {}
    for customer in reversed(merged):
        tags |= set(customer.tags or [])
        attributes |= customer.attributes or {}
    values["tags"] = sorted(tags)
    values["attributes"] = attributes | (survivor.attributes or {})
    current = {name: getattr(survivor, name) for name in FILLABLE}
    values["display_name"] = display_name_of(survivor.kind, current | values)
    return values


async def merge_customers(
    op: Operation,
    survivor_id: uuid.UUID,
    merged_ids: list[uuid.UUID],
    *,
    dry_run: bool = False,
) -> MergeResult:
    """Merge ``merged_ids`` into ``survivor_id``; a dry run reports the same and keeps nothing."""
    merged_ids = list(dict.fromkeys(merged_ids))
    survivor, merged = await _load(op, survivor_id, merged_ids)
    counts = MergeCounts()
    moved: Moved = {}
    preview: Customer | None = None
    async with op.savepoint(keep=not dry_run):
        await _move_contact_points(op, survivor, merged_ids, counts, moved)
        await _move_relationships(op, survivor, merged_ids, counts, moved)
        await _move_participants(op, survivor, merged_ids, counts)
        linked = await repoint_customer_links(op, survivor.id, merged_ids)
        counts.interactions = len(linked.get(Interaction, []))
        counts.tasks = len(linked.get(Task, []))
        moved |= {model.__name__: ids for model, ids in linked.items()}
        changes = apply_changes(survivor, _combined_fields(survivor, merged))
        survivor.updated_at = utcnow()
        now = utcnow()
        for customer in merged:
            customer.deleted_at = now
            customer.merged_into_id = survivor.id
        await op.session.flush()
        summary = {"mergedIds": [str(i) for i in merged_ids], "counts": asdict(counts)}
        # What changed on the survivor, which customers it absorbed and every record it took.
        changes["merged_ids"] = [None, [str(i) for i in merged_ids]]
        changes["moved"] = [None, {kind: sorted(map(str, ids)) for kind, ids in moved.items()}]
        op.audit(
            "Customer",
            survivor.id,
            "merge",
            changes,
            customer_id=survivor.id,
            note=json.dumps(summary),
        )
        for customer in merged:
            op.audit(
                "Customer",
                customer.id,
                "merged_into",
                {"mergedIntoId": [None, str(survivor.id)]},
                customer_id=customer.id,
            )
        await op.emit(
            CustomerMerged(
                survivor_id=survivor.id, merged_ids=tuple(merged_ids), counts=asdict(counts)
            )
        )
        if dry_run:
            preview = _detached_copy(survivor)
    if preview is not None:
        # The rollback expired the rows; show the survivor as the merge would have left it.
        for customer in merged:
            await op.session.refresh(customer)
        return MergeResult(preview, merged, counts, dry_run)
    return MergeResult(survivor, merged, counts, dry_run)


def _detached_copy(customer: Customer) -> Customer:
    columns = Customer.__table__.columns.keys()
    return Customer(**{name: getattr(customer, name) for name in columns})
