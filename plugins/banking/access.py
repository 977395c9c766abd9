"""Who sees which rows: a relationship manager sees their book, a team lead their team's books.

Every condition here is registered through ``register_access_policies``, so it rides on every
statement of the actor's operations (lists, ``node(id:)``, filters, counts, writes) and no
resolver or service has to remember it. Compliance, branch heads and admins are not limited.

The subqueries use the tables (``Model.__table__``), not the mapped classes: ORM entities inside
a policy would receive the policies again (a customer condition reading relationships whose
condition reads customers), while a table is left alone. Because the tenancy criterion does not
reach these tables either, every subquery names its workspace itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, CompoundSelect, and_, or_, select, union

from rapport.core import (
    CUSTOMER_SCOPE,
    AccessPolicy,
    Actor,
    AnySelect,
    AuditEntry,
    Interaction,
    InteractionParticipant,
    Relationship,
    Task,
    User,
    utcnow,
)
from rapport.plugins.banking.models import (
    AccountHolder,
    Assignment,
    BalanceSnapshot,
    ClientRevenue,
    FinancialAccount,
    Household,
    KeyClientTier,
    RelationshipManager,
    RiskRating,
    SurveyScore,
    TrainingRecord,
)

__all__ = [
    "MANAGER_ROLE",
    "TEAM_LEAD_ROLE",
    "book_customer_ids",
    "book_policies",
    "today",
]

MANAGER_ROLE = "relationship_manager"
TEAM_LEAD_ROLE = "team_lead"
HOUSEHOLD_MEMBER = "household_member"

_assignments = Assignment.__table__
_households = Household.__table__
_managers = RelationshipManager.__table__
_relationships = Relationship.__table__
_users = User.__table__
_holders = AccountHolder.__table__
_interactions = Interaction.__table__

# A subquery of ids: one select, or a union of flat ones.
Ids: TypeAlias = AnySelect | CompoundSelect[Any]
# Builds the subquery of the user ids whose books the actor works on.
ManagerSet = Callable[[uuid.UUID, uuid.UUID], Ids]


def today() -> date:
    """The bank's calendar day; assignments change at UTC midnight."""
    return utcnow().date()


def active_on(table: Any, day: date) -> ColumnElement[bool]:
    """Rows of an assignment table valid on ``day`` (``valid_to`` is exclusive)."""
    return and_(table.c.valid_from <= day, or_(table.c.valid_to.is_(None), table.c.valid_to > day))


def own_book(workspace_id: uuid.UUID, user_id: uuid.UUID) -> AnySelect:
    return select(_users.c.id).where(_users.c.workspace_id == workspace_id, _users.c.id == user_id)


def team_books(workspace_id: uuid.UUID, user_id: uuid.UUID) -> Ids:
    # A union of flat selects rather than an IN within the users' select: see book_customer_ids.
    team = select(_managers.c.user_id).where(
        _managers.c.workspace_id == workspace_id, _managers.c.team_lead_user_id == user_id
    )
    return union(own_book(workspace_id, user_id), team)


def _assigned(workspace_id: uuid.UUID, managers: Ids, day: date) -> ColumnElement[bool]:
    return and_(
        _assignments.c.workspace_id == workspace_id,
        _assignments.c.manager_user_id.in_(managers),
        active_on(_assignments, day),
    )


# The book's subqueries are kept shallow (joins in one SELECT rather than IN within IN): they
# ride on every aliased table of a compiled read, and SQLite's parser refuses deep nesting.


def book_household_ids(workspace_id: uuid.UUID, managers: Ids, day: date) -> Ids:
    """Households assigned to the managers, and households whose primary member is."""
    assigned = _assigned(workspace_id, managers, day)
    direct = select(_assignments.c.household_id).where(
        assigned, _assignments.c.household_id.is_not(None)
    )
    through_primary = select(_households.c.id).where(
        _households.c.workspace_id == workspace_id,
        _households.c.primary_customer_id == _assignments.c.customer_id,
        assigned,
    )
    return union(direct, through_primary)


def book_customer_ids(workspace_id: uuid.UUID, managers: Ids, day: date) -> Ids:
    """Clients in the managers' active books: assigned directly or as members of an assigned
    household (the primary member and everyone linked to them as ``household_member``)."""
    assigned = _assigned(workspace_id, managers, day)
    direct = select(_assignments.c.customer_id).where(
        assigned, _assignments.c.customer_id.is_not(None)
    )
    of_household = and_(
        _households.c.workspace_id == workspace_id,
        _households.c.id == _assignments.c.household_id,
        assigned,
    )
    primaries = select(_households.c.primary_customer_id).where(of_household)
    members = select(_relationships.c.from_customer_id).where(
        _relationships.c.workspace_id == workspace_id,
        _relationships.c.type_key == HOUSEHOLD_MEMBER,
        _relationships.c.end_date.is_(None),
        _relationships.c.to_customer_id == _households.c.primary_customer_id,
        of_household,
    )
    return union(direct, primaries, members)


