"""Importing customers from CSV: validate every row, find duplicates, write in batches.

Every row is parsed and checked before anything is written. In ``all-or-nothing`` mode a
single bad row means nothing is written; in ``skip-bad-rows`` mode the good rows go in and the
bad ones are reported (row, column, problem). Rows whose email or phone belongs to a live
customer already are skipped, update that customer, or create a new one (``dedupe``); two rows
of one file with the same email or phone are a problem unless ``dedupe`` is ``create``.
New customers and their contact points go in through the engine's fast path
(:mod:`rapport.core.imports.writer`); the whole import is one transaction, audited once.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import select

from rapport.core.db import new_id, table_of, utcnow
from rapport.core.errors import ErrorCode
from rapport.core.event_types import CustomerImported
from rapport.core.imports.columns import ColumnPlan, plan_columns
from rapport.core.imports.rows import ParsedRow, RowProblem, parse_row
from rapport.core.imports.writer import insert_rows
from rapport.core.models import ContactPoint, Customer
from rapport.core.services.changes import apply_changes
from rapport.core.services.contact_points import phone_region
from rapport.core.services.custom_fields import definitions
from rapport.core.services.customers import display_name_of
from rapport.core.services.operation import Operation

__all__ = [
    "DedupeMode",
    "DuplicateRow",
    "ImportMode",
    "ImportOptions",
    "ImportReport",
    "import_customers",
]

T = TypeVar("T")
LOOKUP_CHUNK = 500
CONTACT_KINDS = ("email", "phone")
# Columns of a new customer that a row does not set.
CUSTOMER_DEFAULTS: dict[str, Any] = {
    "lifecycle_status": "lead",
    "first_name": None,
    "last_name": None,
    "organization_name": None,
    "owner_id": None,
    "tags": [],
    "industry": None,
    "occupation": None,
    "birth_date": None,
    "region": None,
    "source_channel": None,
    "value_grade": None,
    "churn_risk": None,
    "notes": None,
    "attributes": {},
    "merged_into_id": None,
    "deleted_at": None,
    "version": 1,
}


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all-or-nothing"
    SKIP_BAD_ROWS = "skip-bad-rows"


class DedupeMode(StrEnum):
    SKIP = "skip"
    UPDATE = "update"
    CREATE = "create"


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)
    mode: ImportMode = ImportMode.ALL_OR_NOTHING
    dedupe: DedupeMode = DedupeMode.SKIP
    batch_size: int = 1000
    max_rows: int | None = None
    source: str = "csv"


@dataclass(frozen=True)
class DuplicateRow:
    row: int
    customer_id: uuid.UUID
    matched_on: str  # "email" or "phone"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    written: bool = False

    @property
    def failed(self) -> int:
        return len({problem.row for problem in self.problems})


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _read(
    lines: Iterable[str], options: ImportOptions, report: ImportReport
) -> tuple[ColumnPlan | None, list[tuple[int, dict[str | None, Any]]]]:
    reader = csv.DictReader(lines)
    try:
        headers = [h.lstrip("\ufeff").strip() for h in reader.fieldnames or []]
        if not headers:
            report.problems.append(RowProblem(1, None, "the file is empty"))
            return None, []
        reader.fieldnames = headers
        plan = plan_columns(headers, options.mapping)
        for column, problem in plan.problems:
            report.problems.append(RowProblem(1, column, problem, ErrorCode.UNKNOWN_FIELD))
        if plan.problems:
            return None, []
        rows: list[tuple[int, dict[str | None, Any]]] = []
        for number, raw in enumerate(reader, start=2):
            if options.max_rows is not None and len(rows) >= options.max_rows:
                report.problems.append(
                    RowProblem(
                        number,
                        None,
                        f"at most {options.max_rows} rows per import",
                        ErrorCode.LIMIT_EXCEEDED,
                    )
                )
                return None, []
            rows.append((number, raw))
    except csv.Error as exc:
        report.problems.append(RowProblem(reader.line_num, None, f"not valid CSV: {exc}"))
        return None, []
    return plan, rows


def _file_duplicates(rows: list[ParsedRow], plan: ColumnPlan) -> list[RowProblem]:
    first: dict[tuple[str, str], int] = {}
    problems: list[RowProblem] = []
    for row in rows:
        for kind, (_, normalized) in row.contacts.items():
            seen = first.setdefault((kind, normalized), row.row)
            if seen != row.row:
                problems.append(
                    RowProblem(
                        row.row,
                        plan.column_of(kind),
                        f"same {kind} as row {seen}",
                        ErrorCode.DUPLICATE,
                    )
                )
    return problems


async def _existing(op: Operation, rows: list[ParsedRow]) -> dict[tuple[str, str], uuid.UUID]:
    """(kind, normalised value) -> the live customer that has it."""
    found: dict[tuple[str, str], uuid.UUID] = {}
    for kind in CONTACT_KINDS:
        values = {row.contacts[kind][1] for row in rows if kind in row.contacts}
        for chunk in _chunks(sorted(values), LOOKUP_CHUNK):
            matches = await op.session.execute(
                select(ContactPoint.normalized_value, ContactPoint.customer_id)
                .join(Customer, Customer.id == ContactPoint.customer_id)
                .where(
                    ContactPoint.kind == kind,
                    ContactPoint.normalized_value.in_(chunk),
                    Customer.deleted_at.is_(None),
                )
                .order_by(ContactPoint.created_at)
            )
            for value, customer_id in matches:
                found.setdefault((kind, value), customer_id)
    return found


def _match(row: ParsedRow, existing: dict[tuple[str, str], uuid.UUID]) -> DuplicateRow | None:
    for kind in CONTACT_KINDS:
        if kind in row.contacts:
            customer_id = existing.get((kind, row.contacts[kind][1]))
            if customer_id is not None:
                return DuplicateRow(row.row, customer_id, kind)
    return None


def _contact_row(
    op: Operation, customer_id: uuid.UUID, kind: str, pair: tuple[str, str], primary: bool
) -> dict[str, Any]:
    now = utcnow()
    return {
        "workspace_id": op.workspace_id,
        "id": new_id(),
        "customer_id": customer_id,
        "kind": kind,
        "label": None,
        "value": pair[0],
        "normalized_value": pair[1],
        "is_primary": primary,
        "consent_marketing": False,
        "do_not_contact": False,
        "verified": False,
        "created_at": now,
        "updated_at": now,
    }


async def _create_customers(op: Operation, rows: list[ParsedRow]) -> list[uuid.UUID]:
    now = utcnow()
    ids = [new_id() for _ in rows]
    customers: list[dict[str, Any]] = []
    for row, customer_id in zip(rows, ids, strict=True):
        values = {**CUSTOMER_DEFAULTS, **row.values}
        customers.append(
            {
                **values,
                "workspace_id": op.workspace_id,
                "id": customer_id,
                "display_name": display_name_of(values["kind"], values),
                "created_at": now,
                "updated_at": now,
            }
        )
    await insert_rows(op.session, table_of(Customer), customers)
    return ids


async def _create_contacts(op: Operation, rows: list[tuple[ParsedRow, uuid.UUID]]) -> None:
    contacts = [
        _contact_row(op, customer_id, kind, pair, primary=True)
        for row, customer_id in rows
        for kind, pair in row.contacts.items()
    ]
    await insert_rows(op.session, table_of(ContactPoint), contacts)


async def _update(op: Operation, rows: list[tuple[ParsedRow, uuid.UUID]]) -> None:
    """Non-empty row values overwrite; tags are united; missing emails and phones are added."""
    ids = {customer_id for _, customer_id in rows}
    customers = {
        c.id: c
        for c in (await op.session.execute(select(Customer).where(Customer.id.in_(ids)))).scalars()
    }
    points = await op.session.execute(select(ContactPoint).where(ContactPoint.customer_id.in_(ids)))
    have: set[tuple[uuid.UUID, str, str]] = set()
    primaries: set[tuple[uuid.UUID, str]] = set()
    for point in points.scalars():
        have.add((point.customer_id, point.kind, point.normalized_value))
        if point.is_primary:
            primaries.add((point.customer_id, point.kind))
    new_points: list[dict[str, Any]] = []
    for row, customer_id in rows:
        customer = customers[customer_id]
        # The kind stays: a row's kind may only have been inferred from its names.
        values = {k: v for k, v in row.values.items() if k != "kind"}
        values["tags"] = sorted(set(customer.tags or []) | set(values.get("tags", [])))
        values["attributes"] = {**(customer.attributes or {}), **values.get("attributes", {})}
        if apply_changes(customer, values):
            current = {name: getattr(customer, name) for name in CUSTOMER_DEFAULTS}
            customer.display_name = display_name_of(customer.kind, current)
            customer.updated_at = utcnow()
        for kind, pair in row.contacts.items():
            if (customer_id, kind, pair[1]) in have:
                continue
            have.add((customer_id, kind, pair[1]))
            primary = (customer_id, kind) not in primaries
            primaries.add((customer_id, kind))
            new_points.append(_contact_row(op, customer_id, kind, pair, primary))
    await op.session.flush()
    await insert_rows(op.session, table_of(ContactPoint), new_points)


async def import_customers(
    op: Operation,
    lines: Iterable[str],
    options: ImportOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the CSV ``lines``; ``progress(n)`` is called as each batch of n rows is done."""
    options = options or ImportOptions()
    report = ImportReport()
    plan, raw_rows = _read(lines, options, report)
    report.rows = len(raw_rows)
    if plan is None:
        return report
    known = await definitions(op.session)
    parsed: list[ParsedRow] = []
    region = await phone_region(op)
    for number, raw in raw_rows:
        result = parse_row(number, raw, plan, known, region)
        if isinstance(result, ParsedRow):
            parsed.append(result)
        else:
            report.problems.extend(result)
    if options.dedupe != DedupeMode.CREATE:
        report.problems.extend(_file_duplicates(parsed, plan))
    if report.problems and options.mode == ImportMode.ALL_OR_NOTHING:
        report.problems.sort(key=lambda p: p.row)
        return report
    bad = {problem.row for problem in report.problems}
    good = [row for row in parsed if row.row not in bad]
    existing = await _existing(op, good) if options.dedupe != DedupeMode.CREATE else {}
    to_create: list[ParsedRow] = []
    to_update: list[tuple[ParsedRow, uuid.UUID]] = []
    for row in good:
        match = _match(row, existing)
        if match is None:
            to_create.append(row)
            continue
        report.duplicates.append(match)
        if options.dedupe == DedupeMode.UPDATE:
            to_update.append((row, match.customer_id))
    if progress and bad:
        progress(len(bad))
    if progress and len(good) > len(to_create) + len(to_update):
        progress(len(good) - len(to_create) - len(to_update))
    # All customers first, then all contact points: PostgreSQL plans the contact points'
    # foreign-key check once per connection, and a plan made while the customers table was
    # still small (a seq scan) would make every later batch slower than the one before.
    created: list[tuple[ParsedRow, uuid.UUID]] = []
    for batch in _chunks(to_create, options.batch_size):
        created.extend(zip(batch, await _create_customers(op, batch), strict=True))
    for pairs in _chunks(created, options.batch_size):
        await _create_contacts(op, pairs)
        report.created += len(pairs)
        if progress:
            progress(len(pairs))
    for pairs in _chunks(to_update, options.batch_size):
        await _update(op, pairs)
        report.updated += len(pairs)
        if progress:
            progress(len(pairs))
    report.skipped = len(good) - report.created - report.updated
    report.problems.sort(key=lambda p: p.row)
    report.written = True
    await _record(op, report, options)
    return report


async def _record(op: Operation, report: ImportReport, options: ImportOptions) -> None:
    import_id = new_id()
    summary: dict[str, Any] = {
        "source": options.source,
        "mode": options.mode.value,
        "dedupe": options.dedupe.value,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped,
        "failed": report.failed,
    }
    op.audit("Import", import_id, "import", summary)
    await op.emit(CustomerImported(id=import_id, **summary))
