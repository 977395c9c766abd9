"""Field visits (work orders) and service schedules in GraphQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.service.models import ServiceSchedule as ScheduleRow
from rapport.plugins.service.models import WorkOrder as WorkOrderRow
from rapport.plugins.service.models import WorkOrderLine as LineRow
from rapport.plugins.service.schema.common import READ, WRITE, DeclaredRow
from rapport.plugins.service.services import schedules as schedule_service
from rapport.plugins.service.services import visits as service
from rapport.schema import (
    Connection,
    Custom,
    DateTimeFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    ToMany,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    optional_row_id_of,
    order_input,
    read_many,
    reads,
    row_id_of,
)

__all__ = ["ServiceSchedule", "VisitMutations", "VisitQueries", "WorkOrder"]


@strawberry.enum
class WorkOrderStatus(Enum):
    NEW = "NEW"
    SCHEDULED = "SCHEDULED"
    DISPATCHED = "DISPATCHED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class WorkOrderLineKind(Enum):
    PART = "PART"
    LABOUR = "LABOUR"


@strawberry.type(description="Parts or labour used on a visit.")
class WorkOrderLine(DeclaredRow):
    __model__ = LineRow
    __permission__ = READ
    __columns__ = columns("kind", "description", "quantity", "unit_price", "currency", "covered")

    kind: WorkOrderLineKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    covered: bool = strawberry.field(description="Paid by the asset's warranty.")
    row: strawberry.Private[LineRow]


VISIT_LINES = ToMany(
    target=lambda: WorkOrderLine,
    link=lambda scope: scope.row.work_order_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, None, [("description", OrderDirection.ASC)]),
)


@strawberry.type(description="A field visit for a case or an asset.")
class WorkOrder(ModelNode):
    __model__ = WorkOrderRow
    __permission__ = READ
    __columns__ = columns(
        "subject",
        "status",
        "arrival_from",
        "arrival_until",
        "started_at",
        "ended_at",
        "outcome",
        "sign_off_note",
        customer_id=Reference("Customer", "customer_id"),
        case_id=Reference("Case", "case_id"),
        asset_id=Reference("Asset", "asset_id"),
        technician_id=Reference("User", "technician_id"),
        schedule_id=Reference("ServiceSchedule", "schedule_id"),
    )

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    case_id: relay.GlobalID | None
    asset_id: relay.GlobalID | None
    technician_id: relay.GlobalID | None
    schedule_id: relay.GlobalID | None
    subject: str
    status: WorkOrderStatus
    arrival_from: datetime | None
    arrival_until: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    sign_off_note: str | None = strawberry.field(description="The customer's sign-off.")
    row: strawberry.Private[WorkOrderRow]

    @strawberry.field(description="Seconds from the actual start to the actual end.")
    def duration_seconds(self) -> int | None:
        if self.row.started_at is None or self.row.ended_at is None:
            return None
        return int((self.row.ended_at - self.row.started_at).total_seconds())

    @strawberry.field(metadata=reads(VISIT_LINES))
    async def lines(self, info: Info) -> list[WorkOrderLine]:
        return await read_many(info, VISIT_LINES, self)


@strawberry.type(description="A periodic callback: a visit or a task at each occurrence.")
class ServiceSchedule(ModelNode):
    __model__ = ScheduleRow
    __permission__ = READ
    __columns__ = columns(
        "subject",
        "creates",
        "recurrence",
        "next_at",
        "created_count",
        "active",
        customer_id=Reference("Customer", "customer_id"),
        asset_id=Reference("Asset", "asset_id"),
        owner_id=Reference("User", "owner_id"),
    )

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    asset_id: relay.GlobalID | None
    owner_id: relay.GlobalID | None
    subject: str
    creates: str = strawberry.field(description="VISIT or TASK.")
    recurrence: str
    next_at: datetime
    created_count: int
    active: bool
    row: strawberry.Private[ScheduleRow]


VISIT_FILTERS = {
    "customer": Filterable(IDFilter, WorkOrderRow.customer_id),
    "case": Filterable(IDFilter, WorkOrderRow.case_id),
    "asset": Filterable(IDFilter, WorkOrderRow.asset_id),
    "technician": Filterable(IDFilter, WorkOrderRow.technician_id),
    "status": Filterable(
        list[WorkOrderStatus], Custom(lambda v: WorkOrderRow.status.in_([s.value for s in v]))
    ),
    "arrival_from": Filterable(DateTimeFilter, WorkOrderRow.arrival_from),
}
SCHEDULE_FILTERS = {
    "customer": Filterable(IDFilter, ScheduleRow.customer_id),
    "asset": Filterable(IDFilter, ScheduleRow.asset_id),
    "next_at": Filterable(DateTimeFilter, ScheduleRow.next_at),
}


@filter_input(VISIT_FILTERS, description="Conditions on visits.")
class WorkOrderFilter: ...


@order_input({"ARRIVAL_FROM": "arrival_from", "CREATED_AT": "created_at"})
class WorkOrderOrder: ...


@filter_input(SCHEDULE_FILTERS, description="Conditions on service schedules.")
class ServiceScheduleFilter: ...


@order_input({"NEXT_AT": "next_at"})
class ServiceScheduleOrder: ...


VISITS = filtered_listing(lambda: WorkOrder, VISIT_FILTERS, [("created_at", OrderDirection.DESC)])
SCHEDULES = filtered_listing(
    lambda: ServiceSchedule, SCHEDULE_FILTERS, [("next_at", OrderDirection.ASC)]
)


@strawberry.input
class WorkOrderInput:
    subject: str
    customer_id: relay.GlobalID | None = None
    case_id: relay.GlobalID | None = None
    asset_id: relay.GlobalID | None = None
    technician_id: relay.GlobalID | None = None
    arrival_from: datetime | None = None
    arrival_until: datetime | None = None


@strawberry.input
class WorkOrderMoveInput:
    at: datetime | None = None
    technician_id: relay.GlobalID | None = None
    arrival_from: datetime | None = None
    arrival_until: datetime | None = None
    outcome: str | None = None
    sign_off_note: str | None = None


@strawberry.input
class WorkOrderLineInput:
    kind: WorkOrderLineKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str


@strawberry.input
class ServiceScheduleInput:
    subject: str
    recurrence: str = strawberry.field(
        description="FREQ=DAILY|WEEKLY|MONTHLY|YEARLY;INTERVAL=n;COUNT=n"
    )
    first_at: datetime
    creates: str = "VISIT"
    customer_id: relay.GlobalID | None = None
    asset_id: relay.GlobalID | None = None
    owner_id: relay.GlobalID | None = None


@strawberry.type
class WorkOrderPayload:
    work_order: WorkOrder | None
    errors: list[UserError]


@strawberry.type
class ServiceSchedulePayload:
    schedule: ServiceSchedule | None
    errors: list[UserError]


def _visit(result: tuple[Any, list[UserError]]) -> WorkOrderPayload:
    row, errors = result
    return WorkOrderPayload(work_order=WorkOrder.from_model(row) if row else None, errors=errors)


@strawberry.type
class VisitQueries:
    work_orders: Connection[WorkOrder] = connection(
        VISITS, filter=WorkOrderFilter, order=WorkOrderOrder, description="Field visits."
    )
    service_schedules: Connection[ServiceSchedule] = connection(
        SCHEDULES, filter=ServiceScheduleFilter, order=ServiceScheduleOrder
    )


@strawberry.type
class VisitMutations:
    @strawberry.mutation(description="A visit for a case, an asset or a customer.")
    async def create_work_order(self, info: Info, input: WorkOrderInput) -> WorkOrderPayload:
        async def work(op: Any) -> WorkOrderRow:
            return await service.create_visit(
                op,
                service.VisitFields(
                    subject=input.subject,
                    customer_id=optional_row_id_of(
                        input.customer_id, "Customer", "input.customerId"
                    ),
                    case_id=optional_row_id_of(input.case_id, "Case", "input.caseId"),
                    asset_id=optional_row_id_of(input.asset_id, "Asset", "input.assetId"),
                    technician_id=optional_row_id_of(
                        input.technician_id, "User", "input.technicianId"
                    ),
                    arrival_from=input.arrival_from,
                    arrival_until=input.arrival_until,
                ),
            )

        return _visit(await mutate(info, WRITE, work))

    @strawberry.mutation(description="NEW -> SCHEDULED -> DISPATCHED -> IN_PROGRESS -> COMPLETED.")
    async def move_work_order(
        self,
        info: Info,
        id: relay.GlobalID,
        status: WorkOrderStatus,
        input: WorkOrderMoveInput | None = None,
    ) -> WorkOrderPayload:
        details = input or WorkOrderMoveInput()

        async def work(op: Any) -> WorkOrderRow:
            return await service.move_visit(
                op,
                row_id_of(id, "WorkOrder", "id"),
                status.value,
                at=details.at,
                technician_id=optional_row_id_of(
                    details.technician_id, "User", "input.technicianId"
                ),
                arrival_from=details.arrival_from,
                arrival_until=details.arrival_until,
                outcome=details.outcome,
                sign_off_note=details.sign_off_note,
            )

        return _visit(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Add parts or labour; the warranty decides what is covered.")
    async def add_work_order_line(
        self, info: Info, work_order_id: relay.GlobalID, input: WorkOrderLineInput
    ) -> WorkOrderPayload:
        async def work(op: Any) -> WorkOrderRow:
            row_id = row_id_of(work_order_id, "WorkOrder", "workOrderId")
            await service.add_line(
                op,
                row_id,
                service.LineFields(
                    kind=input.kind.value,
                    description=input.description,
                    quantity=input.quantity,
                    unit_price=input.unit_price,
                    currency=input.currency,
                ),
            )
            return await service.get_row(op, WorkOrderRow, row_id, "workOrderId", "visit")

        return _visit(await mutate(info, WRITE, work))

    @strawberry.mutation(description="A periodic callback creating visits or tasks.")
    async def create_service_schedule(
        self, info: Info, input: ServiceScheduleInput
    ) -> ServiceSchedulePayload:
        async def work(op: Any) -> ScheduleRow:
            return await schedule_service.create_schedule(
                op,
                schedule_service.ScheduleFields(
                    customer_id=optional_row_id_of(
                        input.customer_id, "Customer", "input.customerId"
                    ),
                    asset_id=optional_row_id_of(input.asset_id, "Asset", "input.assetId"),
                    owner_id=optional_row_id_of(input.owner_id, "User", "input.ownerId"),
                    subject=input.subject,
                    creates=input.creates,
                    recurrence=input.recurrence,
                    first_at=input.first_at,
                ),
            )

        row, errors = await mutate(info, WRITE, work)
        return ServiceSchedulePayload(
            schedule=ServiceSchedule.from_model(row) if row else None, errors=errors
        )