def book_account_ids(workspace_id: uuid.UUID, managers: Ids, day: date) -> Ids:
    return select(_holders.c.account_id).where(
        _holders.c.workspace_id == workspace_id,
        _holders.c.customer_id.in_(book_customer_ids(workspace_id, managers, day)),
    )


def _manager_set(actor: Actor) -> ManagerSet | None:
    if actor.role == MANAGER_ROLE:
        return own_book
    if actor.role == TEAM_LEAD_ROLE:
        return team_books
    return None


PolicyFactory = Callable[[ManagerSet, uuid.UUID, uuid.UUID, date], Callable[[Any], Any]]


def _tasks(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    # Tasks about no client at all stay with whoever they are assigned to.
    return lambda cls: or_(
        cls.customer_id.in_(book_customer_ids(ws, books(ws, me), day)),
        and_(cls.customer_id.is_(None), cls.assignee_id == me),
    )


def _participants(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    # Who else took part is part of an interaction the actor can see, and nothing more.
    return lambda cls: cls.interaction_id.in_(
        select(_interactions.c.id).where(
            _interactions.c.workspace_id == ws,
            _interactions.c.customer_id.in_(book_customer_ids(ws, books(ws, me), day)),
        )
    )


def _audit(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    # History about a client follows the client; history about no client, its author.
    return lambda cls: or_(
        cls.customer_id.in_(book_customer_ids(ws, books(ws, me), day)),
        and_(cls.customer_id.is_(None), cls.actor_id == me),
    )


def _households_policy(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    return lambda cls: cls.id.in_(book_household_ids(ws, books(ws, me), day))


def _assignments_policy(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    # The whole history of a client in the book, and every row of the actor's own books.
    return lambda cls: or_(
        cls.manager_user_id.in_(books(ws, me)),
        cls.customer_id.in_(book_customer_ids(ws, books(ws, me), day)),
        cls.household_id.in_(book_household_ids(ws, books(ws, me), day)),
    )


def _accounts(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    return lambda cls: cls.id.in_(book_account_ids(ws, books(ws, me), day))


def _by_account(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    return lambda cls: cls.account_id.in_(book_account_ids(ws, books(ws, me), day))


def _by_manager(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    return lambda cls: cls.manager_user_id.in_(books(ws, me))


def _profiles(books: ManagerSet, ws: uuid.UUID, me: uuid.UUID, day: date) -> Any:
    return lambda cls: cls.user_id.in_(books(ws, me))


# Customers and every table linked to them (core's, this plugin's, other plugins') follow
# the book through the customer scope; these rules add what the scope cannot say.
POLICIES: dict[type, PolicyFactory] = {
    Task: _tasks,
    InteractionParticipant: _participants,
    AuditEntry: _audit,
    Household: _households_policy,
    Assignment: _assignments_policy,
    # Holders are listed through the account: a joint holder of an account in the book is
    # shown by id, but the customer row itself stays behind the customer condition.
    AccountHolder: _by_account,
    FinancialAccount: _accounts,
    BalanceSnapshot: _by_account,
    TrainingRecord: _by_manager,
    RelationshipManager: _profiles,
}


def _policy(factory: PolicyFactory) -> Callable[[Actor], Any]:
    def policy(actor: Actor) -> Any:
        books = _manager_set(actor)
        if books is None:
            return None
        return factory(books, actor.workspace_id, actor.user_id, today())

    return policy


# Banking tables whose rows are one client's: the customer scope reaches them.
CUSTOMER_LINKED = (RiskRating, KeyClientTier, ClientRevenue, SurveyScore)


def _book_scope(actor: Actor) -> Callable[[], Ids] | None:
    books = _manager_set(actor)
    if books is None:
        return None
    workspace_id, user_id, day = actor.workspace_id, actor.user_id, today()
    return lambda: book_customer_ids(workspace_id, books(workspace_id, user_id), day)


def book_policies() -> list[AccessPolicy]:
    """Every access rule of the books: on customers (and their linked rows), then per table."""
    return [
        AccessPolicy(CUSTOMER_SCOPE, _book_scope),
        *(AccessPolicy(model, _policy(factory)) for model, factory in POLICIES.items()),
    ]
