"""The banking GraphQL schema, contributed one area at a time."""

from __future__ import annotations

from typing import Any

from rapport.plugins.banking.schema.accounts import AccountMutations, AccountQueries
from rapport.plugins.banking.schema.books import BookMutations, BookQueries
from rapport.plugins.banking.schema.clients import KeyClientMutations, KeyClientQueries
from rapport.plugins.banking.schema.customer import CustomerBankingFields
from rapport.plugins.banking.schema.performance import PerformanceMutations, PerformanceQueries
from rapport.plugins.banking.schema.ratings import RatingMutations, RatingQueries
from rapport.plugins.banking.schema.types import (
    Assignment,
    FinancialAccount,
    FinancialProduct,
    Household,
    KeyClient,
    RelationshipManager,
    RiskRating,
    TrainingRecord,
)

__all__ = ["register_schema"]


def register_schema(register: Any) -> None:
    register(
        query=BookQueries,
        mutation=BookMutations,
        types=[RelationshipManager, Assignment, Household],
        extend={"Customer": CustomerBankingFields},
    )
    register(
        query=AccountQueries, mutation=AccountMutations, types=[FinancialProduct, FinancialAccount]
    )
    register(query=RatingQueries, mutation=RatingMutations, types=[RiskRating])
    register(query=KeyClientQueries, mutation=KeyClientMutations, types=[KeyClient])
    register(query=PerformanceQueries, mutation=PerformanceMutations, types=[TrainingRecord])
