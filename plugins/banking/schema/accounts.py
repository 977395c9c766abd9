"""Products, accounts and balances in GraphQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import relay

from rapport.core import Operation
from rapport.plugins.banking import models
from rapport.plugins.banking.schema.types import (
    FinancialAccount,
    FinancialProduct,
    FinancialProductOrder,
    HolderRole,
    ProductKind,
)
from rapport.plugins.banking.services import accounts as service
from rapport.schema import (
    Connection,
    Info,
    Listing,
    OrderDirection,
    UserError,
    decode_node_id,
    mutate,
    order_keys,
    read_page,
    reads,
    row_id_of,
)

__all__ = ["AccountMutations", "AccountQueries"]


FINANCIAL_PRODUCTS = Listing(
    target=lambda: FinancialProduct,
    where=lambda scope: [],
    keys=lambda scope: order_keys(
        models.FinancialProduct, scope.args.get("order_by"), [("code", OrderDirection.ASC)]
    ),
)


@strawberry.type
class AccountQueries:
    @strawberry.field(
        metadata=reads(FINANCIAL_PRODUCTS), description="The bank's products, by code."
    )
    async def financial_products(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        order_by: list[FinancialProductOrder] | None = None,
    ) -> Connection[FinancialProduct]:
        return await read_page(
            info, FINANCIAL_PRODUCTS, first=first, after=after, order_by=order_by
        )


@strawberry.input
class FinancialProductInput:
    code: str
    name: str
    kind: ProductKind


@strawberry.type
class FinancialProductPayload:
    product: FinancialProduct | None
    errors: list[UserError]


@strawberry.input
class HolderInput:
    customer_id: relay.GlobalID
    role: HolderRole = HolderRole.OWNER
    is_primary: bool = False


@strawberry.input
class AccountInput:
    product_id: relay.GlobalID
    number: str
    holders: list[HolderInput]
    opened_on: date | None = None
    currency: str = "EUR"
    balance: Decimal | None = None


@strawberry.type
class AccountPayload:
    account: FinancialAccount | None
    errors: list[UserError]


def _account_payload(
    row: models.FinancialAccount | None, errors: list[UserError]
) -> AccountPayload:
    return AccountPayload(account=FinancialAccount.from_model(row) if row else None, errors=errors)


@strawberry.type
class AccountMutations:
    @strawberry.mutation
    async def create_financial_product(
        self, info: Info, input: FinancialProductInput
    ) -> FinancialProductPayload:
        async def work(op: Operation) -> models.FinancialProduct:
            return await service.create_product(op, input.code, input.name, input.kind.value)

        row, errors = await mutate(info, "banking:manage", work)
        return FinancialProductPayload(
            product=FinancialProduct.from_model(row) if row else None, errors=errors
        )

    @strawberry.mutation(description="Open an account for one or more holders.")
    async def open_financial_account(self, info: Info, input: AccountInput) -> AccountPayload:
        async def work(op: Operation) -> models.FinancialAccount:
            data = service.AccountFields(
                product_id=decode_node_id(input.product_id, FinancialProduct, "input.productId"),
                number=input.number,
                opened_on=input.opened_on,
                currency=input.currency,
                balance=input.balance,
                holders=[
                    service.HolderFields(
                        row_id_of(h.customer_id, "Customer", f"input.holders.{i}.customerId"),
                        h.role.value,
                        h.is_primary,
                    )
                    for i, h in enumerate(input.holders)
                ],
            )
            return await service.open_account(op, data)

        return _account_payload(*await mutate(info, "banking:write", work))

    @strawberry.mutation(description="Record the balance of a day; the newest is current.")
    async def record_balance(
        self, info: Info, account_id: relay.GlobalID, balance: Decimal, as_of: date | None = None
    ) -> AccountPayload:
        async def work(op: Operation) -> models.FinancialAccount:
            return await service.record_balance(
                op, decode_node_id(account_id, FinancialAccount, "accountId"), balance, as_of
            )

        return _account_payload(*await mutate(info, "banking:write", work))

    @strawberry.mutation
    async def close_financial_account(
        self, info: Info, id: relay.GlobalID, closed_on: date | None = None
    ) -> AccountPayload:
        async def work(op: Operation) -> models.FinancialAccount:
            return await service.close_account(
                op, decode_node_id(id, FinancialAccount, "id"), closed_on
            )

        return _account_payload(*await mutate(info, "banking:write", work))
