"""The banking GraphQL schema, contributed one area at a time."""

from __future__ import annotations

from rapport.core import GraphQLPart
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

__all__ = ["CONTRIBUTIONS"]

CONTRIBUTIONS: tuple[GraphQLPart, ...] = (
    GraphQLPart(
        BookQueries,
        BookMutations,
        (RelationshipManager, Assignment, Household),
        extend={"Customer": CustomerBankingFields},
    ),
    GraphQLPart(AccountQueries, AccountMutations, (FinancialProduct, FinancialAccount)),
    GraphQLPart(RatingQueries, RatingMutations, (RiskRating,)),
    GraphQLPart(KeyClientQueries, KeyClientMutations, (KeyClient,)),
    GraphQLPart(PerformanceQueries, PerformanceMutations, (TrainingRecord,)),
)
