"""Territories, quotas and commission plans in GraphQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.types import Info

from rapport.plugins.sales.models import CommissionPlan as CommissionPlanRow
from rapport.plugins.sales.models import Quota as QuotaRow
from rapport.plugins.sales.models import Territory as TerritoryRow
from rapport.plugins.sales.models import TerritoryMember as TerritoryMemberRow
from rapport.plugins.sales.schema.common import (
    MANAGE,
    READ,
    Listing,
    global_id,
    load_grouped,
    optional_id,
    required_id,
)
from rapport.plugins.sales.services import commissions as commission_service
from rapport.plugins.sales.services import quotas as service
from rapport.schema import (
    JSON,
    BooleanFilter,
    Connection,
    DateFilter,
    IDFilter,
    ModelNode,
    OrderDirection,
    StringFilter,
    UserError,
    context_of,
    mutate,
)

__all__ = [
    "CommissionPlan",
    "Quota",
    "Territory",
    "TerritoryMutations",
    "TerritoryQueries",
]


@strawberry.type(description="A sales territory; territories form a tree.")
class Territory(ModelNode):
    __model__ = TerritoryRow
    __permission__ = READ

    id: relay.NodeID[str]
    name: str
    parent_id: relay.GlobalID | None
    row: strawberry.Private[TerritoryRow]

    @classmethod
    def from_model(cls, row: TerritoryRow) -> Territory:
        return cls(
            id=str(row.id),
            name=row.name,
            parent_id=global_id("Territory", row.parent_id),
            row=row,
        )

    @strawberry.field(description="The territories directly below it.")
    async def children(self, info: Info) -> list[Territory]:
        rows = await load_grouped(
            context_of(info), TerritoryRow, "parent_id", self.row.id, TerritoryRow.name
        )
        return [Territory.from_model(row) for row in rows]

    @strawberry.field(description="Global ids of its member users.")
    async def member_ids(self, info: Info) -> list[relay.GlobalID]:
        rows = await load_grouped(context_of(info), TerritoryMemberRow, "territory_id", self.row.id)
        return [relay.GlobalID("User", str(row.user_id)) for row in rows]


@strawberry.type(description="A target for a user or a territory over a period.")
class Quota(ModelNode):
    __model__ = QuotaRow
    __permission__ = READ

    id: relay.NodeID[str]
    user_id: relay.GlobalID | None
    territory_id: relay.GlobalID | None
    period_start: date
    period_end: date
    amount: Decimal
    currency: str

    @classmethod
    def from_model(cls, row: QuotaRow) -> Quota:
        return cls(
            id=str(row.id),
            user_id=global_id("User", row.user_id),
            territory_id=global_id("Territory", row.territory_id),
            period_start=row.period_start,
            period_end=row.period_end,
            amount=row.amount,
            currency=row.currency,
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


@strawberry.type(description="How payments earn commission.")
class CommissionPlan(ModelNode):
    __model__ = CommissionPlanRow
    __permission__ = READ

    id: relay.NodeID[str]
    name: str
    user_id: relay.GlobalID | None = strawberry.field(
        description="Null: the plan of every user without one of their own."
    )
    rate: Decimal = strawberry.field(description="Flat rate, 0.05 for 5 %.")
    family_rates: JSON = strawberry.field(description="Rates by product family.")
    tiers: list[CommissionTier] = strawberry.field(
        description="Rate multipliers by quota attainment, lowest first."
    )
    active: bool

    @classmethod
    def from_model(cls, row: CommissionPlanRow) -> CommissionPlan:
        return cls(
            id=str(row.id),
            name=row.name,
            user_id=global_id("User", row.user_id),
            rate=row.rate,
            family_rates=cast(JSON, dict(row.family_rates or {})),
            tiers=[
                CommissionTier(attainment=t.attainment, multiplier=t.multiplier)
                for t in commission_service.plan_tiers(row)
            ],
            active=row.active,
        )


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


@strawberry.enum
class TerritoryOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class TerritoryOrder:
    field: TerritoryOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.enum
class QuotaOrderField(Enum):
    PERIOD_START = "period_start"
    AMOUNT = "amount"


@strawberry.input
class QuotaOrder:
    field: QuotaOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.enum
class CommissionPlanOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class CommissionPlanOrder:
    field: CommissionPlanOrderField
    direction: OrderDirection = OrderDirection.ASC


TERRITORIES = Listing(
    TerritoryRow,
    TERRITORY_FILTERS,
    {"name": TerritoryRow.name, "created_at": TerritoryRow.created_at},
    "name",
    Territory.from_model,
)
QUOTAS = Listing(
    QuotaRow,
    QUOTA_FILTERS,
    {"period_start": QuotaRow.period_start, "amount": QuotaRow.amount},
    "period_start",
    Quota.from_model,
)
COMMISSION_PLANS = Listing(
    CommissionPlanRow,
    PLAN_FILTERS,
    {"name": CommissionPlanRow.name, "created_at": CommissionPlanRow.created_at},
    "name",
    CommissionPlan.from_model,
)


@strawberry.type
class TerritoryQueries:
    @strawberry.field(description="Territories, filtered and ordered, a page at a time.")
    async def territories(
        self,
        info: Info,
        filter: TerritoryFilter | None = None,
        order_by: list[TerritoryOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Territory]:
        return await TERRITORIES.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )

    @strawberry.field(description="Quotas, filtered and ordered, a page at a time.")
    async def quotas(
        self,
        info: Info,
        filter: QuotaFilter | None = None,
        order_by: list[QuotaOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Quota]:
        return await QUOTAS.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )

    @strawberry.field(description="Commission plans, filtered and ordered, a page at a time.")
    async def commission_plans(
        self,
        info: Info,
        filter: CommissionPlanFilter | None = None,
        order_by: list[CommissionPlanOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CommissionPlan]:
        return await COMMISSION_PLANS.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
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


@strawberry.input
class CommissionPlanInput:
    name: str | None = None
    user_id: relay.GlobalID | None = None
    rate: Decimal | None = None
    family_rates: JSON | None = strawberry.field(
        default=None, description='Rates by product family: {"software": "0.08"}.'
    )
    tiers: list[CommissionTierInput] | None = None
    active: bool | None = None

    def to_fields(self) -> commission_service.CommissionPlanFields:
        from rapport.core import ValidationFailed

        family_rates = None
        if self.family_rates is not None:
            if not isinstance(self.family_rates, dict):
                raise ValidationFailed.one("input.familyRates", "an object of family: rate")
            try:
                family_rates = {str(k): Decimal(str(v)) for k, v in self.family_rates.items()}
            except ArithmeticError as exc:
                raise ValidationFailed.one("input.familyRates", "rates are numbers") from exc
        return commission_service.CommissionPlanFields(
            name=self.name,
            user_id=optional_id(self.user_id, "User", "input.userId"),
            rate=self.rate,
            family_rates=family_rates,
            tiers=[commission_service.Tier(t.attainment, t.multiplier) for t in self.tiers]
            if self.tiers is not None
            else None,
            active=self.active,
        )


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
            parent = optional_id(parent_id, "Territory", "input.parentId")
            return await service.create_territory(op, name, parent)

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Rename or move a territory (`makeRoot` to detach it).")
    async def update_territory(
        self,
        info: Info,
        id: relay.GlobalID,
        name: str | None = None,
        parent_id: relay.GlobalID | None = None,
        make_root: bool = False,
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            return await service.update_territory(
                op,
                required_id(id, "Territory", "id"),
                name=name,
                parent_id=optional_id(parent_id, "Territory", "input.parentId"),
                make_root=make_root,
            )

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def add_territory_member(
        self, info: Info, territory_id: relay.GlobalID, user_id: relay.GlobalID
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            return await service.add_territory_member(
                op,
                required_id(territory_id, "Territory", "territoryId"),
                required_id(user_id, "User", "userId"),
            )

        return _territory(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def remove_territory_member(
        self, info: Info, territory_id: relay.GlobalID, user_id: relay.GlobalID
    ) -> TerritoryPayload:
        async def work(op: Any) -> TerritoryRow:
            return await service.remove_territory_member(
                op,
                required_id(territory_id, "Territory", "territoryId"),
                required_id(user_id, "User", "userId"),
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
                    user_id=optional_id(input.user_id, "User", "input.userId"),
                    territory_id=optional_id(input.territory_id, "Territory", "input.territoryId"),
                ),
            )

        row, errors = await mutate(info, MANAGE, work)
        return QuotaPayload(quota=Quota.from_model(row) if row else None, errors=errors)

    @strawberry.mutation
    async def create_commission_plan(
        self, info: Info, input: CommissionPlanInput
    ) -> CommissionPlanPayload:
        async def work(op: Any) -> CommissionPlanRow:
            return await commission_service.create_commission_plan(op, input.to_fields())

        return _plan(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_commission_plan(
        self, info: Info, id: relay.GlobalID, input: CommissionPlanInput
    ) -> CommissionPlanPayload:
        async def work(op: Any) -> CommissionPlanRow:
            return await commission_service.update_commission_plan(
                op, required_id(id, "CommissionPlan", "id"), input.to_fields()
            )

        return _plan(await mutate(info, MANAGE, work))
