"""SLA policies, their targets, the workspace's statuses and escalation rules in GraphQL."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.service.models import CaseStatus as CaseStatusRow
from rapport.plugins.service.models import EscalationRule as EscalationRuleRow
from rapport.plugins.service.models import SlaPolicy as SlaPolicyRow
from rapport.plugins.service.models import SlaTarget as SlaTargetRow
from rapport.plugins.service.schema.calendars import BusinessCalendar
from rapport.plugins.service.schema.common import (
    MANAGE,
    READ,
    CaseChannel,
    CaseKind,
    CasePriority,
    DeclaredRow,
    Metric,
    StatusCategory,
)
from rapport.plugins.service.services import escalation as rules_service
from rapport.plugins.service.services import policies as service
from rapport.plugins.service.services.statuses import create_status
from rapport.schema import (
    JSON,
    Connection,
    Filterable,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    ToMany,
    ToOne,
    User,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    order_input,
    read_many,
    reads,
    related,
    row_id_of,
    to_service_fields,
)

__all__ = ["CaseStatus", "EscalationRule", "PolicyMutations", "PolicyQueries", "SlaPolicy"]


@strawberry.type(description="A workspace's name for a status, in one fixed category.")
class CaseStatus(ModelNode):
    __model__ = CaseStatusRow
    __permission__ = READ
    __columns__ = columns("name", "category", "position")

    id: relay.NodeID[str]
    name: str
    category: StatusCategory
    position: int
    row: strawberry.Private[CaseStatusRow]


@strawberry.type(description="How long a metric may take, and what pauses it.")
class SlaTarget(DeclaredRow):
    __model__ = SlaTargetRow
    __permission__ = READ
    __columns__ = columns("metric", "minutes", "business_hours", "pause_on", "warning_percent")

    metric: Metric
    minutes: int
    business_hours: bool = strawberry.field(description="Counted on the calendar, else always.")
    pause_on: list[StatusCategory] = strawberry.field(description="Categories that pause it.")
    warning_percent: int = strawberry.field(description="Share of the target that warns.")
    row: strawberry.Private[SlaTargetRow]


POLICY_TARGETS = ToMany(
    target=lambda: SlaTarget,
    link=lambda scope: scope.row.policy_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, None, [("metric", OrderDirection.ASC)]),
)
POLICY_CALENDAR = ToOne(lambda: BusinessCalendar, lambda scope: scope.row.calendar_id)


@strawberry.type(description="Targets for the cases its conditions select; first match wins.")
class SlaPolicy(ModelNode):
    __model__ = SlaPolicyRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "position",
        "active",
        "conditions",
        calendar_id=Reference("BusinessCalendar", "calendar_id"),
    )

    id: relay.NodeID[str]
    name: str
    position: int
    active: bool
    conditions: JSON = strawberry.field(
        description="priorities, categories, channels, kinds, segments (tags), grades."
    )
    calendar_id: relay.GlobalID | None
    row: strawberry.Private[SlaPolicyRow]

    calendar: BusinessCalendar | None = related(
        POLICY_CALENDAR, description="Business hours (the default calendar when none)."
    )

    @strawberry.field(metadata=reads(POLICY_TARGETS), description="One per metric.")
    async def targets(self, info: Info) -> list[SlaTarget]:
        return await read_many(info, POLICY_TARGETS, self)


RULE_USER = ToOne(lambda: User, lambda scope: scope.row.user_id)


@strawberry.enum
class EscalationTrigger(Enum):
    WARNING = "WARNING"
    BREACH = "BREACH"
    NO_UPDATE = "NO_UPDATE"


@strawberry.enum
class EscalationAction(Enum):
    NOTIFY = "NOTIFY"
    REASSIGN = "REASSIGN"
    RAISE_PRIORITY = "RAISE_PRIORITY"
    ADD_WATCHER = "ADD_WATCHER"


@strawberry.type(description="What the worker does when a timer warns, breaches or idles.")
class EscalationRule(ModelNode):
    __model__ = EscalationRuleRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "trigger",
        "metric",
        "idle_minutes",
        "level",
        "action",
        "team",
        "active",
        user_id=Reference("User", "user_id"),
    )

    id: relay.NodeID[str]
    name: str
    trigger: EscalationTrigger
    metric: Metric | None = strawberry.field(description="None: any metric.")
    idle_minutes: int | None = strawberry.field(description="NO_UPDATE: business minutes.")
    level: int = strawberry.field(description="Fires after a rule of the level below did.")
    action: EscalationAction
    user_id: relay.GlobalID | None
    team: str | None
    active: bool
    row: strawberry.Private[EscalationRuleRow]

    user: User | None = related(RULE_USER, description="Notified, assigned or made a watcher.")


NAME_FILTERS = {"name": Filterable(StringFilter, SlaPolicyRow.name)}
RULE_FILTERS = {"name": Filterable(StringFilter, EscalationRuleRow.name)}


@filter_input(NAME_FILTERS, description="Conditions on SLA policies.")
class SlaPolicyFilter: ...


@order_input({"POSITION": "position", "NAME": "name"})
class SlaPolicyOrder: ...


@filter_input(RULE_FILTERS, description="Conditions on escalation rules.")
class EscalationRuleFilter: ...


@order_input({"LEVEL": "level", "NAME": "name"})
class EscalationRuleOrder: ...


POLICIES = filtered_listing(lambda: SlaPolicy, NAME_FILTERS, [("position", OrderDirection.ASC)])
RULES = filtered_listing(lambda: EscalationRule, RULE_FILTERS, [("level", OrderDirection.ASC)])
STATUSES = filtered_listing(lambda: CaseStatus, {}, [("position", OrderDirection.ASC)])


@strawberry.input
class SlaConditionsInput:
    priorities: list[CasePriority] | None = None
    categories: list[str] | None = None
    channels: list[CaseChannel] | None = None
    kinds: list[CaseKind] | None = None
    segments: list[str] | None = strawberry.field(default=None, description="Customer tags.")
    grades: list[str] | None = strawberry.field(default=None, description="Value grades.")

    def to_dict(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for key, values in self.__dict__.items():
            if values:
                found[key] = [v.value if isinstance(v, Enum) else v for v in values]
        return found


@strawberry.input
class SlaTargetInput:
    metric: Metric
    minutes: int
    business_hours: bool = True
    pause_on: list[StatusCategory] = strawberry.field(default_factory=list)
    warning_percent: int = 80


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `name`, `position`, `active`, `conditions` and `targets`)."
)
class UpdateSlaPolicyInput:
    name: str | None = strawberry.UNSET
    position: int | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET
    conditions: SlaConditionsInput | None = strawberry.UNSET
    calendar_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="Null: count on the default calendar."
    )
    targets: list[SlaTargetInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every target."
    )

    def to_fields(self) -> service.PolicyFields:
        fields = to_service_fields(
            self, service.PolicyFields, id_types={"calendar_id": "BusinessCalendar"}
        )
        # The nested inputs become the plain shapes the service stores.
        fields.conditions = self.conditions.to_dict() if self.conditions else None
        if self.targets:
            fields.targets = [
                service.TargetFields(
                    metric=t.metric.value,
                    minutes=t.minutes,
                    business_hours=t.business_hours,
                    pause_on=[c.value for c in t.pause_on],
                    warning_percent=t.warning_percent,
                )
                for t in self.targets
            ]
        return fields


@strawberry.input(description="A new policy: its name and position.")
class CreateSlaPolicyInput(UpdateSlaPolicyInput):
    name: str
    position: int


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `name`, `trigger`, `level`, `action` and `active`)."
)
class UpdateEscalationRuleInput:
    name: str | None = strawberry.UNSET
    trigger: EscalationTrigger | None = strawberry.UNSET
    metric: Metric | None = strawberry.UNSET
    idle_minutes: int | None = strawberry.UNSET
    level: int | None = strawberry.UNSET
    action: EscalationAction | None = strawberry.UNSET
    user_id: relay.GlobalID | None = strawberry.UNSET
    team: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET

    def to_fields(self) -> rules_service.RuleFields:
        return to_service_fields(self, rules_service.RuleFields, id_types={"user_id": "User"})


@strawberry.input(description="A new rule: its name, trigger and action.")
class CreateEscalationRuleInput(UpdateEscalationRuleInput):
    name: str
    trigger: EscalationTrigger
    action: EscalationAction


@strawberry.type
class SlaPolicyPayload:
    policy: SlaPolicy | None
    errors: list[UserError]


@strawberry.type
class EscalationRulePayload:
    rule: EscalationRule | None
    errors: list[UserError]


@strawberry.type
class CaseStatusPayload:
    status: CaseStatus | None
    errors: list[UserError]


def _policy(result: tuple[Any, list[UserError]]) -> SlaPolicyPayload:
    row, errors = result
    return SlaPolicyPayload(policy=SlaPolicy.from_model(row) if row else None, errors=errors)


def _rule(result: tuple[Any, list[UserError]]) -> EscalationRulePayload:
    row, errors = result
    return EscalationRulePayload(
        rule=EscalationRule.from_model(row) if row else None, errors=errors
    )


@strawberry.type
class PolicyQueries:
    sla_policies: Connection[SlaPolicy] = connection(
        POLICIES, filter=SlaPolicyFilter, order=SlaPolicyOrder, description="By position."
    )
    escalation_rules: Connection[EscalationRule] = connection(
        RULES, filter=EscalationRuleFilter, order=EscalationRuleOrder
    )
    case_statuses: Connection[CaseStatus] = connection(
        STATUSES, description="The workspace's own status names."
    )


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(description="A policy; open cases are matched again.")
    async def create_sla_policy(self, info: Info, input: CreateSlaPolicyInput) -> SlaPolicyPayload:
        async def work(op: Any) -> SlaPolicyRow:
            return await service.create_policy(op, input.to_fields())

        return _policy(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Change a policy; open cases are matched again.")
    async def update_sla_policy(
        self, info: Info, id: relay.GlobalID, input: UpdateSlaPolicyInput
    ) -> SlaPolicyPayload:
        async def work(op: Any) -> SlaPolicyRow:
            return await service.update_policy(
                op, row_id_of(id, "SlaPolicy", "id"), input.to_fields()
            )

        return _policy(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def create_escalation_rule(
        self, info: Info, input: CreateEscalationRuleInput
    ) -> EscalationRulePayload:
        async def work(op: Any) -> EscalationRuleRow:
            return await rules_service.create_rule(op, input.to_fields())

        return _rule(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_escalation_rule(
        self, info: Info, id: relay.GlobalID, input: UpdateEscalationRuleInput
    ) -> EscalationRulePayload:
        async def work(op: Any) -> EscalationRuleRow:
            return await rules_service.update_rule(
                op, row_id_of(id, "EscalationRule", "id"), input.to_fields()
            )

        return _rule(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="A workspace's own status name in a fixed category.")
    async def create_case_status(
        self, info: Info, name: str, category: StatusCategory, position: int = 0
    ) -> CaseStatusPayload:
        async def work(op: Any) -> CaseStatusRow:
            return await create_status(op, name, category.value, position)

        row, errors = await mutate(info, MANAGE, work)
        return CaseStatusPayload(status=CaseStatus.from_model(row) if row else None, errors=errors)
