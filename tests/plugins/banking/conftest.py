"""A bank to test against: an admin, managers with API keys and profiles, and clients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from strawberry.relay import from_base64, to_base64

from rapport.core import Actor, Operation
from rapport.core.auth import authenticate
from rapport.core.runtime import Runtime
from tests.conftest import Client


def pk(global_id: str) -> uuid.UUID:
    return uuid.UUID(from_base64(global_id)[1])


def gid(type_name: str, row_id: uuid.UUID) -> str:
    return to_base64(type_name, str(row_id))


def payload_of(data: dict[str, Any]) -> dict[str, Any]:
    """The one payload of a mutation response, which must carry no errors."""
    payload = next(iter(data.values()))
    assert payload["errors"] == [], payload["errors"]
    return payload


@dataclass
class Person:
    """Someone with an API key: their client, user id and global user id."""

    client: Client
    user_id: uuid.UUID
    role: str

    @property
    def gid(self) -> str:
        return gid("User", self.user_id)


@dataclass
class Bank:
    admin: Client
    runtime: Runtime

    async def person(self, role: str, name: str) -> Person:
        client = await self.admin.as_role(self.runtime, role, email=f"{name}@bank.example")
        data = await client.query("{ viewer { user { id } } }")
        return Person(client, pk(data["viewer"]["user"]["id"]), role)

    async def manager(
        self, name: str, role: str = "relationship_manager", lead: Person | None = None
    ) -> Person:
        person = await self.person(role, name)
        await self.save_profile(person, lead=lead)
        return person

    async def save_profile(self, person: Person, lead: Person | None = None) -> None:
        await self.mutate(
            """mutation($input: ManagerProfileInput!) {
                 saveManagerProfile(input: $input) { manager { id } errors { field code } } }""",
            {
                "input": {
                    "userId": person.gid,
                    "branch": "Central",
                    "segment": "private",
                    "teamLeadId": lead.gid if lead else None,
                }
            },
        )

    async def mutate(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return payload_of(await self.admin.query(query, variables))

    async def customer(self, name: str, **extra: Any) -> str:
        first, _, last = name.partition(" ")
        payload = await self.mutate(
            """mutation($input: CreateCustomerInput!) {
                 createCustomer(input: $input) { customer { id } errors { field code } } }""",
            {"input": {"kind": "PERSON", "firstName": first, "lastName": last or first, **extra}},
        )
        return str(payload["customer"]["id"])

    async def assign(
        self,
        manager: Person,
        customer_id: str,
        role: str = "PRIMARY",
        valid_from: str | None = None,
    ) -> str:
        payload = await self.mutate(
            """mutation($input: AssignmentInput!) {
                 assignClient(input: $input) { assignment { id } errors { field code message } } }""",
            {
                "input": {
                    "managerId": manager.gid,
                    "customerId": customer_id,
                    "role": role,
                    "validFrom": valid_from,
                }
            },
        )
        return str(payload["assignment"]["id"])

    async def product(self, code: str, kind: str = "DEPOSIT") -> str:
        payload = await self.mutate(
            """mutation($input: FinancialProductInput!) {
                 createFinancialProduct(input: $input) { product { id } errors { field code } } }""",
            {"input": {"code": code, "name": code.title(), "kind": kind}},
        )
        return str(payload["product"]["id"])

    async def account(
        self,
        product_id: str,
        number: str,
        holders: list[str],
        balance: str | None = None,
        opened_on: str | None = None,
    ) -> str:
        payload = await self.mutate(
            """mutation($input: AccountInput!) {
                 openFinancialAccount(input: $input) { account { id } errors { field code message } } }""",
            {
                "input": {
                    "productId": product_id,
                    "number": number,
                    "holders": [{"customerId": h} for h in holders],
                    "balance": balance,
                    "openedOn": opened_on,
                }
            },
        )
        return str(payload["account"]["id"])

    async def balance(self, account_id: str, balance: str, as_of: str) -> None:
        await self.mutate(
            """mutation($id: ID!, $balance: Decimal!, $asOf: Date) {
                 recordBalance(accountId: $id, balance: $balance, asOf: $asOf) {
                   account { id } errors { field code message } } }""",
            {"id": account_id, "balance": balance, "asOf": as_of},
        )

    async def rate(
        self,
        customer_id: str,
        kind: str,
        rating: str,
        next_review_on: str,
        rated_at: str | None = None,
    ) -> str:
        payload = await self.mutate(
            """mutation($input: RiskRatingInput!) {
                 rateRisk(input: $input) { rating { id } errors { field code message } } }""",
            {
                "input": {
                    "customerId": customer_id,
                    "kind": kind,
                    "rating": rating,
                    "nextReviewOn": next_review_on,
                    "ratedAt": rated_at,
                }
            },
        )
        return str(payload["rating"]["id"])

    async def operation_for(self, person: Person) -> tuple[Operation, Any]:
        """A service-level unit of work as ``person``, under their access policies."""
        actor = await authenticate(
            self.runtime.sessions, str(person.client.key), self.runtime.roles
        )
        assert isinstance(actor, Actor)
        session = self.runtime.session_for(actor)
        return Operation(session, actor, self.runtime.host), session


@pytest.fixture
async def bank(client: Client, runtime: Runtime) -> Bank:
    return Bank(client, runtime)
