"""The banking records as GraphQL nodes; ``node(id:)`` resolves each of them.

Each type declares its columns and the relations it crosses (``ToOne``/``ToMany``), so the read
compiler answers queries over them in one statement and the resolvers read the same
declarations, batched per request.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased
from strawberry import relay

from rapport.core import Relationship
from rapport.plugins.banking import models
from rapport.plugins.banking.access import HOUSEHOLD_MEMBER, today
from rapport.plugins.banking.schema.loaders import household_member_ids, load_assets
from rapport.plugins.banking.services.accounts import mask_number
from rapport.schema import (
    Customer,
    CustomerOrder,
    Entity,
    Info,
    ModelNode,
    OrderDirection,
    Scope,
    ToMany,
    ToOne,
    User,
    columns,
    context_of,
    list_order,
    node_from_row,
    order_input,
    read_many,
    reads,
    related,
)

__all__ = [
    "AccountHolder",
    "AccountStatus",
    "Assignment",
    "AssignmentOrder",
    "AssignmentRole",
    "BalanceSnapshot",
    "FinancialAccount",
    "FinancialAccountOrder",
    "FinancialProduct",
    "FinancialProductOrder",
    "HolderRole",
    "Household",
    "KeyClient",
    "KeyClientOrder",
    "ProductKind",
    "RelationshipManager",
    "RelationshipManagerOrder",
    "RiskKind",
    "RiskRating",
    "RiskRatingOrder",
    "Tier",
    "TrainingRecord",
]

READ = "banking:read"
VIEW_NUMBERS = "banking:view_account_numbers"


@strawberry.enum
class AssignmentRole(Enum):
    PRIMARY = "primary"
    BACKUP = "backup"
    SPECIALIST = "specialist"


@strawberry.enum
class ProductKind(Enum):
    DEPOSIT = "deposit"
    SAVINGS = "savings"
    LOAN = "loan"
    CARD = "card"
    MORTGAGE = "mortgage"
    INVESTMENT = "investment"
    PENSION = "pension"
    INSURANCE = "insurance"


@strawberry.enum
class AccountStatus(Enum):
    OPEN = "open"
    DORMANT = "dormant"
    CLOSED = "closed"


@strawberry.enum
class HolderRole(Enum):
    OWNER = "owner"
    JOINT_OWNER = "joint_owner"
    SIGNATORY = "signatory"
    BENEFICIARY = "beneficiary"
    GUARANTOR = "guarantor"


@strawberry.enum
class RiskKind(Enum):
    CREDIT = "credit"
    LIQUIDITY = "liquidity"
    AML_KYC = "aml_kyc"


@strawberry.enum
class Tier(Enum):
    A = "A"
    B = "B"
    C = "C"


# Order inputs: each field's value is the attribute it sorts by (see ordering.py).


@order_input(
    {"VALID_FROM": "valid_from", "CREATED_AT": "created_at", "ROLE": "role"},
    direction=OrderDirection.DESC,
)
class AssignmentOrder: ...


@order_input({"IS_PRIMARY": "is_primary", "ROLE": "role"})
class AccountHolderOrder: ...


@order_input(
    {"OPENED_ON": "opened_on", "BALANCE": "balance", "STATUS": "status", "CURRENCY": "currency"}
)
class FinancialAccountOrder: ...


@order_input({"CODE": "code", "NAME": "name", "KIND": "kind"})
class FinancialProductOrder: ...


@order_input({"RATED_AT": "rated_at", "NEXT_REVIEW_ON": "next_review_on", "KIND": "kind"})
class RiskRatingOrder: ...


@order_input(
    {"VALUE": "value", "ASSETS": "assets", "REVENUE": "revenue", "TIER": "tier"},
    direction=OrderDirection.DESC,
)
class KeyClientOrder: ...


@order_input({"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"})
class RelationshipManagerOrder: ...


def active_on_day(row: Any) -> ColumnElement[bool]:
    """An assignment valid today (``valid_to`` is the first day no longer assigned)."""
    day = today()
    return and_(row.valid_from <= day, or_(row.valid_to.is_(None), row.valid_to > day))


USER = ToOne(lambda: User, lambda scope: scope.row.user_id)
TEAM_LEAD = ToOne(lambda: User, lambda scope: scope.row.team_lead_user_id)


@strawberry.type(description="The banking profile of a user who manages clients.")
class RelationshipManager(ModelNode):
    __model__ = models.RelationshipManager
    __permission__ = READ
    __columns__ = columns("branch", "segment", "grade", "is_active")

    id: relay.NodeID[str]
    branch: str | None
    segment: str | None
    grade: str | None
    is_active: bool
    row: strawberry.Private[Any]

    user: User | None = related(USER)

    team_lead: User | None = related(TEAM_LEAD)


PRIMARY_MEMBER = ToOne(lambda: Customer, lambda scope: scope.row.primary_customer_id)


def _is_member(scope: Scope) -> ColumnElement[bool]:
    """The primary member, or a customer with a live ``household_member`` edge to them."""
    primary = scope.parent_row.primary_customer_id
    edge = aliased(Relationship)
    membership = select(edge.id).where(
        edge.type_key == HOUSEHOLD_MEMBER,
        edge.end_date.is_(None),
        edge.to_customer_id == primary,
        edge.from_customer_id == scope.row.id,
    )
    return or_(scope.row.id == primary, membership.correlate_except(edge).exists())


def _members_order(scope: Scope) -> list[Any]:
    order_by = scope.args.get("order_by")
    if order_by:
        return list_order(scope.row, order_by, ())
    # The primary member first, then the others in the order they joined. Read from the
    # member's own edge only: SQLite cannot sort a subquery by a column of an outer row.
    edge = aliased(Relationship)
    own_edge = (
        select(edge)
        .where(
            edge.type_key == HOUSEHOLD_MEMBER,
            edge.end_date.is_(None),
            edge.from_customer_id == scope.row.id,
        )
        .order_by(edge.created_at, edge.id)
        .limit(1)
        .correlate_except(edge)
    )
    joined = own_edge.with_only_columns(edge.created_at).scalar_subquery()
    edge_id = own_edge.with_only_columns(edge.id).scalar_subquery()
    return [case((joined.is_(None), 0), else_=1), joined, edge_id, scope.row.id]


MEMBERS = ToMany(
    target=lambda: Customer,
    link=_is_member,
    where=lambda scope: [scope.row.deleted_at.is_(None)],
    order=_members_order,
)


@strawberry.type(description="A household: a group of clients around a primary member.")
class Household(ModelNode):
    __model__ = models.Household
    __permission__ = READ
    __columns__ = columns("name", "created_at")

    id: relay.NodeID[str]
    name: str
    created_at: datetime
    row: strawberry.Private[Any]

    primary_member: Customer | None = related(PRIMARY_MEMBER)

    @strawberry.field(
        metadata=reads(MEMBERS), description="Members the caller may see, the primary member first."
    )
    async def members(
        self, info: Info, order_by: list[CustomerOrder] | None = None
    ) -> list[Customer]:
        return await read_many(info, MEMBERS, self, order_by=order_by)

    @strawberry.field(description="Sum of the members' assets under management.")
    async def total_assets(self, info: Info) -> Decimal:
        ids = await household_member_ids(info, self)
        return sum(await load_assets(info, ids), Decimal("0"))


MANAGER = ToOne(lambda: User, lambda scope: scope.row.manager_user_id)
CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
HOUSEHOLD = ToOne(lambda: Household, lambda scope: scope.row.household_id)


@strawberry.type(description="A client in a manager's book, for a span of days.")
class Assignment(ModelNode):
    __model__ = models.Assignment
    __permission__ = READ
    __columns__ = columns(
        "role",
        "valid_from",
        "valid_to",
        "ended_reason",
        "created_at",
        is_active=lambda scope: active_on_day(scope.row),
    )

    id: relay.NodeID[str]
    role: AssignmentRole
    valid_from: date
    valid_to: date | None = strawberry.field(description="First day no longer assigned.")
    ended_reason: str | None
    created_at: datetime
    row: strawberry.Private[Any]

    @strawberry.field
    def is_active(self) -> bool:
        day = today()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day)

    manager: User | None = related(MANAGER)

    customer: Customer | None = related(CUSTOMER)

    household: Household | None = related(HOUSEHOLD)


@strawberry.type(description="A product the bank sells: a deposit, a loan, a card, ...")
class FinancialProduct(ModelNode):
    __model__ = models.FinancialProduct
    __permission__ = READ
    __columns__ = columns("code", "name", "kind", "is_active")

    id: relay.NodeID[str]
    code: str
    name: str
    kind: ProductKind
    is_active: bool


@strawberry.type(description="One holder of an account.")
class AccountHolder:
    __entity__ = Entity(
        model=models.AccountHolder, permission=READ, fields=columns("role", "is_primary")
    )

    role: HolderRole
    is_primary: bool
    row: strawberry.Private[Any]

    @classmethod
    def from_model(cls, row: models.AccountHolder) -> AccountHolder:
        built: AccountHolder = node_from_row(cls, row)
        return built

    customer: Customer | None = related(
        CUSTOMER, description="Null when the holder is outside what the caller may see."
    )


@strawberry.type(description="The balance of an account at the end of one day.")
class BalanceSnapshot:
    __entity__ = Entity(
        model=models.BalanceSnapshot, permission=READ, fields=columns("as_of", "balance")
    )

    as_of: date
    balance: Decimal

    @classmethod
    def from_model(cls, row: models.BalanceSnapshot) -> BalanceSnapshot:
        built: BalanceSnapshot = node_from_row(cls, row)
        return built


def masked_number(scope: Scope) -> ColumnElement[Any]:
    """The account number for callers who may see it, else ``mask_number``'s text in SQL."""
    number = scope.row.number
    if scope.can(VIEW_NUMBERS):
        return number
    # The last four characters, the whole number when shorter, as number[-4:] gives them.
    length = func.length(number)
    start = case((length > 4, length - 3), else_=1)
    return literal("****") + func.substr(number, start)


