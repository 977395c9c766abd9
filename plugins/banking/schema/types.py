"""The banking records as GraphQL nodes; ``node(id:)`` resolves each of them.

Relations between them resolve through per-request DataLoaders (``load_one``), never a query
per parent.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry import relay
from strawberry.types import Info

from rapport.core.models import Customer as CustomerRow
from rapport.core.models import User as UserRow
from rapport.plugins.banking import models
from rapport.plugins.banking.access import today
from rapport.plugins.banking.schema.loaders import (
    household_member_ids,
    load_assets,
    load_balance_history,
)
from rapport.plugins.banking.services.accounts import mask_number
from rapport.schema import ModelNode, by_id_loader, context_of, grouped_loader
from rapport.schema.types.customer import Customer
from rapport.schema.types.identity import User

__all__ = [
    "AccountHolder",
    "AccountStatus",
    "Assignment",
    "AssignmentRole",
    "BalanceSnapshot",
    "FinancialAccount",
    "FinancialProduct",
    "HolderRole",
    "Household",
    "KeyClient",
    "ProductKind",
    "RelationshipManager",
    "RiskKind",
    "RiskRating",
    "Tier",
    "TrainingRecord",
    "load_customer",
    "load_customers",
    "load_user",
]

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


async def _load(info: Info[Any, Any], model: Any, row_id: uuid.UUID | None) -> Any:
    if row_id is None:
        return None
    context = context_of(info)
    loader = context.loader_for(("banking-by-id", model.__name__), lambda c: by_id_loader(c, model))
    return await loader.load(row_id)


async def load_customer(info: Info[Any, Any], customer_id: uuid.UUID | None) -> Customer | None:
    """A customer the caller may see (access policies apply), or None."""
    row = await _load(info, CustomerRow, customer_id)
    return Customer.from_model(row) if row is not None and row.deleted_at is None else None


async def load_customers(info: Info[Any, Any], ids: list[uuid.UUID]) -> list[Customer]:
    """The customers among ``ids`` the caller may see, in order, in one batch."""
    context = context_of(info)
    loader = context.loader_for(
        ("banking-by-id", CustomerRow.__name__), lambda c: by_id_loader(c, CustomerRow)
    )
    rows = await loader.load_many(ids)
    return [Customer.from_model(r) for r in rows if r is not None and r.deleted_at is None]


async def load_user(info: Info[Any, Any], user_id: uuid.UUID | None) -> User | None:
    row = await _load(info, UserRow, user_id)
    return User.from_model(row) if row is not None else None


@strawberry.type(description="The banking profile of a user who manages clients.")
class RelationshipManager(ModelNode):
    __model__ = models.RelationshipManager
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    branch: str | None
    segment: str | None
    grade: str | None
    is_active: bool
    user_pk: strawberry.Private[uuid.UUID]
    lead_pk: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, row: models.RelationshipManager) -> RelationshipManager:
        return cls(
            id=str(row.id),
            branch=row.branch,
            segment=row.segment,
            grade=row.grade,
            is_active=row.is_active,
            user_pk=row.user_id,
            lead_pk=row.team_lead_user_id,
        )

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await load_user(info, self.user_pk)

    @strawberry.field
    async def team_lead(self, info: Info) -> User | None:
        return await load_user(info, self.lead_pk)


@strawberry.type(description="A household: a group of clients around a primary member.")
class Household(ModelNode):
    __model__ = models.Household
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    name: str
    created_at: datetime
    primary_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: models.Household) -> Household:
        return cls(
            id=str(row.id),
            name=row.name,
            created_at=row.created_at,
            primary_pk=row.primary_customer_id,
        )

    @strawberry.field
    async def primary_member(self, info: Info) -> Customer | None:
        return await load_customer(info, self.primary_pk)

    @strawberry.field(description="Members the caller may see, the primary member first.")
    async def members(self, info: Info) -> list[Customer]:
        return await load_customers(info, await household_member_ids(info, self))

    @strawberry.field(description="Sum of the members' assets under management.")
    async def total_assets(self, info: Info) -> Decimal:
        ids = await household_member_ids(info, self)
        return sum(await load_assets(info, ids), Decimal("0"))


@strawberry.type(description="A client in a manager's book, for a span of days.")
class Assignment(ModelNode):
    __model__ = models.Assignment
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    role: AssignmentRole
    valid_from: date
    valid_to: date | None = strawberry.field(description="First day no longer assigned.")
    ended_reason: str | None
    created_at: datetime
    manager_pk: strawberry.Private[uuid.UUID]
    customer_pk: strawberry.Private[uuid.UUID | None]
    household_pk: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, row: models.Assignment) -> Assignment:
        return cls(
            id=str(row.id),
            role=AssignmentRole(row.role),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            ended_reason=row.ended_reason,
            created_at=row.created_at,
            manager_pk=row.manager_user_id,
            customer_pk=row.customer_id,
            household_pk=row.household_id,
        )

    @strawberry.field
    def is_active(self) -> bool:
        day = today()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to > day)

    @strawberry.field
    async def manager(self, info: Info) -> User | None:
        return await load_user(info, self.manager_pk)

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.customer_pk)

    @strawberry.field
    async def household(self, info: Info) -> Household | None:
        row = await _load(info, models.Household, self.household_pk)
        return Household.from_model(row) if row is not None else None


@strawberry.type(description="A product the bank sells: a deposit, a loan, a card, ...")
class FinancialProduct(ModelNode):
    __model__ = models.FinancialProduct
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    code: str
    name: str
    kind: ProductKind
    is_active: bool

    @classmethod
    def from_model(cls, row: models.FinancialProduct) -> FinancialProduct:
        return cls(
            id=str(row.id),
            code=row.code,
            name=row.name,
            kind=ProductKind(row.kind),
            is_active=row.is_active,
        )


@strawberry.type(description="One holder of an account.")
class AccountHolder:
    role: HolderRole
    is_primary: bool
    customer_pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Null when the holder is outside what the caller may see.")
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.customer_pk)


@strawberry.type(description="The balance of an account at the end of one day.")
class BalanceSnapshot:
    as_of: date
    balance: Decimal


@strawberry.type(description="An account a client holds with the bank.")
class FinancialAccount(ModelNode):
    __model__ = models.FinancialAccount
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    currency: str
    status: AccountStatus
    opened_on: date
    closed_on: date | None
    balance: Decimal
    balance_as_of: date | None
    full_number: strawberry.Private[str]
    product_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: models.FinancialAccount) -> FinancialAccount:
        return cls(
            id=str(row.id),
            currency=row.currency,
            status=AccountStatus(row.status),
            opened_on=row.opened_on,
            closed_on=row.closed_on,
            balance=row.balance,
            balance_as_of=row.balance_as_of,
            full_number=row.number,
            product_pk=row.product_id,
        )

    @strawberry.field(
        description="Masked (`****1234`) unless the caller has `banking:view_account_numbers`."
    )
    def number(self, info: Info) -> str:
        actor = context_of(info).require_actor()
        return self.full_number if actor.can(VIEW_NUMBERS) else mask_number(self.full_number)

    @strawberry.field
    async def product(self, info: Info) -> FinancialProduct | None:
        row = await _load(info, models.FinancialProduct, self.product_pk)
        return FinancialProduct.from_model(row) if row is not None else None

    @strawberry.field
    async def holders(self, info: Info) -> list[AccountHolder]:
        context = context_of(info)
        loader = context.loader_for(
            "banking-account-holders",
            lambda c: grouped_loader(
                c,
                lambda ids: select(models.AccountHolder).where(
                    models.AccountHolder.account_id.in_(ids)
                ),
                lambda row: row.account_id,
            ),
        )
        rows = await loader.load(uuid.UUID(self.id))
        return [
            AccountHolder(
                role=HolderRole(r.role), is_primary=r.is_primary, customer_pk=r.customer_id
            )
            for r in sorted(rows, key=lambda r: (not r.is_primary, str(r.customer_id)))
        ]

    @strawberry.field(description="Balances over time, the newest first.")
    async def balance_history(self, info: Info, last: int = 12) -> list[BalanceSnapshot]:
        rows = await load_balance_history(info, uuid.UUID(self.id), max(0, min(last, 366)))
        return [BalanceSnapshot(as_of=r.as_of, balance=r.balance) for r in rows]


@strawberry.type(description="A credit, liquidity or AML/KYC rating and its review date.")
class RiskRating(ModelNode):
    __model__ = models.RiskRating
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    kind: RiskKind
    rating: str
    rated_at: datetime
    next_review_on: date
    is_current: bool
    notes: str | None
    customer_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: models.RiskRating) -> RiskRating:
        return cls(
            id=str(row.id),
            kind=RiskKind(row.kind),
            rating=row.rating,
            rated_at=row.rated_at,
            next_review_on=row.next_review_on,
            is_current=row.is_current,
            notes=row.notes,
            customer_pk=row.customer_id,
        )

    @strawberry.field
    def is_overdue(self) -> bool:
        return self.is_current and self.next_review_on < today()

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.customer_pk)


@strawberry.type(description="A client's key-client tier and the figures behind it.")
class KeyClient(ModelNode):
    __model__ = models.KeyClientTier
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    tier: Tier
    assets: Decimal
    revenue: Decimal
    value: Decimal
    cumulative_share: float = strawberry.field(
        description="Share of all client value held by this client and every client above it."
    )
    computed_at: datetime
    customer_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: models.KeyClientTier) -> KeyClient:
        return cls(
            id=str(row.id),
            tier=Tier(row.tier),
            assets=row.assets,
            revenue=row.revenue,
            value=row.value,
            cumulative_share=row.cumulative_share,
            computed_at=row.computed_at,
            customer_pk=row.customer_id,
        )

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.customer_pk)


@strawberry.type(description="A course a manager completed.")
class TrainingRecord(ModelNode):
    __model__ = models.TrainingRecord
    __permission__ = "banking:read"

    id: relay.NodeID[str]
    course: str
    points: int
    completed_on: date
    manager_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: models.TrainingRecord) -> TrainingRecord:
        return cls(
            id=str(row.id),
            course=row.course,
            points=row.points,
            completed_on=row.completed_on,
            manager_pk=row.manager_user_id,
        )

    @strawberry.field
    async def manager(self, info: Info) -> User | None:
        return await load_user(info, self.manager_pk)
