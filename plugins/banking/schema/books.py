"""Books of business in GraphQL: manager profiles, assignments, households and ``myBook``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, exists
from strawberry import relay

from rapport.core import Customer as CustomerRow
from rapport.core import Operation
from rapport.plugins.banking import models
from rapport.plugins.banking.access import (
    book_customer_ids,
    own_book,
    team_books,
    today,
)
from rapport.plugins.banking.schema.types import (
    Assignment,
    AssignmentRole,
    Household,
    RelationshipManager,
    RelationshipManagerOrder,
    Tier,
)
from rapport.plugins.banking.services import assignments as assignment_service
from rapport.plugins.banking.services import households as household_service
from rapport.plugins.banking.services.managers import ManagerProfile, save_manager_profile
from rapport.schema import (
    Connection,
    Custom,
    Customer,
    CustomerOrder,
    Info,
    Listing,
    OrderDirection,
    Scope,
    StringFilter,
    UserError,
    compile_filter,
    context_of,
    decode_node_id,
    mutate,
    optional_row_id_of,
    order_keys,
    read_page,
    reads,
    row_id_of,
    to_service_fields,
)

__all__ = ["BookMutations", "BookQueries"]


@strawberry.input(description="Conditions on the clients of a book; all given must hold.")
class BookFilter:
    display_name: StringFilter | None = strawberry.UNSET
    role: list[AssignmentRole] | None = strawberry.field(
        default=strawberry.UNSET, description="Clients the caller holds in one of these roles."
    )
    tier: list[Tier] | None = strawberry.UNSET
    has_overdue_review: bool | None = strawberry.UNSET
    and_: list[BookFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[BookFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: BookFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


def _book_filters(me: Any) -> dict[str, Any]:
    day = today()

    def held_in(roles: list[AssignmentRole]) -> Any:
        return exists().where(
            models.Assignment.customer_id == CustomerRow.id,
            models.Assignment.manager_user_id == me,
            models.Assignment.role.in_([r.value for r in roles]),
            models.Assignment.valid_from <= day,
            (models.Assignment.valid_to.is_(None)) | (models.Assignment.valid_to > day),
        )

    def overdue(wanted: bool) -> Any:
        found = exists().where(
            models.RiskRating.customer_id == CustomerRow.id,
            models.RiskRating.is_current.is_(True),
            models.RiskRating.next_review_on < day,
        )
        return found if wanted else ~found

    return {
        "display_name": CustomerRow.display_name,
        "role": Custom(held_in),
        "tier": Custom(
            lambda tiers: exists().where(
                models.KeyClientTier.customer_id == CustomerRow.id,
                models.KeyClientTier.tier.in_([t.value for t in tiers]),
            )
        ),
        "has_overdue_review": Custom(overdue),
    }


def _book_rows(scope: Scope) -> list[ColumnElement[bool]]:
    caller = scope.caller
    ws, me = caller.workspace_id, caller.user_id
    managers = team_books(ws, me) if scope.args.get("team") else own_book(ws, me)
    return [
        CustomerRow.deleted_at.is_(None),
        CustomerRow.id.in_(book_customer_ids(ws, managers, today())),
        compile_filter(scope.args.get("filter"), _book_filters(me)),
    ]


# The caller's own book: its rows depend on who calls, so its compiled statement is each
# caller's own (it reads `scope.caller`).
MY_BOOK = Listing(
    target=lambda: Customer,
    permission="banking:read",
    where=_book_rows,
    keys=lambda scope: order_keys(
        CustomerRow, scope.args.get("order_by"), [("display_name", OrderDirection.ASC)]
    ),
)
RELATIONSHIP_MANAGERS = Listing(
    target=lambda: RelationshipManager,
    where=lambda scope: [],
    keys=lambda scope: order_keys(
        models.RelationshipManager, scope.args.get("order_by"), [("created_at", OrderDirection.ASC)]
    ),
)


@strawberry.type
class BookQueries:
    @strawberry.field(
        metadata=reads(MY_BOOK),
        description="The caller's clients: assigned to them today in any role, directly or "
        "through a household; by name.",
    )
    async def my_book(
        self,
        info: Info,
        filter: BookFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        team: Annotated[
            bool,
            strawberry.argument(
                description="A team lead's whole team: their own book and their managers' books."
            ),
        ] = False,
        order_by: list[CustomerOrder] | None = None,
    ) -> Connection[Customer]:
        context_of(info).require("banking:read")
        return await read_page(
            info, MY_BOOK, first=first, after=after, filter=filter, team=team, order_by=order_by
        )

    @strawberry.field(
        metadata=reads(RELATIONSHIP_MANAGERS),
        description="Manager profiles the caller may see, by branch.",
    )
    async def relationship_managers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        order_by: list[RelationshipManagerOrder] | None = None,
    ) -> Connection[RelationshipManager]:
        return await read_page(
            info, RELATIONSHIP_MANAGERS, first=first, after=after, order_by=order_by
        )


@strawberry.input(
    description="A user's banking profile: created with the fields given, or changed where it "
    "exists (a field left out is kept, an explicit null clears it)."
)
class ManagerProfileInput:
    user_id: relay.GlobalID
    branch: str | None = strawberry.UNSET
    segment: str | None = strawberry.UNSET
    grade: str | None = strawberry.UNSET
    team_lead_id: relay.GlobalID | None = strawberry.UNSET
    is_active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Default true for a new profile; null is refused."
    )

    def to_fields(self) -> ManagerProfile:
        return to_service_fields(
            self,
            ManagerProfile,
            id_types={"user_id": "User", "team_lead_user_id": "User"},
            sources={"team_lead_user_id": "team_lead_id"},
        )


@strawberry.type
class ManagerProfilePayload:
    manager: RelationshipManager | None
    errors: list[UserError]


@strawberry.input
class AssignmentInput:
    manager_id: relay.GlobalID
    customer_id: relay.GlobalID | None = None
    household_id: relay.GlobalID | None = None
    role: AssignmentRole = AssignmentRole.PRIMARY
    valid_from: date | None = None


@strawberry.type
class AssignmentPayload:
    assignment: Assignment | None
    errors: list[UserError]


@strawberry.type
class ReassignBookPayload:
    closed: list[Assignment]
    opened: list[Assignment]
    tasks_moved: int
    errors: list[UserError]


@strawberry.input
class HouseholdInput:
    name: str
    primary_member_id: relay.GlobalID
    member_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)


@strawberry.type
class HouseholdPayload:
    household: Household | None
    errors: list[UserError]


def _assignment_payload(
    row: models.Assignment | None, errors: list[UserError]
) -> AssignmentPayload:
    return AssignmentPayload(assignment=Assignment.from_model(row) if row else None, errors=errors)


def _household_payload(row: models.Household | None, errors: list[UserError]) -> HouseholdPayload:
    return HouseholdPayload(household=Household.from_model(row) if row else None, errors=errors)


@strawberry.type
class BookMutations:
    @strawberry.mutation(description="Create or change the banking profile of a user.")
    async def save_manager_profile(
        self, info: Info, input: ManagerProfileInput
    ) -> ManagerProfilePayload:
        async def work(op: Operation) -> models.RelationshipManager:
            return await save_manager_profile(op, input.to_fields())

        row, errors = await mutate(info, "banking:manage", work)
        return ManagerProfilePayload(
            manager=RelationshipManager.from_model(row) if row else None, errors=errors
        )

    @strawberry.mutation(description="Put a customer or a household in a manager's book.")
    async def assign_client(self, info: Info, input: AssignmentInput) -> AssignmentPayload:
        async def work(op: Operation) -> models.Assignment:
            data = assignment_service.AssignmentFields(
                manager_user_id=row_id_of(input.manager_id, "User", "input.managerId"),
                role=input.role.value,
                customer_id=None
                if input.customer_id is None
                else row_id_of(input.customer_id, "Customer", "input.customerId"),
                household_id=optional_row_id_of(
                    input.household_id, "Household", "input.householdId"
                ),
                valid_from=input.valid_from,
            )
            return await assignment_service.assign_client(op, data)

        return _assignment_payload(*await mutate(info, "banking:assign", work))

    @strawberry.mutation(description="End an assignment on a day (today by default).")
    async def end_assignment(
        self, info: Info, id: relay.GlobalID, valid_to: date | None = None
    ) -> AssignmentPayload:
        async def work(op: Operation) -> models.Assignment:
            return await assignment_service.end_assignment(
                op, decode_node_id(id, Assignment, "id"), valid_to
            )

        return _assignment_payload(*await mutate(info, "banking:assign", work))

    @strawberry.mutation(
        description="Move every client of one manager to another; history is kept and both "
        "managers get a task."
    )
    async def reassign_book(
        self,
        info: Info,
        from_manager_id: relay.GlobalID,
        to_manager_id: relay.GlobalID,
        effective_date: date | None = None,
    ) -> ReassignBookPayload:
        async def work(op: Operation) -> assignment_service.BookMove:
            return await assignment_service.reassign_book(
                op,
                row_id_of(from_manager_id, "User", "fromManagerId"),
                row_id_of(to_manager_id, "User", "toManagerId"),
                effective_date,
            )

        move, errors = await mutate(info, "banking:assign", work)
        if move is None:
            return ReassignBookPayload(closed=[], opened=[], tasks_moved=0, errors=errors)
        return ReassignBookPayload(
            closed=[Assignment.from_model(r) for r in move.closed],
            opened=[Assignment.from_model(r) for r in move.opened],
            tasks_moved=move.tasks_moved,
            errors=errors,
        )

    @strawberry.mutation
    async def create_household(self, info: Info, input: HouseholdInput) -> HouseholdPayload:
        async def work(op: Operation) -> models.Household:
            members = [
                row_id_of(m, "Customer", f"input.memberIds.{i}")
                for i, m in enumerate(input.member_ids)
            ]
            return await household_service.create_household(
                op,
                input.name,
                row_id_of(input.primary_member_id, "Customer", "input.primaryMemberId"),
                members,
            )

        return _household_payload(*await mutate(info, "banking:write", work))

    @strawberry.mutation
    async def add_household_member(
        self, info: Info, household_id: relay.GlobalID, customer_id: relay.GlobalID
    ) -> HouseholdPayload:
        async def work(op: Operation) -> models.Household:
            return await household_service.add_member(
                op,
                decode_node_id(household_id, Household, "householdId"),
                row_id_of(customer_id, "Customer", "customerId"),
            )

        return _household_payload(*await mutate(info, "banking:write", work))

    @strawberry.mutation(description="End a membership; the relationship keeps its history.")
    async def remove_household_member(
        self, info: Info, household_id: relay.GlobalID, customer_id: relay.GlobalID
    ) -> HouseholdPayload:
        async def work(op: Operation) -> models.Household:
            return await household_service.remove_member(
                op,
                decode_node_id(household_id, Household, "householdId"),
                row_id_of(customer_id, "Customer", "customerId"),
            )

        return _household_payload(*await mutate(info, "banking:write", work))
