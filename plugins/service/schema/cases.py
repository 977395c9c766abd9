"""Cases in GraphQL: the type with its history, conversation and timers, lists, one mutation
per status transition, and ``slaStatus`` with each timer's remaining time right now."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, exists
from strawberry import relay

from rapport.core import Interaction as InteractionRow
from rapport.core import utcnow
from rapport.plugins.service import sla_clock
from rapport.plugins.service.models import Case as CaseRow
from rapport.plugins.service.models import CaseActivity as CaseActivityRow
from rapport.plugins.service.models import CaseStatusChange as StatusChangeRow
from rapport.plugins.service.models import CaseWatcher as CaseWatcherRow
from rapport.plugins.service.models import SlaTimer as SlaTimerRow
from rapport.plugins.service.schema.articles import Article
from rapport.plugins.service.schema.assets import Asset
from rapport.plugins.service.schema.common import (
    READ,
    WRITE,
    CaseChannel,
    CaseKind,
    CasePriority,
    DeclaredRow,
    Metric,
    StatusCategory,
    TimerState,
    global_id,
)
from rapport.plugins.service.schema.policies import CaseStatus, SlaPolicy
from rapport.plugins.service.services import cases as service
from rapport.plugins.service.services.timers import CASE_LINK, case_facts, case_targets
from rapport.plugins.service.statuses import OPEN_CATEGORIES
from rapport.schema import (
    JSON,
    BooleanFilter,
    Connection,
    Custom,
    Customer,
    DateTimeFilter,
    Filterable,
    IDFilter,
    Info,
    IntFilter,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    ToMany,
    ToOne,
    User,
    UserError,
    argument_row_id,
    columns,
    connection,
    context_of,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    optional_row_id_of,
    order_input,
    read_many,
    reads,
    related,
    row_id_of,
    to_service_fields,
)

__all__ = [
    "CASES",
    "CASE_FILTERS",
    "Case",
    "CaseFilter",
    "CaseMutations",
    "CaseOrder",
    "CaseQueries",
]


@strawberry.enum
class CaseEntryType(Enum):
    PUBLIC_REPLY = "PUBLIC_REPLY"
    CUSTOMER_MESSAGE = "CUSTOMER_MESSAGE"
    INTERNAL_NOTE = "INTERNAL_NOTE"


@strawberry.type(description="One status a case entered, with when and by whom.")
class CaseStatusChange(DeclaredRow):
    __model__ = StatusChangeRow
    __permission__ = READ
    __columns__ = columns(
        "changed_at",
        "from_category",
        "to_category",
        "reason",
        status_id=Reference("CaseStatus", "status_id"),
        actor_id=Reference("User", "actor_id"),
    )

    changed_at: datetime
    from_category: StatusCategory | None
    to_category: StatusCategory
    status_id: relay.GlobalID | None
    actor_id: relay.GlobalID | None
    reason: str | None
    row: strawberry.Private[StatusChangeRow]


@strawberry.type(description="Assignment, field changes and escalations of a case.")
class CaseActivity(DeclaredRow):
    __model__ = CaseActivityRow
    __permission__ = READ
    __columns__ = columns("happened_at", "action", "detail", actor_id=Reference("User", "actor_id"))

    happened_at: datetime
    action: str
    detail: JSON
    actor_id: relay.GlobalID | None = strawberry.field(description="None: the worker.")
    row: strawberry.Private[CaseActivityRow]


@strawberry.type(description="A reply, customer message or note: an interaction of the timeline.")
class CaseEntry:
    __model__ = InteractionRow
    __permission__ = "interactions:read"
    __columns__ = columns(
        "kind",
        "direction",
        "occurred_at",
        "body",
        id=Reference("Interaction", "id"),
        user_id=Reference("User", "user_id"),
    )

    id: relay.GlobalID
    kind: str
    direction: str = strawberry.field(description="outbound: reply, inbound: customer, internal.")
    occurred_at: datetime
    body: str | None
    user_id: relay.GlobalID | None
    row: strawberry.Private[InteractionRow]

    @classmethod
    def from_model(cls, row: InteractionRow) -> CaseEntry:
        # Written out: its `id` is the interaction's global id, not a node's own.
        return cls(
            id=relay.GlobalID("Interaction", str(row.id)),
            kind=row.kind,
            direction=row.direction,
            occurred_at=row.occurred_at,
            body=row.body,
            user_id=global_id("User", row.user_id),
            row=row,
        )


@strawberry.type(description="An SLA timer as last computed from the case's history.")
class SlaTimer(DeclaredRow):
    __model__ = SlaTimerRow
    __permission__ = READ
    __columns__ = columns(
        "metric",
        "state",
        "started_at",
        "target_at",
        "warning_at",
        "target_seconds",
        "business_hours",
        "elapsed_seconds",
        "paused_seconds",
        "breached_at",
        "completed_at",
        "computed_at",
    )

    metric: Metric
    state: TimerState
    started_at: datetime
    target_at: datetime | None = strawberry.field(description="None while paused.")
    warning_at: datetime | None
    target_seconds: int
    business_hours: bool
    elapsed_seconds: int
    paused_seconds: int
    breached_at: datetime | None
    completed_at: datetime | None
    computed_at: datetime
    row: strawberry.Private[SlaTimerRow]


WATCHER_USER = ToOne(lambda: User, lambda scope: scope.row.user_id)


@strawberry.type(description="A user kept informed of a case.")
class CaseWatcher(DeclaredRow):
    __model__ = CaseWatcherRow
    __permission__ = READ
    __columns__ = columns(user_id=Reference("User", "user_id"))

    user_id: relay.GlobalID
    row: strawberry.Private[CaseWatcherRow]

    user: User | None = related(WATCHER_USER)


def _children(target: Any, at: str, *, newest_first: bool = False) -> ToMany:
    direction = OrderDirection.DESC if newest_first else OrderDirection.ASC
    return ToMany(
        target=target,
        link=lambda scope: scope.row.case_id == scope.parent_row.id,
        order=lambda scope: list_order(scope.row, None, [(at, direction)]),
    )


STATUS_HISTORY = _children(lambda: CaseStatusChange, "changed_at")
ACTIVITIES = _children(lambda: CaseActivity, "happened_at")
TIMERS = _children(lambda: SlaTimer, "metric")
WATCHERS = _children(lambda: CaseWatcher, "id")
CONVERSATION = ToMany(
    target=lambda: CaseEntry,
    link=lambda scope: scope.row.link_id == scope.parent_row.id,
    where=lambda scope: [scope.row.link_type == CASE_LINK, scope.row.deleted_at.is_(None)],
    order=lambda scope: list_order(scope.row, None, [("occurred_at", OrderDirection.ASC)]),
    permission="interactions:read",
)

CASE_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
CASE_CONTACT = ToOne(lambda: Customer, lambda scope: scope.row.contact_id)
CASE_ASSIGNEE = ToOne(lambda: User, lambda scope: scope.row.assignee_id)
CASE_ASSET = ToOne(lambda: Asset, lambda scope: scope.row.asset_id)
CASE_POLICY = ToOne(lambda: SlaPolicy, lambda scope: scope.row.policy_id)
CASE_STATUS = ToOne(lambda: CaseStatus, lambda scope: scope.row.status_id)
CASE_DUPLICATE_OF = ToOne(lambda: Case, lambda scope: scope.row.duplicate_of_id)
CASE_SOLUTION = ToOne(lambda: Article, lambda scope: scope.row.solution_article_id)


@strawberry.type(description="A customer's request, incident, question or complaint.")
class Case(ModelNode):
    __model__ = CaseRow
    __permission__ = READ
    __columns__ = columns(
        "kind",
        "subject",
        "description",
        "channel",
        "category",
        "subcategory",
        "priority",
        "severity",
        "team",
        "in_warranty",
        "root_cause",
        "resolution_summary",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "last_update_at",
        "reopen_count",
        "created_at",
        status_category="status_category",
        customer_id=Reference("Customer", "customer_id"),
        contact_id=Reference("Customer", "contact_id"),
        assignee_id=Reference("User", "assignee_id"),
        asset_id=Reference("Asset", "asset_id"),
        status_id=Reference("CaseStatus", "status_id"),
        duplicate_of_id=Reference("Case", "duplicate_of_id"),
        policy_id=Reference("SlaPolicy", "policy_id"),
        solution_article_id=Reference("Article", "solution_article_id"),
    )

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    contact_id: relay.GlobalID | None
    kind: CaseKind
    subject: str
    description: str | None
    channel: CaseChannel
    category: str | None
    subcategory: str | None
    priority: CasePriority
    severity: int | None = strawberry.field(description="1 (critical) to 5 (cosmetic).")
    assignee_id: relay.GlobalID | None
    team: str | None
    asset_id: relay.GlobalID | None
    in_warranty: bool | None = strawberry.field(
        description="The asset was under warranty the day the case was opened."
    )
    status_category: StatusCategory
    status_id: relay.GlobalID | None = strawberry.field(description="The workspace's own status.")
    duplicate_of_id: relay.GlobalID | None
    root_cause: str | None
    resolution_summary: str | None
    solution_article_id: relay.GlobalID | None
    policy_id: relay.GlobalID | None
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_update_at: datetime
    reopen_count: int
    created_at: datetime
    row: strawberry.Private[CaseRow]

    customer: Customer | None = related(CASE_CUSTOMER)
    contact: Customer | None = related(CASE_CONTACT, description="The person who got in touch.")
    assignee: User | None = related(CASE_ASSIGNEE)
    asset: Asset | None = related(CASE_ASSET)
    policy: SlaPolicy | None = related(CASE_POLICY, description="The SLA policy that matched.")
    status: CaseStatus | None = related(CASE_STATUS)
    duplicate_of: Case | None = related(CASE_DUPLICATE_OF)
    solution_article: Article | None = related(
        CASE_SOLUTION, description="The knowledge-base article that solved it."
    )

    @strawberry.field(metadata=reads(STATUS_HISTORY), description="Every status, oldest first.")
    async def status_history(self, info: Info) -> list[CaseStatusChange]:
        return await read_many(info, STATUS_HISTORY, self)

    @strawberry.field(metadata=reads(ACTIVITIES), description="Everything else that happened.")
    async def activities(self, info: Info) -> list[CaseActivity]:
        return await read_many(info, ACTIVITIES, self)

    @strawberry.field(metadata=reads(CONVERSATION), description="Replies, messages and notes.")
    async def conversation(self, info: Info) -> list[CaseEntry]:
        return await read_many(info, CONVERSATION, self)

    @strawberry.field(metadata=reads(TIMERS), description="SLA timers, as last computed.")
    async def timers(self, info: Info) -> list[SlaTimer]:
        return await read_many(info, TIMERS, self)

    @strawberry.field(metadata=reads(WATCHERS))
    async def watchers(self, info: Info) -> list[CaseWatcher]:
        return await read_many(info, WATCHERS, self)


def _breached(value: bool) -> ColumnElement[bool]:
    breached = exists().where(SlaTimerRow.case_id == CaseRow.id, SlaTimerRow.state == "BREACHED")
    return breached if value else ~breached


def _open(value: bool) -> ColumnElement[bool]:
    category = CaseRow.status_category.in_(sorted(OPEN_CATEGORIES))
    return category if value else ~category


CASE_FILTERS = {
    "customer": Filterable(IDFilter, CaseRow.customer_id),
    "assignee": Filterable(IDFilter, CaseRow.assignee_id),
    "asset": Filterable(IDFilter, CaseRow.asset_id),
    "subject": Filterable(StringFilter, CaseRow.subject),
    "category": Filterable(StringFilter, CaseRow.category),
    "team": Filterable(StringFilter, CaseRow.team),
    "status_category": Filterable(
        list[StatusCategory],
        Custom(lambda v: CaseRow.status_category.in_([c.value for c in v])),
    ),
    "priority": Filterable(
        list[CasePriority], Custom(lambda v: CaseRow.priority.in_([p.value for p in v]))
    ),
    "kind": Filterable(list[CaseKind], Custom(lambda v: CaseRow.kind.in_([k.value for k in v]))),
    "channel": Filterable(
        list[CaseChannel], Custom(lambda v: CaseRow.channel.in_([c.value for c in v]))
    ),
    "is_open": Filterable(bool, Custom(_open)),
    "breached": Filterable(bool, Custom(_breached)),
    "in_warranty": Filterable(BooleanFilter, CaseRow.in_warranty),
    "reopen_count": Filterable(IntFilter, CaseRow.reopen_count),
    "opened_at": Filterable(DateTimeFilter, CaseRow.opened_at),
    "resolved_at": Filterable(DateTimeFilter, CaseRow.resolved_at),
}


@filter_input(CASE_FILTERS, description="Conditions on cases; all given conditions must hold.")
class CaseFilter: ...


@order_input(
    {
        "OPENED_AT": "opened_at",
        "PRIORITY": "priority",
        "LAST_UPDATE_AT": "last_update_at",
        "RESOLVED_AT": "resolved_at",
    }
)
class CaseOrder: ...


CASES = filtered_listing(lambda: Case, CASE_FILTERS, [("opened_at", OrderDirection.DESC)])


@strawberry.type(description="A timer computed at the moment of asking.")
class SlaTimerStatus:
    metric: Metric
    state: TimerState
    started_at: datetime
    target_at: datetime | None
    warning_at: datetime | None
    business_hours: bool
    target_seconds: int
    elapsed_seconds: int
    paused_seconds: int
    remaining_seconds: int = strawberry.field(
        description="Business (or calendar) seconds left; negative: past the target."
    )
    breached_at: datetime | None
    completed_at: datetime | None


@strawberry.type
class SlaStatus:
    case_id: relay.GlobalID
    policy_id: relay.GlobalID | None
    computed_at: datetime
    timers: list[SlaTimerStatus]


@strawberry.type
class CaseQueries:
    cases: Connection[Case] = connection(
        CASES, filter=CaseFilter, order=CaseOrder, description="Cases, newest first by default."
    )

    @strawberry.field(description="The case's timers computed now from its history.")
    async def sla_status(self, info: Info, case_id: relay.GlobalID) -> SlaStatus | None:
        context = context_of(info)
        context.require(READ)
        row_id = argument_row_id(case_id, "Case", "caseId")
        now = utcnow()
        async with context.db():
            op = context.operation
            case = await op.session.get(CaseRow, (op.workspace_id, row_id))
            if case is None:
                return None
            facts = await case_facts(op, case)
            timers = []
            for row, target in await case_targets(op, case):
                state = sla_clock.compute_timer(target, facts, now)
                if state is None:
                    continue
                timers.append(
                    SlaTimerStatus(
                        metric=Metric(state.metric),
                        state=TimerState(state.state),
                        started_at=state.started_at,
                        target_at=state.target_at,
                        warning_at=state.warning_at,
                        business_hours=row.business_hours,
                        target_seconds=target.seconds,
                        elapsed_seconds=round(state.elapsed_seconds),
                        paused_seconds=round(state.paused_seconds),
                        remaining_seconds=round(state.remaining_seconds),
                        breached_at=state.breached_at,
                        completed_at=state.completed_at,
                    )
                )
        return SlaStatus(
            case_id=case_id,
            policy_id=global_id("SlaPolicy", case.policy_id),
            computed_at=now,
            timers=sorted(timers, key=lambda t: t.metric.value),
        )


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `kind`, `subject`, `channel` and `priority`). A case stays with its customer."
)
class UpdateCaseInput:
    contact_id: relay.GlobalID | None = strawberry.UNSET
    kind: CaseKind | None = strawberry.UNSET
    subject: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    channel: CaseChannel | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    subcategory: str | None = strawberry.UNSET
    priority: CasePriority | None = strawberry.UNSET
    severity: int | None = strawberry.UNSET
    team: str | None = strawberry.UNSET
    asset_id: relay.GlobalID | None = strawberry.UNSET

    def to_fields(self) -> service.CaseFields:
        return to_service_fields(
            self,
            service.CaseFields,
            id_types={"customer_id": "Customer", "contact_id": "Customer", "asset_id": "Asset"},
        )


@strawberry.input(description="A new case: its customer, subject and channel.")
class OpenCaseInput(UpdateCaseInput):
    customer_id: relay.GlobalID
    subject: str
    channel: CaseChannel
    opened_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When the customer got in touch; default now."
    )


@strawberry.input(description="Optional details of a status move.")
class CaseMoveInput:
    at: datetime | None = strawberry.field(
        default=None, description="When it happened (default now; not before the last move)."
    )
    reason: str | None = None
    status_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The workspace's own status, within the move's category."
    )
    root_cause: str | None = None
    resolution_summary: str | None = None
    solution_article_id: relay.GlobalID | None = None


@strawberry.type
class CasePayload:
    case: Case | None
    errors: list[UserError]


@strawberry.type
class CaseEntryPayload:
    case: Case | None
    entry: CaseEntry | None
    errors: list[UserError]


def _payload(result: tuple[Any, list[UserError]]) -> CasePayload:
    row, errors = result
    return CasePayload(case=Case.from_model(row) if row else None, errors=errors)


async def _move(
    info: Info,
    id: relay.GlobalID,
    category: str | None,
    input: CaseMoveInput | None,
    duplicate_of: relay.GlobalID | None = None,
) -> CasePayload:
    details = input or CaseMoveInput()

    async def work(op: Any) -> CaseRow:
        return await service.move_case(
            op,
            row_id_of(id, "Case", "id"),
            service.MoveFields(
                category=category,
                status_id=optional_row_id_of(details.status_id, "CaseStatus", "input.statusId"),
                at=details.at,
                reason=details.reason,
                duplicate_of_id=optional_row_id_of(duplicate_of, "Case", "duplicateOfId"),
                root_cause=details.root_cause,
                resolution_summary=details.resolution_summary,
                solution_article_id=optional_row_id_of(
                    details.solution_article_id, "Article", "input.solutionArticleId"
                ),
            ),
        )

    return _payload(await mutate(info, WRITE, work))


@strawberry.type
class CaseMutations:
    @strawberry.mutation(description="Open a case; the first matching SLA policy applies.")
    async def open_case(self, info: Info, input: OpenCaseInput) -> CasePayload:
        async def work(op: Any) -> CaseRow:
            return await service.open_case(op, input.to_fields())

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Change fields; a new priority may select another policy.")
    async def update_case(
        self, info: Info, id: relay.GlobalID, input: UpdateCaseInput
    ) -> CasePayload:
        async def work(op: Any) -> CaseRow:
            return await service.update_case(op, row_id_of(id, "Case", "id"), input.to_fields())

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(
        description="Give a case to an agent and/or a team (NEW becomes ASSIGNED)."
    )
    async def assign_case(
        self,
        info: Info,
        id: relay.GlobalID,
        assignee_id: relay.GlobalID | None = None,
        team: str | None = None,
        at: datetime | None = None,
    ) -> CasePayload:
        async def work(op: Any) -> CaseRow:
            return await service.assign_case(
                op,
                row_id_of(id, "Case", "id"),
                optional_row_id_of(assignee_id, "User", "assigneeId"),
                team,
                at,
            )

        return _payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Move to a workspace status (its category's rules apply).")
    async def move_case(
        self,
        info: Info,
        id: relay.GlobalID,
        status_id: relay.GlobalID,
        input: CaseMoveInput | None = None,
    ) -> CasePayload:
        details = input or CaseMoveInput()
        details.status_id = status_id
        return await _move(info, id, None, details)

    @strawberry.mutation(description="Work starts (or resumes after waiting): IN_PROGRESS.")
    async def start_case(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "IN_PROGRESS", input)

    @strawberry.mutation(description="Waiting on the customer: timers that list it pause.")
    async def wait_on_customer(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "WAITING_ON_CUSTOMER", input)

    @strawberry.mutation(description="Waiting on a third party: timers that list it pause.")
    async def wait_on_third_party(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "WAITING_ON_THIRD_PARTY", input)

    @strawberry.mutation(
        description="Solved: the resolution timer stops; a CSAT survey is offered."
    )
    async def resolve_case(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "RESOLVED", input)

    @strawberry.mutation(description="Close a solved case (a complaint needs its root cause).")
    async def close_case(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "CLOSED", input)

    @strawberry.mutation(description="Reopen a solved case within the reopen window.")
    async def reopen_case(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "IN_PROGRESS", input)

    @strawberry.mutation(description="Refuse a case: final.")
    async def reject_case(
        self, info: Info, id: relay.GlobalID, input: CaseMoveInput | None = None
    ) -> CasePayload:
        return await _move(info, id, "REJECTED", input)

    @strawberry.mutation(description="Mark as a duplicate of another case: final.")
    async def mark_case_duplicate(
        self,
        info: Info,
        id: relay.GlobalID,
        duplicate_of_id: relay.GlobalID,
        input: CaseMoveInput | None = None,
    ) -> CasePayload:
        return await _move(info, id, "DUPLICATE", input, duplicate_of_id)

    @strawberry.mutation(description="A reply, customer message or internal note on the case.")
    async def add_case_entry(
        self,
        info: Info,
        case_id: relay.GlobalID,
        type: CaseEntryType,
        body: str,
        at: datetime | None = None,
    ) -> CaseEntryPayload:
        async def work(op: Any) -> tuple[CaseRow, InteractionRow]:
            return await service.add_entry(
                op, row_id_of(case_id, "Case", "caseId"), type.value, body, at
            )

        result, errors = await mutate(info, WRITE, work)
        if result is None:
            return CaseEntryPayload(case=None, entry=None, errors=errors)
        case, entry = result
        return CaseEntryPayload(
            case=Case.from_model(case), entry=CaseEntry.from_model(entry), errors=errors
        )
