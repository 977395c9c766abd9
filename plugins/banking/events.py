"""The events banking emits, one class per event type."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from rapport.core import Event, EventType

__all__ = ["BANKING_EVENT_TYPES"]


class ClientAssigned(Event, name="banking.client_assigned", entity_type="Assignment"):
    id: uuid.UUID
    manager_id: uuid.UUID
    customer_id: uuid.UUID | None
    household_id: uuid.UUID | None
    role: str


class AssignmentEnded(Event, name="banking.assignment_ended", entity_type="Assignment"):
    id: uuid.UUID
    valid_to: date


class BookReassigned(Event, name="banking.book_reassigned", entity_type="RelationshipManager"):
    id: uuid.UUID
    from_manager_id: uuid.UUID
    to_manager_id: uuid.UUID
    effective_date: date
    clients: int


class HouseholdCreated(Event, name="banking.household_created", entity_type="Household"):
    id: uuid.UUID


class AccountOpened(Event, name="banking.account_opened", entity_type="FinancialAccount"):
    id: uuid.UUID


class AccountClosed(Event, name="banking.account_closed", entity_type="FinancialAccount"):
    id: uuid.UUID


class RiskRated(Event, name="banking.risk_rated", entity_type="RiskRating"):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    rating: str


class KeyClientTiersComputed(
    Event,
    name="banking.key_client_tiers_computed",
    entity_type="KeyClientTier",
):
    """About the whole workspace: ``id`` is the workspace's."""

    id: uuid.UUID
    clients: int
    computed_at: datetime


class TrainingRecorded(Event, name="banking.training_recorded", entity_type="TrainingRecord"):
    id: uuid.UUID
    manager_id: uuid.UUID
    points: int


BANKING_EVENT_TYPES: tuple[EventType, ...] = (
    EventType(ClientAssigned, "a client was assigned to a manager"),
    EventType(AssignmentEnded, "an assignment of a client to a manager ended"),
    EventType(BookReassigned, "a manager's whole book moved to another manager"),
    EventType(HouseholdCreated, "a household was formed"),
    EventType(AccountOpened, "a financial account was opened"),
    EventType(AccountClosed, "a financial account was closed"),
    EventType(RiskRated, "a client received a risk rating"),
    EventType(KeyClientTiersComputed, "key client tiers were recomputed"),
    EventType(TrainingRecorded, "a manager completed a training course"),
)
