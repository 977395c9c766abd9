"""Segments: a stored customer filter, plus or minus other segments, dynamic or snapshot.

A segment's members are one SQL select of customer ids, built from its definition: the
customers its filter matches (none without a filter), plus the members of the segments it
includes, minus those of the segments it excludes. A dynamic segment is that select, run when
read; a snapshot segment stores the select's result at its last refresh, and other segments
that include it see the stored members.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Select, Table, delete, false, func, or_, select

from rapport.core import (
    Customer,
    ErrorCode,
    FieldValues,
    Operation,
    ValidationFailed,
    apply_changes,
    insert_rows,
    new_id,
    utcnow,
)
from rapport.plugins.marketing.customer_filter import check_customer_filter, customer_condition
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import SegmentCreated, SegmentRefreshed, SegmentUpdated
from rapport.plugins.marketing.models import Segment, SegmentLink, SegmentMember
from rapport.plugins.marketing.services.common import Problems, clean, get_row

__all__ = [
    "SEGMENT_KINDS",
    "RefreshResult",
    "SegmentFields",
    "count_members",
    "create_segment",
    "delete_segment",
    "member_ids",
    "refresh_segment",
    "update_segment",
]

SEGMENT_KINDS = ("dynamic", "snapshot")


@dataclass
class SegmentFields(FieldValues):
    name: str | None = None
    description: str | None = None
    kind: str | None = None
    # A CustomerFilter as GraphQL variables write it.
    filter: dict[str, Any] | None = None
    include_ids: list[uuid.UUID] | None = None
    exclude_ids: list[uuid.UUID] | None = None


@dataclass
class Links:
    """Every segment link of the workspace: segment -> (included ids, excluded ids)."""

    include: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    exclude: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)

    def of(self, segment_id: uuid.UUID) -> list[uuid.UUID]:
        return [*self.include.get(segment_id, []), *self.exclude.get(segment_id, [])]


async def _links(op: Operation) -> Links:
    found = Links()
    rows = await op.session.execute(
        select(SegmentLink.segment_id, SegmentLink.other_id, SegmentLink.mode)
    )
    for segment_id, other_id, mode in rows:
        target = found.include if mode == "include" else found.exclude
        target.setdefault(segment_id, []).append(other_id)
    return found


def _reaches(links: Links, start: uuid.UUID, goal: uuid.UUID) -> bool:
    seen: set[uuid.UUID] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(links.of(current))
    return False


async def _validate(op: Operation, segment_id: uuid.UUID, data: SegmentFields) -> Problems:
    problems = Problems()
    if data.name is not None:
        problems.required("name", data.name)
        if data.name.strip():
            clash = await op.session.execute(
                select(Segment.id).where(
                    Segment.name == data.name.strip(), Segment.id != segment_id
                )
            )
            if clash.first() is not None:
                problems.add("name", "another segment has this name", ErrorCode.CONFLICT)
    if data.kind is not None and data.kind not in SEGMENT_KINDS:
        problems.add("kind", f"must be one of {', '.join(SEGMENT_KINDS)}")
    if data.filter is not None:
        try:
            check_customer_filter(data.filter, "input.filter")
        except ValidationFailed as bad:
            problems.errors.extend(bad.errors)
    links = await _links(op)
    for name, ids in (("includeIds", data.include_ids), ("excludeIds", data.exclude_ids)):
        for index, other in enumerate(ids or []):
            where = f"{name}.{index}"
            if await problems.exists(op, where, Segment, other, "segment") is None:
                continue
            if other == segment_id or _reaches(links, other, segment_id):
                problems.add(
                    where,
                    "that segment contains this one: no cycles",
                    MarketingErrorCode.SEGMENT_CYCLE,
                )
    both = set(data.include_ids or []) & set(data.exclude_ids or [])
    if both:
        problems.add(
            "excludeIds",
            "a segment cannot be both included and excluded",
            MarketingErrorCode.INCLUDED_AND_EXCLUDED,
        )
    return problems


async def _replace_links(op: Operation, segment: Segment, data: SegmentFields) -> None:
    for mode, ids in (("include", data.include_ids), ("exclude", data.exclude_ids)):
        if ids is None:
            continue
        await op.session.execute(
            delete(SegmentLink).where(
                SegmentLink.segment_id == segment.id, SegmentLink.mode == mode
            )
        )
        for other in dict.fromkeys(ids):
            op.session.add(
                SegmentLink(
                    workspace_id=op.workspace_id, segment_id=segment.id, other_id=other, mode=mode
                )
            )


async def create_segment(op: Operation, data: SegmentFields) -> Segment:
    segment_id = new_id()
    problems = await _validate(op, segment_id, data)
    problems.required("name", data.name)
    problems.raise_if_any()
    assert data.name is not None
    segment = Segment(
        workspace_id=op.workspace_id,
        id=segment_id,
        name=data.name.strip(),
        description=clean(data.description),
        kind=data.kind or "dynamic",
        filter=data.filter,
    )
    op.session.add(segment)
    await op.session.flush()
    await _replace_links(op, segment, data)
    await op.session.flush()
    op.audit("Segment", segment.id, "create", {"name": [None, segment.name]})
    await op.emit(SegmentCreated(id=segment.id, kind=segment.kind))
    return segment


async def update_segment(op: Operation, segment_id: uuid.UUID, data: SegmentFields) -> Segment:
    segment = await get_row(op, Segment, segment_id, "id", "segment")
    values = data.patch(Segment)
    problems = await _validate(op, segment.id, data)
    problems.raise_if_any()
    links = {key: values.pop(key) for key in ("include_ids", "exclude_ids") if key in values}
    if values.get("name") is not None:
        values["name"] = values["name"].strip()
    if values.get("description") is not None:
        values["description"] = clean(values["description"])
    changes = apply_changes(segment, values)
    if segment.kind == "dynamic":
        segment.refreshed_at, segment.member_count = None, None
        await op.session.execute(
            delete(SegmentMember).where(SegmentMember.segment_id == segment.id)
        )
    await _replace_links(op, segment, data)
    if links:
        changes["links"] = [None, "replaced"]
    await op.session.flush()
    if changes:
        op.audit("Segment", segment.id, "update", changes)
        await op.emit(SegmentUpdated(id=segment.id, fields=tuple(changes)))
    return segment


async def delete_segment(op: Operation, segment_id: uuid.UUID) -> Segment:
    segment = await get_row(op, Segment, segment_id, "id", "segment")
    used = await op.session.execute(
        select(SegmentLink.segment_id).where(SegmentLink.other_id == segment.id).limit(1)
    )
    if used.first() is not None:
        raise ValidationFailed.one(
            "id",
            "another segment includes or excludes this one",
            MarketingErrorCode.SEGMENT_IN_USE,
        )
    await op.session.delete(segment)
    await op.session.flush()
    op.audit("Segment", segment.id, "delete", {"name": [segment.name, None]})
    return segment


def _definition(segments: dict[uuid.UUID, Segment], links: Links, segment: Segment) -> Select[Any]:
    """The select of the customer ids the segment's definition names, right now."""
    matched = (
        customer_condition(segment.filter, f"segment {segment.name}")
        if segment.filter is not None
        else false()
    )
    included = [
        Customer.id.in_(_members(segments, links, segments[other]))
        for other in links.include.get(segment.id, [])
    ]
    statement = select(Customer.id).where(Customer.deleted_at.is_(None), or_(matched, *included))
    for other in links.exclude.get(segment.id, []):
        statement = statement.where(Customer.id.not_in(_members(segments, links, segments[other])))
    return statement


