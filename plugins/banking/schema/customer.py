"""Banking fields on the core ``Customer`` type, declared so that the compiler reads them too.

Callers without ``banking:read`` get nulls and empty lists rather than an error: a customer
query from a plain member must not fail because it asked for a banking field. The declarations
say the same for the compiler (they give no key to such a caller), and the lists leave such a
caller to the resolvers, whose permission checks the compiler does not reproduce.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import aliased

from rapport.core import Relationship
from rapport.plugins.banking import models
from rapport.plugins.banking.access import HOUSEHOLD_MEMBER
from rapport.plugins.banking.schema.loaders import load_assets, load_cross_sell
from rapport.plugins.banking.schema.reading import read_one_by_subquery
from rapport.plugins.banking.schema.types import (
    READ,
    Assignment,
    AssignmentOrder,
    FinancialAccount,
    FinancialAccountOrder,
    FinancialProduct,
    Household,
    KeyClient,
    RiskRating,
    RiskRatingOrder,
    active_on_day,
    overdue_now,
)
from rapport.schema import (
    Info,
    OrderDirection,
    Scope,
    ToMany,
    ToOne,
    User,
    context_of,
    list_order,
    read_many,
    reads,
)

__all__ = ["CrossSellSuggestion", "CustomerBankingFields"]


@strawberry.type(description="A product peers of this client hold and this client lacks.")
class CrossSellSuggestion:
    product: FinancialProduct
    adoption_rate: float = strawberry.field(description="Share of peers holding the product.")
    peers_holding: int
    peers: int


def _needs_read(info: Info) -> bool:
    return context_of(info).require_actor().can(READ)


def _first(statement: Any, *columns: Any) -> Any:
    """The first value of a correlated subquery, in a set order."""
    return statement.order_by(*columns).limit(1).scalar_subquery()


def _primary_manager(scope: Scope) -> ColumnElement[Any] | None:
    """The user of the customer's primary assignment today: a direct one, else the one of the
    household the customer is the primary member of, else of a household they belong to."""
    if not scope.can(READ):
        return None
    customer = scope.row
    direct, of_household, through_member = (
        aliased(models.Assignment),
        aliased(models.Assignment),
        aliased(models.Assignment),
    )
    home, joined = aliased(models.Household), aliased(models.Household)
    edge = aliased(Relationship)

    def primary(row: Any) -> list[ColumnElement[bool]]:
        return [row.role == "primary", active_on_day(row)]

    own = select(direct.manager_user_id).where(direct.customer_id == customer.id, *primary(direct))
    # Joined in WHERE rather than JOIN ... ON: the access policies of an alias are adapted to
    # it in a WHERE clause, not in the ON clause of a join.
    as_primary = select(of_household.manager_user_id).where(
        home.id == of_household.household_id,
        home.primary_customer_id == customer.id,
        *primary(of_household),
    )
    as_member = select(through_member.manager_user_id).where(
        joined.id == through_member.household_id,
        edge.to_customer_id == joined.primary_customer_id,
        edge.from_customer_id == customer.id,
        edge.type_key == HOUSEHOLD_MEMBER,
        edge.end_date.is_(None),
        *primary(through_member),
    )
    return func.coalesce(
        _first(own.correlate_except(direct), direct.valid_from.desc(), direct.id),
        _first(
            as_primary.correlate_except(of_household, home),
            of_household.valid_from.desc(),
            of_household.id,
        ),
        _first(
            as_member.correlate_except(through_member, joined, edge),
            through_member.valid_from.desc(),
            through_member.id,
        ),
    )


def _household_key(scope: Scope) -> ColumnElement[Any] | None:
    """The household the customer is the primary member of, else the newest they joined."""
    if not scope.can(READ):
        return None
    customer = scope.row
    home, joined = aliased(models.Household), aliased(models.Household)
    edge = aliased(Relationship)
    as_primary = select(home.id).where(home.primary_customer_id == customer.id)
    # Joined in WHERE: see _primary_manager.
    as_member = select(joined.id).where(
        edge.to_customer_id == joined.primary_customer_id,
        edge.from_customer_id == customer.id,
        edge.type_key == HOUSEHOLD_MEMBER,
        edge.end_date.is_(None),
    )
    return func.coalesce(
        _first(as_primary.correlate_except(home), home.id),
        _first(as_member.correlate_except(joined, edge), edge.created_at.desc(), edge.id.desc()),
    )


def _tier_key(scope: Scope) -> ColumnElement[Any] | None:
    if not scope.can(READ):
        return None
    tier = aliased(models.KeyClientTier)
    found = select(tier.id).where(tier.customer_id == scope.row.id).correlate_except(tier)
    return _first(found, tier.id)


RELATIONSHIP_MANAGER = ToOne(lambda: User, _primary_manager)
HOUSEHOLD = ToOne(lambda: Household, _household_key)
KEY_CLIENT_TIER = ToOne(lambda: KeyClient, _tier_key)


def _assignment_rows(scope: Scope) -> list[ColumnElement[bool]]:
    return [] if scope.args.get("include_ended") else [active_on_day(scope.row)]


ASSIGNMENTS = ToMany(
    target=lambda: Assignment,
    link=lambda scope: scope.row.customer_id == scope.parent_row.id,
    where=_assignment_rows,
    order=lambda scope: list_order(
        scope.row,
        scope.args.get("order_by"),
        [("valid_from", OrderDirection.DESC), ("id", OrderDirection.ASC)],
    ),
    permission=READ,
)


def _held(scope: Scope) -> ColumnElement[bool]:
    """The customer holds the account in some role.

    The workspaces' equality is always true; it says that the account and the customer are
    joined, where the holders' subquery alone leaves the two unrelated to SQLAlchemy, which
    reports a cartesian product.
    """
    account, customer = scope.row, scope.parent_row
    holder = aliased(models.AccountHolder)
    found = select(holder.id).where(
        holder.account_id == account.id, holder.customer_id == customer.id
    )
    return and_(
        account.workspace_id == customer.workspace_id, found.correlate_except(holder).exists()
    )


FINANCIAL_ACCOUNTS = ToMany(
    target=lambda: FinancialAccount,
    link=_held,
    where=lambda scope: [] if scope.args.get("include_closed") else [scope.row.status != "closed"],
    order=lambda scope: list_order(
        scope.row,
        scope.args.get("order_by"),
        [("opened_on", OrderDirection.ASC), ("id", OrderDirection.ASC)],
    ),
    permission=READ,
)


def _rating_rows(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = []
    if scope.args.get("current_only", True):
        conditions.append(scope.row.is_current.is_(True))
    if scope.args.get("overdue_only"):
        conditions.append(overdue_now(scope.row))
    return conditions


RISK_RATINGS = ToMany(
    target=lambda: RiskRating,
    link=lambda scope: scope.row.customer_id == scope.parent_row.id,
    where=_rating_rows,
    order=lambda scope: list_order(
        scope.row,
        scope.args.get("order_by"),
        [("rated_at", OrderDirection.DESC), ("id", OrderDirection.ASC)],
    ),
    permission=READ,
)


@strawberry.type
class CustomerBankingFields:
    @strawberry.field(
        metadata=reads(RELATIONSHIP_MANAGER),
        description="The client's primary relationship manager today.",
    )
    async def relationship_manager(self, info: Info) -> User | None:
        if not _needs_read(info):
            return None
        return await read_one_by_subquery(info, RELATIONSHIP_MANAGER, self)

    @strawberry.field(
        metadata=reads(ASSIGNMENTS),
        description="Managers assigned to the client directly, history included.",
    )
    async def assignments(
        self,
        info: Info,
        include_ended: bool = False,
        order_by: list[AssignmentOrder] | None = None,
    ) -> list[Assignment]:
        if not _needs_read(info):
            return []
        return await read_many(
            info, ASSIGNMENTS, self, include_ended=include_ended, order_by=order_by
        )

    @strawberry.field(metadata=reads(HOUSEHOLD))
    async def household(self, info: Info) -> Household | None:
        if not _needs_read(info):
            return None
        return await read_one_by_subquery(info, HOUSEHOLD, self)

    @strawberry.field(
        metadata=reads(FINANCIAL_ACCOUNTS), description="Accounts the client holds in any role."
    )
    async def financial_accounts(
        self,
        info: Info,
        include_closed: bool = False,
        order_by: list[FinancialAccountOrder] | None = None,
    ) -> list[FinancialAccount]:
        if not _needs_read(info):
            return []
        return await read_many(
            info, FINANCIAL_ACCOUNTS, self, include_closed=include_closed, order_by=order_by
        )

    @strawberry.field(
        description="Assets under management: balances of the client's asset "
        "accounts where the client is the primary holder."
    )
    async def total_assets(self, info: Info) -> Decimal | None:
        if not _needs_read(info):
            return None
        return (await load_assets(info, [self.pk]))[0]  # type: ignore[attr-defined]

    @strawberry.field(metadata=reads(RISK_RATINGS))
    async def risk_ratings(
        self,
        info: Info,
        current_only: bool = True,
        overdue_only: bool = False,
        order_by: list[RiskRatingOrder] | None = None,
    ) -> list[RiskRating]:
        if not _needs_read(info):
            return []
        return await read_many(
            info,
            RISK_RATINGS,
            self,
            current_only=current_only,
            overdue_only=overdue_only,
            order_by=order_by,
        )

    @strawberry.field(metadata=reads(KEY_CLIENT_TIER))
    async def key_client_tier(self, info: Info) -> KeyClient | None:
        if not _needs_read(info):
            return None
        return await read_one_by_subquery(info, KEY_CLIENT_TIER, self)

    @strawberry.field(description="Products the client's peers hold, by adoption rate.")
    async def cross_sell_suggestions(self, info: Info) -> list[CrossSellSuggestion]:
        if not _needs_read(info):
            return []
        return [
            CrossSellSuggestion(
                product=FinancialProduct.from_model(s.product),
                adoption_rate=s.adoption_rate,
                peers_holding=s.peers_holding,
                peers=s.peers,
            )
            for s in await load_cross_sell(info, self.pk)  # type: ignore[attr-defined]
        ]
