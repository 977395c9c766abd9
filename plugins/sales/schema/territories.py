"""Territories, quotas and commission plans in GraphQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import aliased
from strawberry import relay

from rapport.core import ValidationFailed
from rapport.plugins.sales.models import CommissionPlan as CommissionPlanRow
from rapport.plugins.sales.models import Quota as QuotaRow
from rapport.plugins.sales.models import Territory as TerritoryRow
from rapport.plugins.sales.models import TerritoryMember as TerritoryMemberRow
from rapport.plugins.sales.schema.common import (
    MANAGE,
    READ,
)
from rapport.plugins.sales.services import commissions as commission_service
from rapport.plugins.sales.services import quotas as service
from rapport.schema import (
    JSON,
    BooleanFilter,
    Connection,
    DateFilter,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    RequestContext,
    Scope,
    StringFilter,
    ToMany,
    ToOne,
    User,
    UserError,
    columns,
    connection,
    context_of,
    filtered_listing,
    grouped_loader,
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
    "CommissionPlan",
    "Quota",
    "Territory",
    "TerritoryMutations",
    "TerritoryQueries",
]


@order_input({"NAME": "name", "CREATED_AT": "created_at"})
class TerritoryOrder: ...


@order_input({"DISPLAY_NAME": "display_name", "EMAIL": "email"})
class TerritoryMemberOrder: ...


BY_NAME = [("name", OrderDirection.ASC)]
TERRITORY_PARENT = ToOne(lambda: Territory, lambda scope: scope.row.parent_id)
TERRITORY_CHILDREN = ToMany(
    target=lambda: Territory,
    link=lambda scope: scope.row.parent_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, scope.args.get("order_by"), BY_NAME),
)


def _is_member(scope: Scope) -> ColumnElement[bool]:
    member = aliased(TerritoryMemberRow)
    members = select(member.user_id).where(member.territory_id == scope.parent_row.id)
    # The workspace condition always holds; it joins the user to the territory outside the
    # subquery, which SQLAlchemy would otherwise report as a cartesian product.
    return and_(
        scope.row.workspace_id == scope.parent_row.workspace_id,
        scope.row.id.in_(members.correlate_except(member)),
    )


TERRITORY_MEMBERS = ToMany(
    target=lambda: User,
    link=_is_member,
    order=lambda scope: list_order(
        scope.row, scope.args.get("order_by"), [("display_name", OrderDirection.ASC)]
    ),
)


def _members_loader(context: RequestContext) -> Any:
    return grouped_loader(
        context,
        lambda ids: (
            select(TerritoryMemberRow)
            .where(TerritoryMemberRow.territory_id.in_(ids))
            .order_by(TerritoryMemberRow.id)
        ),
        lambda row: row.territory_id,
    )


@strawberry.type(description="A sales territory; territories form a tree.")
class Territory(ModelNode):
    __model__ = TerritoryRow
    __permission__ = READ
    __columns__ = columns("name", parent_id=Reference("Territory", "parent_id"))

    id: relay.NodeID[str]
    name: str
    parent_id: relay.GlobalID | None
    row: strawberry.Private[TerritoryRow]

    parent: Territory | None = related(TERRITORY_PARENT, description="The territory above it.")

    @strawberry.field(
        metadata=reads(TERRITORY_CHILDREN), description="The territories directly below it."
    )
    async def children(
        self, info: Info, order_by: list[TerritoryOrder] | None = None
    ) -> list[Territory]:
        return await read_many(info, TERRITORY_CHILDREN, self, order_by=order_by)

    @strawberry.field(metadata=reads(TERRITORY_MEMBERS), description="Its member users.")
    async def members(
        self, info: Info, order_by: list[TerritoryMemberOrder] | None = None
    ) -> list[User]:
        return await read_many(info, TERRITORY_MEMBERS, self, order_by=order_by)

    @strawberry.field(description="Global ids of its member users.")
    async def member_ids(self, info: Info) -> list[relay.GlobalID]:
        # A list of ids, not of objects: the read compiler leaves it to this resolver.
        loader = context_of(info).loader_for(("sales", "territory-members"), _members_loader)
        rows = await loader.load(self.row.id)
        return [relay.GlobalID("User", str(row.user_id)) for row in rows]


QUOTA_USER = ToOne(lambda: User, lambda scope: scope.row.user_id)
QUOTA_TERRITORY = ToOne(lambda: Territory, lambda scope: scope.row.territory_id)


@strawberry.type(description="A target for a user or a territory over a period.")
class Quota(ModelNode):
    __model__ = QuotaRow
    __permission__ = READ
    __columns__ = columns(
        "period_start",
        "period_end",
        "amount",
        "currency",
        user_id=Reference("User", "user_id"),
        territory_id=Reference("Territory", "territory_id"),
    )

    id: relay.NodeID[str]
    user_id: relay.GlobalID | None
    territory_id: relay.GlobalID | None
    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    row: strawberry.Private[QuotaRow]

    user: User | None = related(QUOTA_USER, description="The user it is set for.")

    territory: Territory | None = related(
        QUOTA_TERRITORY, description="The territory it is set for."
    )


@strawberry.type(
    description="From `attainment` x quota on (1.0: the quota), the rate is multiplied by "
    "`multiplier`, up to the next tier."
)
class CommissionTier:
    attainment: Decimal
    multiplier: Decimal


@strawberry.input
class CommissionTierInput:
    attainment: Decimal
    multiplier: Decimal


PLAN_USER = ToOne(lambda: User, lambda scope: scope.row.user_id)


@strawberry.type(description="How payments earn commission.")
class CommissionPlan(ModelNode):
    __model__ = CommissionPlanRow
    __permission__ = READ
    __columns__ = columns(
        "name", "rate", "family_rates", "active", user_id=Reference("User", "user_id")
    )

    id: relay.NodeID[str]
    name: str
    user_id: relay.GlobalID | None = strawberry.field(
        description="Null: the plan of every user without one of their own."
    )
    rate: Decimal = strawberry.field(description="Flat rate, 0.05 for 5 %.")
    family_rates: JSON = strawberry.field(description="Rates by product family.")

    @strawberry.field(description="Rate multipliers by quota attainment, lowest first.")
    def tiers(self) -> list[CommissionTier]:
        # Sorted by their numeric attainment, which the stored JSON does not keep in order.
        return [
            CommissionTier(attainment=tier.attainment, multiplier=tier.multiplier)
            for tier in commission_service.plan_tiers(self.row)
        ]

    active: bool
    row: strawberry.Private[CommissionPlanRow]

    user: User | None = related(PLAN_USER, description="The user it is the plan of.")


@strawberry.input
class TerritoryFilter:
    name: StringFilter | None = strawberry.UNSET
    parent: IDFilter | None = strawberry.UNSET
    and_: list[TerritoryFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[TerritoryFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: TerritoryFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


@strawberry.input
class QuotaFilter:
    user: IDFilter | None = strawberry.UNSET
    territory: IDFilter | None = strawberry.UNSET
    period_start: DateFilter | None = strawberry.UNSET
    period_end: DateFilter | None = strawberry.UNSET
    currency: StringFilter | None = strawberry.UNSET
    and_: list[QuotaFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[QuotaFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: QuotaFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


@strawberry.input
class CommissionPlanFilter:
    name: StringFilter | None = strawberry.UNSET
    user: IDFilter | None = strawberry.UNSET
    active: BooleanFilter | None = strawberry.UNSET
    and_: list[CommissionPlanFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[CommissionPlanFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: CommissionPlanFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


TERRITORY_FILTERS = {"name": TerritoryRow.name, "parent": TerritoryRow.parent_id}
QUOTA_FILTERS = {
    "user": QuotaRow.user_id,
    "territory": QuotaRow.territory_id,
    "period_start": QuotaRow.period_start,
    "period_end": QuotaRow.period_end,
    "currency": QuotaRow.currency,
}
PLAN_FILTERS = {
    "name": CommissionPlanRow.name,
    "user": CommissionPlanRow.user_id,
    "active": CommissionPlanRow.active,
}


@order_input({"PERIOD_START": "period_start", "AMOUNT": "amount"})
class QuotaOrder: ...


@order_input({"NAME": "name", "CREATED_AT": "created_at"})
class CommissionPlanOrder: ...


TERRITORIES = filtered_listing(lambda: Territory, TERRITORY_FILTERS, BY_NAME)
QUOTAS = filtered_listing(lambda: Quota, QUOTA_FILTERS, [("period_start", OrderDirection.ASC)])
COMMISSION_PLANS = filtered_listing(lambda: CommissionPlan, PLAN_FILTERS, BY_NAME)


@strawberry.type
class TerritoryQueries:
    territories: Connection[Territory] = connection(
        TERRITORIES,
        filter=TerritoryFilter,
        order=TerritoryOrder,
        description="Territories, filtered and ordered, a page at a time.",
    )

    quotas: Connection[Quota] = connection(
        QUOTAS,
        filter=QuotaFilter,
        order=QuotaOrder,
        description="Quotas, filtered and ordered, a page at a time.",
    )

    commission_plans: Connection[CommissionPlan] = connection(
        COMMISSION_PLANS,
        filter=CommissionPlanFilter,
        order=CommissionPlanOrder,
        description="Commission plans, filtered and ordered, a page at a time.",
    )


@strawberry.type
class TerritoryPayload:
    territory: Territory | None
    errors: list[UserError]


@strawberry.type
class QuotaPayload:
    quota: Quota | None
    errors: list[UserError]


@strawberry.type
class CommissionPlanPayload:
    commission_plan: CommissionPlan | None
    errors: list[UserError]


@strawberry.input(description="For a user or a territory (one of the two).")
class QuotaInput:
    user_id: relay.GlobalID | None = None
    territory_id: relay.GlobalID | None = None
    period_start: date
    period_end: date
    amount: Decimal
    currency: str


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(a null `userId` makes the plan apply to everyone; refused for the other fields)."
)
class UpdateCommissionPlanInput:
    name: str | None = strawberry.UNSET
    user_id: relay.GlobalID | None = strawberry.UNSET
    rate: Decimal | None = strawberry.UNSET
    family_rates: JSON | None = strawberry.field(
        default=strawberry.UNSET, description='Rates by product family: {"software": "0.08"}.'
    )
    tiers: list[CommissionTierInput] | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET

    def to_fields(self) -> commission_service.CommissionPlanFields:
        fields = to_service_fields(
            self, commission_service.CommissionPlanFields, id_types={"user_id": "User"}
        )
        if self.family_rates is not None and self.family_rates is not strawberry.UNSET:
            fields.family_rates = _family_rates(self.family_rates)
        if self.tiers:
            fields.tiers = [commission_service.Tier(t.attainment, t.multiplier) for t in self.tiers]
        return fields


@strawberry.input(description="A new plan: its name and flat rate.")
class CreateCommissionPlanInput(UpdateCommissionPlanInput):
    name: str
    rate: Decimal


def _family_rates(given: Any) -> dict[str, Decimal]:
    if not isinstance(given, dict):
        raise ValidationFailed.one("input.familyRates", "an object of family: rate")
    try:
        return {str(k): Decimal(str(v)) for k, v in given.items()}
    except ArithmeticError as exc:
        raise ValidationFailed.one("input.familyRates", "rates are numbers") from exc


@strawberry.input(description="The fields to change: a field left out is kept.")
class UpdateTerritoryInput:
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A territory needs its name: null is refused."
    )
    parent_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="Null: the territory becomes a root."
    )

    def to_fields(self) -> service.TerritoryFields:
        return to_service_fields(self, service.TerritoryFields, id_types={"parent_id": "Territory"})


def _territory(result: tuple[Any, list[UserError]]) -> TerritoryPayload:
    row, errors = result
    return TerritoryPayload(territory=Territory.from_model(row) if row else None, errors=errors)


def _plan(result: tuple[Any, list[UserError]]) -> CommissionPlanPayload:
    row, errors = result
    return CommissionPlanPayload(
        commission_plan=CommissionPlan.from_model(row) if row else None, errors=errors
    )


@strawberry.type
class TerritoryMutations:
    @strawberry.mutation
    async def create_territory(
        self, info: Info, name: str, parent_id: relay.GlobalID | None = None
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            parent = optional_row_id_of(parent_id, "Territory", "input.parentId")
            return await service.create_territory(op, name, parent)

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Rename or move a territory.")
    async def update_territory(
        self, info: Info, id: relay.GlobalID, input: UpdateTerritoryInput
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            return await service.update_territory(
                op, row_id_of(id, "Territory", "id"), input.to_fields()
            )

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def add_territory_member(
        self, info: Info, territory_id: relay.GlobalID, user_id: relay.GlobalID
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            return await service.add_territory_member(
                op,
                row_id_of(territory_id, "Territory", "territoryId"),
                row_id_of(user_id, "User", "userId"),
            )

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def remove_territory_member(
        self, info: Info, territory_id: relay.GlobalID, user_id: relay.GlobalID
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            return await service.remove_territory_member(
                op,
                row_id_of(territory_id, "Territory", "territoryId"),
                row_id_of(user_id, "User", "userId"),
            )

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Set the quota of a user or territory for a period.")
    async def set_quota(self, info: Info, input: QuotaInput) -> QuotaPayload:
        async def work(op: Any) -> QuotaRow:
            return await service.set_quota(
                op,
                service.QuotaFields(
                    period_start=input.period_start,
                    period_end=input.period_end,
                    amount=input.amount,
                    currency=input.currency,
                    user_id=optional_row_id_of(input.user_id, "User", "input.userId"),
                    territory_id=optional_row_id_of(
                        input.territory_id, "Territory", "input.territoryId"
                    ),
                ),
            )

        row, errors = await mutate(info, MANAGE, work)
        return QuotaPayload(quota=Quota.from_model(row) if row else None, errors=errors)

    @strawberry.mutation
    async def create_commission_plan(
        self, info: Info, input: CreateCommissionPlanInput
    ) -> CommissionPlanPayload:
        async def work(op: Any) -> CommissionPlanRow:
            return await commission_service.create_commission_plan(op, input.to_fields())

        return _plan(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_commission_plan(
        self, info: Info, id: relay.GlobalID, input: UpdateCommissionPlanInput
    ) -> CommissionPlanPayload:
        async def work(op: Any) -> CommissionPlanRow:
            return await commission_service.update_commission_plan(
                op, row_id_of(id, "CommissionPlan", "id"), input.to_fields()
            )

        return _plan(await mutate(info, MANAGE, work))