def _members(segments: dict[uuid.UUID, Segment], links: Links, segment: Segment) -> Select[Any]:
    if segment.kind == "snapshot":
        return select(SegmentMember.customer_id).where(SegmentMember.segment_id == segment.id)
    return _definition(segments, links, segment)


async def member_ids(op: Operation, segment: Segment) -> Select[Any]:
    """The select of the segment's members: stored for a snapshot, evaluated for a dynamic one."""
    segments = {row.id: row for row in (await op.session.execute(select(Segment))).scalars()}
    return _members(segments, await _links(op), segment)


@dataclass(frozen=True)
class RefreshResult:
    segment: Segment
    seconds: float


async def refresh_segment(op: Operation, segment_id: uuid.UUID) -> RefreshResult:
    """Recompute a snapshot segment's members from its definition, as sets, in SQL.

    The old membership goes in one DELETE; the definition is one SELECT whose ids are written
    back in one bulk insert (COPY on PostgreSQL). An INSERT ... SELECT would be one statement
    less, but tenancy scopes the statements the ORM runs, and an INSERT's inner SELECT is not
    one of them.
    """
    segment = await get_row(op, Segment, segment_id, "id", "segment")
    if segment.kind != "snapshot":
        raise ValidationFailed.one(
            "id",
            "only a snapshot segment is refreshed; a dynamic one is live",
            MarketingErrorCode.NOT_A_SNAPSHOT,
        )
    started = time.perf_counter()
    segments = {row.id: row for row in (await op.session.execute(select(Segment))).scalars()}
    definition = _definition(segments, await _links(op), segment)
    await op.session.execute(delete(SegmentMember).where(SegmentMember.segment_id == segment.id))
    ids = (await op.session.execute(definition)).scalars().all()
    await insert_rows(
        op.session,
        cast(Table, SegmentMember.__table__),
        [
            {
                "workspace_id": op.workspace_id,
                "id": uuid.uuid4(),
                "segment_id": segment.id,
                "customer_id": customer_id,
            }
            for customer_id in ids
        ],
    )
    previous = segment.member_count
    segment.member_count, segment.refreshed_at = len(ids), utcnow()
    await op.session.flush()
    seconds = time.perf_counter() - started
    op.audit("Segment", segment.id, "refresh", {"memberCount": [previous, len(ids)]})
    await op.emit(SegmentRefreshed(id=segment.id, member_count=len(ids)))
    return RefreshResult(segment, seconds)


async def count_members(op: Operation, segment: Segment) -> int:
    ids = (await member_ids(op, segment)).subquery()
    return int((await op.session.execute(select(func.count()).select_from(ids))).scalar_one())