PRODUCT = ToOne(lambda: FinancialProduct, lambda scope: scope.row.product_id)
HOLDERS = ToMany(
    target=lambda: AccountHolder,
    link=lambda scope: scope.row.account_id == scope.parent_row.id,
    order=lambda scope: list_order(
        scope.row,
        scope.args.get("order_by"),
        [("is_primary", OrderDirection.DESC), ("customer_id", OrderDirection.ASC)],
    ),
)
BALANCE_HISTORY = ToMany(
    target=lambda: BalanceSnapshot,
    link=lambda scope: scope.row.account_id == scope.parent_row.id,
    order=lambda scope: [scope.row.as_of.desc()],
    limit=lambda scope: max(0, min(scope.args.get("last", 12), 366)),
)


@strawberry.type(description="An account a client holds with the bank.")
class FinancialAccount(ModelNode):
    __model__ = models.FinancialAccount
    __permission__ = READ
    __columns__ = columns(
        "currency",
        "status",
        "opened_on",
        "closed_on",
        "balance",
        "balance_as_of",
        number=masked_number,
    )

    id: relay.NodeID[str]
    currency: str
    status: AccountStatus
    opened_on: date
    closed_on: date | None
    balance: Decimal
    balance_as_of: date | None
    row: strawberry.Private[Any]

    @strawberry.field(
        description="Masked (`****1234`) unless the caller has `banking:view_account_numbers`."
    )
    def number(self, info: Info) -> str:
        actor = context_of(info).require_actor()
        full: str = self.row.number
        return full if actor.can(VIEW_NUMBERS) else mask_number(full)

    product: FinancialProduct | None = related(PRODUCT)

    @strawberry.field(metadata=reads(HOLDERS), description="The primary holder first.")
    async def holders(
        self, info: Info, order_by: list[AccountHolderOrder] | None = None
    ) -> list[AccountHolder]:
        return await read_many(info, HOLDERS, self, order_by=order_by)

    @strawberry.field(
        metadata=reads(BALANCE_HISTORY), description="Balances over time, the newest first."
    )
    async def balance_history(self, info: Info, last: int = 12) -> list[BalanceSnapshot]:
        return await read_many(info, BALANCE_HISTORY, self, last=last)


