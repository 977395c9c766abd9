"""Field visits (work orders): for a case or an asset, scheduled, dispatched, worked and
completed, with parts and labour lines that the asset's warranty may cover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from rapport.core import ErrorCode, Operation, ValidationFailed, get_customer
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.events import VisitStatusChanged
from rapport.plugins.service.models import Asset, Case, WorkOrder, WorkOrderLine
from rapport.plugins.service.services.common import Problems, get_row, moment

__all__ = [
    "VISIT_TRANSITIONS",
    "LineFields",
    "VisitFields",
    "add_line",
    "create_visit",
    "get_row",
    "move_visit",
]

VISIT_TRANSITIONS = {
    "NEW": ("SCHEDULED", "CANCELLED"),
    "SCHEDULED": ("SCHEDULED", "DISPATCHED", "CANCELLED"),
    "DISPATCHED": ("IN_PROGRESS", "SCHEDULED", "CANCELLED"),
    "IN_PROGRESS": ("COMPLETED", "CANCELLED"),
    "COMPLETED": (),
    "CANCELLED": (),
}
CENT = Decimal("0.01")


@dataclass
class VisitFields:
    subject: str | None = None
    customer_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    technician_id: uuid.UUID | None = None
    arrival_from: datetime | None = None
    arrival_until: datetime | None = None
    schedule_id: uuid.UUID | None = None


@dataclass
class LineFields:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str


async def create_visit(op: Operation, data: VisitFields) -> WorkOrder:
    problems = Problems()
    problems.required("subject", data.subject)
    problems.length("subject", data.subject, 300)
    case = await problems.exists(op, "caseId", Case, data.case_id, "case")
    asset = await problems.exists(op, "assetId", Asset, data.asset_id, "asset")
    await problems.user(op, "technicianId", data.technician_id)
    owners = {row.customer_id for row in (case, asset) if row is not None}
    if data.customer_id is not None:
        owners.add(data.customer_id)
    if len(owners) > 1:
        problems.add(
            "customerId",
            "the case, the asset and the customer do not belong together",
            ServiceErrorCode.CUSTOMER_MISMATCH,
        )
    elif not owners and not problems.errors:
        problems.add("customerId", "give a case, an asset or a customer", ErrorCode.REQUIRED)
    _window(problems, data.arrival_from, data.arrival_until)
    problems.raise_if_any()
    customer = await get_customer(op, owners.pop(), "input.customerId")
    visit = WorkOrder(
        workspace_id=op.workspace_id,
        customer_id=customer.id,
        case_id=data.case_id,
        asset_id=data.asset_id or (case.asset_id if case is not None else None),
        schedule_id=data.schedule_id,
        subject=(data.subject or "").strip(),
        status="NEW",
        technician_id=data.technician_id,
        arrival_from=data.arrival_from,
        arrival_until=data.arrival_until,
    )
    op.session.add(visit)
    await op.session.flush()
    op.audit(
        "WorkOrder", visit.id, "create", {"subject": [None, visit.subject]}, customer_id=customer.id
    )
    await op.emit(VisitStatusChanged(id=visit.id, status="NEW", previous=None))
    return visit


def _window(problems: Problems, start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        problems.add("arrivalUntil", "an arrival window has a start and an end")
    elif start is not None and end is not None and end <= start:
        problems.add("arrivalUntil", "ends before it starts")


async def move_visit(
    op: Operation,
    visit_id: uuid.UUID,
    status: str,
    *,
    at: datetime | None = None,
    technician_id: uuid.UUID | None = None,
    arrival_from: datetime | None = None,
    arrival_until: datetime | None = None,
    outcome: str | None = None,
    sign_off_note: str | None = None,
) -> WorkOrder:
    visit = await get_row(op, WorkOrder, visit_id, "id", "visit")
    problems = Problems("")
    if status not in VISIT_TRANSITIONS:
        problems.add("status", f"must be one of {', '.join(VISIT_TRANSITIONS)}")
        problems.raise_if_any()
    if status not in VISIT_TRANSITIONS[visit.status]:
        allowed = ", ".join(VISIT_TRANSITIONS[visit.status]) or "nothing: it is final"
        raise ValidationFailed.one(
            "status",
            f"a {visit.status} visit can move to {allowed}",
            ServiceErrorCode.ILLEGAL_TRANSITION,
        )
    await problems.user(op, "technicianId", technician_id)
    problems.not_future("at", at)
    _window(problems, arrival_from, arrival_until)
    when = moment(at)
    technician = technician_id or visit.technician_id
    if status == "SCHEDULED":
        if technician is None:
            problems.add("technicianId", "a scheduled visit has a technician", ErrorCode.REQUIRED)
        if (arrival_from or visit.arrival_from) is None:
            problems.add(
                "arrivalFrom", "a scheduled visit has an arrival window", ErrorCode.REQUIRED
            )
    if status == "COMPLETED":
        problems.required("outcome", outcome or visit.outcome, "a completed visit has an outcome")
        if visit.started_at is not None and when < visit.started_at:
            problems.add("at", "comes before the visit started", ServiceErrorCode.OUT_OF_ORDER)
    problems.raise_if_any()
    before = visit.status
    visit.status, visit.technician_id = status, technician
    if arrival_from is not None:
        visit.arrival_from, visit.arrival_until = arrival_from, arrival_until
    if status == "IN_PROGRESS":
        visit.started_at = when
    elif status == "COMPLETED":
        visit.ended_at = when
    if outcome is not None:
        visit.outcome = outcome
    if sign_off_note is not None:
        visit.sign_off_note = sign_off_note
    await op.session.flush()
    op.audit(
        "WorkOrder", visit.id, "move", {"status": [before, status]}, customer_id=visit.customer_id
    )
    await op.emit(VisitStatusChanged(id=visit.id, status=status, previous=before))
    return visit


async def add_line(op: Operation, visit_id: uuid.UUID, data: LineFields) -> WorkOrderLine:
    visit = await get_row(op, WorkOrder, visit_id, "workOrderId", "visit")
    problems = Problems()
    problems.one_of("kind", data.kind, ("PART", "LABOUR"))
    problems.required("description", data.description)
    problems.money("quantity", data.quantity, None, positive=True)
    if len(data.currency) != 3 or not data.currency.isalpha() or not data.currency.isupper():
        problems.add("currency", "an ISO 4217 code in capitals, such as EUR")
        problems.money("unitPrice", data.unit_price, None)
    else:
        problems.money("unitPrice", data.unit_price, data.currency)
    if visit.status in ("COMPLETED", "CANCELLED"):
        problems.add(
            "workOrderId",
            f"a {visit.status.lower()} visit takes no more lines",
            ServiceErrorCode.VISIT_FINAL,
        )
    problems.raise_if_any()
    asset = (
        await op.session.get(Asset, (op.workspace_id, visit.asset_id)) if visit.asset_id else None
    )
    line = WorkOrderLine(
        workspace_id=op.workspace_id,
        work_order_id=visit.id,
        kind=data.kind,
        description=data.description.strip(),
        quantity=data.quantity.quantize(CENT),
        unit_price=data.unit_price.quantize(CENT),
        currency=data.currency,
        covered=_covered(asset, data.kind, visit),
    )
    op.session.add(line)
    await op.session.flush()
    op.audit(
        "WorkOrder",
        visit.id,
        "add_line",
        {"line": [None, line.description]},
        customer_id=visit.customer_id,
    )
    return line


def _covered(asset: Asset | None, kind: str, visit: WorkOrder) -> bool:
    """The asset's warranty covers this kind of line on the day of the visit."""
    if asset is None or asset.warranty_start is None or asset.warranty_end is None:
        return False
    day = (visit.started_at or visit.arrival_from or moment(None)).date()
    in_period = asset.warranty_start <= day <= asset.warranty_end
    return in_period and (asset.covers_parts if kind == "PART" else asset.covers_labour)
