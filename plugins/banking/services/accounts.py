"""Products, accounts, their holders and balance history; and the masking of numbers."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import (
    Conflict,
    ErrorCode,
    FieldError,
    InvalidTransition,
    NotFound,
    Operation,
    ValidationFailed,
    money_error,
)
from rapport.plugins.banking.access import today
from rapport.plugins.banking.error_codes import BankingErrorCode
from rapport.plugins.banking.events import AccountClosed, AccountOpened
from rapport.plugins.banking.models import (
    AccountHolder,
    BalanceSnapshot,
    FinancialAccount,
    FinancialProduct,
)
from rapport.plugins.banking.services.common import require_customer

__all__ = [
    "ACCOUNT_STATUSES",
    "HOLDER_ROLES",
    "OVERDRAFT_KINDS",
    "PRODUCT_KINDS",
    "AccountFields",
    "HolderFields",
    "assets_by_customer",
    "close_account",
    "create_product",
    "get_account",
    "mask_number",
    "open_account",
    "record_balance",
]

PRODUCT_KINDS = (
    "deposit",
    "savings",
    "loan",
    "card",
    "mortgage",
    "investment",
    "pension",
    "insurance",
)
# Kinds whose balance may fall below zero: a current account in overdraft, money owed on credit.
# Savings, investments, pensions and insurance never hold less than nothing.
OVERDRAFT_KINDS = frozenset({"deposit", "card", "loan", "mortgage"})
ACCOUNT_STATUSES = ("open", "dormant", "closed")
HOLDER_ROLES = ("owner", "joint_owner", "signatory", "beneficiary", "guarantor")
ZERO = Decimal("0")
CENT = Decimal("0.01")


def mask_number(number: str) -> str:
    """``****1234``: the last four characters, nothing that identifies the account."""
    return "****" + number[-4:]


async def create_product(op: Operation, code: str, name: str, kind: str) -> FinancialProduct:
    errors: list[FieldError] = []
    code, name = code.strip().upper(), " ".join(name.split())
    if not code:
        errors.append(FieldError("input.code", ErrorCode.REQUIRED, "a product needs a code"))
    if not name:
        errors.append(FieldError("input.name", ErrorCode.REQUIRED, "a product needs a name"))
    if kind not in PRODUCT_KINDS:
        errors.append(
            FieldError(
                "input.kind", ErrorCode.INVALID, f"must be one of {', '.join(PRODUCT_KINDS)}"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    taken = (
        await op.session.execute(select(FinancialProduct.id).where(FinancialProduct.code == code))
    ).first()
    if taken is not None:
        raise Conflict("input.code", "a product with this code exists")
    product = FinancialProduct(workspace_id=op.workspace_id, code=code, name=name, kind=kind)
    op.session.add(product)
    await op.session.flush()
    op.audit("FinancialProduct", product.id, "create", {"code": [None, code]})
    return product


@dataclass
class HolderFields:
    customer_id: uuid.UUID
    role: str = "owner"
    is_primary: bool = False


@dataclass
class AccountFields:
    product_id: uuid.UUID
    number: str
    opened_on: date | None = None
    currency: str = "EUR"
    balance: Decimal | None = None
    holders: Sequence[HolderFields] = field(default_factory=list)


async def _validate_account(op: Operation, data: AccountFields) -> list[FieldError]:
    errors: list[FieldError] = []
    number = "".join(data.number.split())
    if not 4 <= len(number) <= 64:
        errors.append(FieldError("input.number", ErrorCode.INVALID, "4 to 64 characters"))
    if len(data.currency) != 3 or not data.currency.isalpha():
        errors.append(FieldError("input.currency", ErrorCode.INVALID, "an ISO 4217 code"))
    product = await op.session.get(FinancialProduct, (op.workspace_id, data.product_id))
    if product is None:
        errors.append(FieldError("input.productId", ErrorCode.NOT_FOUND, "product not found"))
    else:
        wrong = balance_error("input.balance", data.balance, data.currency.upper(), product)
        if wrong is not None:
            errors.append(wrong)
    if not data.holders:
        errors.append(FieldError("input.holders", ErrorCode.REQUIRED, "an account needs a holder"))
    elif sum(1 for h in data.holders if h.is_primary) > 1:
        errors.append(
            FieldError(
                "input.holders", BankingErrorCode.ONE_PRIMARY_HOLDER, "one primary holder at most"
            )
        )
    if len({h.customer_id for h in data.holders}) != len(data.holders):
        errors.append(FieldError("input.holders", ErrorCode.DUPLICATE, "a holder is listed twice"))
    for index, holder in enumerate(data.holders):
        if holder.role not in HOLDER_ROLES:
            errors.append(
                FieldError(
                    f"input.holders.{index}.role",
                    ErrorCode.INVALID,
                    f"must be one of {', '.join(HOLDER_ROLES)}",
                )
            )
        try:
            await require_customer(op, holder.customer_id, f"input.holders.{index}.customerId")
        except NotFound as missing:
            errors.extend(missing.errors)
    return errors


def balance_error(
    field: str, balance: Decimal | None, currency: str, product: FinancialProduct
) -> FieldError | None:
    """Why ``balance`` cannot be the balance of an account of ``product``, if it cannot."""
    return money_error(field, balance, currency, negative_allowed=product.kind in OVERDRAFT_KINDS)


async def open_account(op: Operation, data: AccountFields) -> FinancialAccount:
    errors = await _validate_account(op, data)
    if errors:
        raise ValidationFailed(errors)
    number = "".join(data.number.split())
    taken = (
        await op.session.execute(
            select(FinancialAccount.id).where(FinancialAccount.number == number)
        )
    ).first()
    if taken is not None:
        raise Conflict("input.number", "an account with this number exists")
    opened = data.opened_on or today()
    account = FinancialAccount(
        workspace_id=op.workspace_id,
        product_id=data.product_id,
        number=number,
        currency=data.currency.upper(),
        opened_on=opened,
        balance=data.balance or ZERO,
        balance_as_of=opened if data.balance is not None else None,
    )
    op.session.add(account)
    await op.session.flush()
    # Without an explicit primary, the first holder carries the account's assets.
    has_primary = any(h.is_primary for h in data.holders)
    for index, holder in enumerate(data.holders):
        op.session.add(
            AccountHolder(
                workspace_id=op.workspace_id,
                account_id=account.id,
                customer_id=holder.customer_id,
                role=holder.role,
                is_primary=holder.is_primary or (not has_primary and index == 0),
            )
        )
    if data.balance is not None:
        op.session.add(
            BalanceSnapshot(
                workspace_id=op.workspace_id,
                account_id=account.id,
                as_of=opened,
                balance=data.balance,
            )
        )
    await op.session.flush()
    op.audit(
        "FinancialAccount",
        account.id,
        "open",
        {"number": [None, mask_number(number)]},
        customer_id=data.holders[0].customer_id,
    )
    await op.emit(AccountOpened(id=account.id))
    return account


async def get_account(op: Operation, account_id: uuid.UUID, field: str = "id") -> FinancialAccount:
    account = await op.session.get(FinancialAccount, (op.workspace_id, account_id))
    if account is None:
        raise NotFound(field, "account")
    return account


async def record_balance(
    op: Operation, account_id: uuid.UUID, balance: Decimal, as_of: date | None = None
) -> FinancialAccount:
    """Store the balance of one day (replacing that day's); the newest becomes current."""
    account = await get_account(op, account_id, "accountId")
    product = await op.session.get(FinancialProduct, (op.workspace_id, account.product_id))
    assert product is not None  # the foreign key keeps it
    wrong = balance_error("balance", balance, account.currency, product)
    if wrong is not None:
        raise ValidationFailed([wrong])
    balance = balance.quantize(CENT)  # as stored, so the answer reads as a later read will
    day = as_of or today()
    if day < account.opened_on:
        raise ValidationFailed.one(
            "asOf", "before the account was opened", BankingErrorCode.BEFORE_OPENING
        )
    if day > today():
        raise ValidationFailed.one(
            "asOf", "must not be in the future", BankingErrorCode.IN_THE_FUTURE
        )
    if account.closed_on is not None and day > account.closed_on:
        raise ValidationFailed.one(
            "asOf", "after the account was closed", BankingErrorCode.AFTER_CLOSING
        )
    snapshot = (
        await op.session.execute(
            select(BalanceSnapshot).where(
                BalanceSnapshot.account_id == account.id, BalanceSnapshot.as_of == day
            )
        )
    ).scalar_one_or_none()
    if snapshot is None:
        op.session.add(
            BalanceSnapshot(
                workspace_id=op.workspace_id, account_id=account.id, as_of=day, balance=balance
            )
        )
    else:
        snapshot.balance = balance
    if account.balance_as_of is None or day >= account.balance_as_of:
        account.balance, account.balance_as_of = balance, day
    await op.session.flush()
    op.audit(
        "FinancialAccount",
        account.id,
        "balance",
        {"balance": [None, str(balance)], "asOf": [None, day.isoformat()]},
    )
    return account


async def close_account(
    op: Operation, account_id: uuid.UUID, closed_on: date | None = None
) -> FinancialAccount:
    account = await get_account(op, account_id)
    if account.status == "closed":
        raise InvalidTransition("id", "the account is closed already")
    day = closed_on or today()
    if day < account.opened_on:
        raise ValidationFailed.one(
            "closedOn", "before the account was opened", BankingErrorCode.BEFORE_OPENING
        )
    account.status, account.closed_on = "closed", day
    await op.session.flush()
    op.audit("FinancialAccount", account.id, "close", {"status": ["open", "closed"]})
    await op.emit(AccountClosed(id=account.id))
    return account


async def assets_by_customer(
    session: AsyncSession,
    asset_kinds: Iterable[str],
    customer_ids: Iterable[uuid.UUID] | None = None,
    on: date | None = None,
) -> dict[uuid.UUID, Decimal]:
    """Assets under management per primary holder: the balances of asset products.

    Without ``on``, the current balance of accounts not closed; with ``on``, the latest
    snapshot on or before that day of accounts open that day.
    """
    kinds = list(asset_kinds)
    if on is None:
        statement = (
            select(AccountHolder.customer_id, func.sum(FinancialAccount.balance))
            .join(FinancialAccount, FinancialAccount.id == AccountHolder.account_id)
            .join(FinancialProduct, FinancialProduct.id == FinancialAccount.product_id)
            .where(
                AccountHolder.is_primary.is_(True),
                FinancialAccount.status != "closed",
                FinancialProduct.kind.in_(kinds),
            )
            .group_by(AccountHolder.customer_id)
        )
    else:
        latest = (
            select(
                BalanceSnapshot.account_id,
                BalanceSnapshot.balance,
                func.row_number()
                .over(
                    partition_by=BalanceSnapshot.account_id, order_by=BalanceSnapshot.as_of.desc()
                )
                .label("position"),
            )
            .where(BalanceSnapshot.as_of <= on)
            .subquery()
        )
        statement = (
            select(AccountHolder.customer_id, func.sum(latest.c.balance))
            .join(latest, latest.c.account_id == AccountHolder.account_id)
            .join(FinancialAccount, FinancialAccount.id == AccountHolder.account_id)
            .join(FinancialProduct, FinancialProduct.id == FinancialAccount.product_id)
            .where(
                latest.c.position == 1,
                AccountHolder.is_primary.is_(True),
                FinancialAccount.opened_on <= on,
                (FinancialAccount.closed_on.is_(None)) | (FinancialAccount.closed_on > on),
                FinancialProduct.kind.in_(kinds),
            )
            .group_by(AccountHolder.customer_id)
        )
    if customer_ids is not None:
        statement = statement.where(AccountHolder.customer_id.in_(list(customer_ids)))
    totals: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for customer_id, total in (await session.execute(statement)).all():
        totals[customer_id] = Decimal(total or 0)
    return dict(totals)