def overdue_now(row: Any) -> ColumnElement[bool]:
    """A current rating whose review day has passed."""
    return and_(row.is_current.is_(True), row.next_review_on < today())


@strawberry.type(description="A credit, liquidity or AML/KYC rating and its review date.")
class RiskRating(ModelNode):
    __model__ = models.RiskRating
    __permission__ = READ
    __columns__ = columns(
        "kind",
        "rating",
        "rated_at",
        "next_review_on",
        "is_current",
        "notes",
        is_overdue=lambda scope: overdue_now(scope.row),
    )

    id: relay.NodeID[str]
    kind: RiskKind
    rating: str
    rated_at: datetime
    next_review_on: date
    is_current: bool
    notes: str | None
    row: strawberry.Private[Any]

    @strawberry.field
    def is_overdue(self) -> bool:
        return self.is_current and self.next_review_on < today()

    customer: Customer | None = related(CUSTOMER)


@strawberry.type(description="A client's key-client tier and the figures behind it.")
class KeyClient(ModelNode):
    __model__ = models.KeyClientTier
    __permission__ = READ
    __columns__ = columns("tier", "assets", "revenue", "value", "cumulative_share", "computed_at")

    id: relay.NodeID[str]
    tier: Tier
    assets: Decimal
    revenue: Decimal
    value: Decimal
    computed_at: datetime
    row: strawberry.Private[Any]

    cumulative_share: float = strawberry.field(
        description="Share of all client value held by this client and every client above it."
    )

    customer: Customer | None = related(CUSTOMER)


@strawberry.type(description="A course a manager completed.")
class TrainingRecord(ModelNode):
    __model__ = models.TrainingRecord
    __permission__ = READ
    __columns__ = columns("course", "points", "completed_on")

    id: relay.NodeID[str]
    course: str
    points: int
    completed_on: date
    row: strawberry.Private[Any]

    manager: User | None = related(MANAGER)
