"""What banking tells customer insights: client revenue, and signs a client is leaving."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, literal, null, select

from rapport.core import AnySelect, ChurnSignal, ValueKind, ValueSource
from rapport.plugins.banking.models import (
    AccountHolder,
    BalanceSnapshot,
    ClientRevenue,
    FinancialAccount,
    SurveyScore,
)

__all__ = ["BANKING_CHURN_SIGNALS", "BANKING_VALUE_SOURCES"]

RECENT = timedelta(days=180)
# A balance below this share of its highest in the recent past is running down.
RUNNING_DOWN_SHARE = 0.5
DETRACTOR_SCORE = 6


def client_revenue(workspace_id: uuid.UUID) -> AnySelect:
    """Fees and interest margin per month, already in the bank's reporting currency."""
    return select(
        ClientRevenue.customer_id,
        ClientRevenue.month.label("occurred_at"),
        ClientRevenue.amount,
        null().label("currency"),
    ).where(ClientRevenue.workspace_id == workspace_id, ClientRevenue.amount > 0)


def accounts_closed(workspace_id: uuid.UUID, now: datetime) -> AnySelect:
    return (
        select(AccountHolder.customer_id, literal(0.5).label("weight"))
        .join(
            FinancialAccount,
            (FinancialAccount.workspace_id == AccountHolder.workspace_id)
            & (FinancialAccount.id == AccountHolder.account_id),
        )
        .where(
            AccountHolder.workspace_id == workspace_id,
            FinancialAccount.status == "closed",
            FinancialAccount.closed_on >= (now - RECENT).date(),
        )
    )


def balances_running_down(workspace_id: uuid.UUID, now: datetime) -> AnySelect:
    highest = (
        select(BalanceSnapshot.account_id, func.max(BalanceSnapshot.balance).label("highest"))
        .where(
            BalanceSnapshot.workspace_id == workspace_id,
            BalanceSnapshot.as_of >= (now - RECENT).date(),
        )
        .group_by(BalanceSnapshot.account_id)
        .subquery()
    )
    return (
        select(AccountHolder.customer_id, literal(0.4).label("weight"))
        .join(
            FinancialAccount,
            (FinancialAccount.workspace_id == AccountHolder.workspace_id)
            & (FinancialAccount.id == AccountHolder.account_id),
        )
        .join(highest, highest.c.account_id == FinancialAccount.id)
        .where(
            AccountHolder.workspace_id == workspace_id,
            FinancialAccount.status != "closed",
            highest.c.highest > 0,
            FinancialAccount.balance < highest.c.highest * RUNNING_DOWN_SHARE,
        )
    )


def bad_bank_survey(workspace_id: uuid.UUID, now: datetime) -> AnySelect:
    return select(SurveyScore.customer_id, literal(0.3).label("weight")).where(
        SurveyScore.workspace_id == workspace_id,
        SurveyScore.score <= DETRACTOR_SCORE,
        SurveyScore.surveyed_on >= (now - RECENT).date(),
    )


BANKING_VALUE_SOURCES = (
    ValueSource("banking.client_revenue", ValueKind.REVENUE, client_revenue, "monthly revenue"),
)
BANKING_CHURN_SIGNALS = (
    ChurnSignal("account_closed", "closed an account in the last six months", accounts_closed),
    ChurnSignal(
        "balances_running_down", "a balance under half its recent high", balances_running_down
    ),
    ChurnSignal("detractor_survey", "scored the bank 6 or less lately", bad_bank_survey),
)
