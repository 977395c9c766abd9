"""A record that joins two customers is seen only by whoever may see both of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from rapport.core.models import Relationship
from rapport.core.tenancy import unscoped_session
from tests.plugins.banking.conftest import Bank, Person, pk

CREATE = """mutation($input: CreateRelationshipInput!) {
  createRelationship(input: $input) { relationship { id } errors { field code } } }"""


async def _relate(bank: Bank, from_id: str, to_id: str, notes: str) -> str:
    payload = await bank.mutate(
        CREATE,
        {"input": {"type": "guarantor_of", "fromId": from_id, "toId": to_id, "notes": notes}},
    )
    return str(payload["relationship"]["id"])


async def _setting(bank: Bank) -> tuple[Person, dict[str, str]]:
    """Alice manages Ada and Alan, Bob manages Grace; Ada guarantees for both of the others."""
    alice, bob = await bank.manager("alice"), await bank.manager("bob")
    ada, alan = await bank.customer("Ada Lovelace"), await bank.customer("Alan Turing")
    grace = await bank.customer("Grace Hopper")
    for manager, customer in ((alice, ada), (alice, alan), (bob, grace)):
        await bank.assign(manager, customer)
    ids = {
        "ada": ada,
        "grace": grace,
        "mine": await _relate(bank, ada, alan, "within the book"),
        "across": await _relate(bank, ada, grace, "Grace's secret"),
    }
    return alice, ids


async def test_a_relationship_to_a_foreign_client_is_not_a_node(bank: Bank) -> None:
    alice, ids = await _setting(bank)
    query = "query($id: ID!) { node(id: $id) { ... on Relationship { notes } } }"
    assert await alice.client.query(query, {"id": ids["across"]}) == {"node": None}
    assert await alice.client.query(query, {"id": ids["mine"]}) == {
        "node": {"notes": "within the book"}
    }
    listed = await alice.client.query(
        """query($id: ID!) { node(id: $id) { ... on Customer {
             relationships { relationship { id notes } } } } }""",
        {"id": ids["ada"]},
    )
    assert [r["relationship"]["id"] for r in listed["node"]["relationships"]] == [ids["mine"]]
    everything = await bank.admin.query(query, {"id": ids["across"]})
    assert everything == {"node": {"notes": "Grace's secret"}}


async def test_a_relationship_to_a_foreign_client_cannot_change(bank: Bank) -> None:
    alice, ids = await _setting(bank)
    update = await alice.client.query(
        """mutation($id: ID!) { updateRelationship(id: $id, input: {notes: "mine now"}) {
             relationship { id } errors { field code } } }""",
        {"id": ids["across"]},
    )
    assert update["updateRelationship"] == {
        "relationship": None,
        "errors": [{"field": "id", "code": "NOT_FOUND"}],
    }
    delete = await alice.client.query(
        """mutation($id: ID!) { deleteRelationship(id: $id) {
             relationship { id } errors { field code } } }""",
        {"id": ids["across"]},
    )
    assert delete["deleteRelationship"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    async with unscoped_session(bank.runtime.sessions) as session:
        row = (
            await session.execute(select(Relationship).where(Relationship.id == pk(ids["across"])))
        ).scalar_one()
    assert row.notes == "Grace's secret"


async def test_the_audit_log_hides_history_about_a_foreign_client(bank: Bank) -> None:
    alice, ids = await _setting(bank)
    query = """query($customer: ID) { auditLog(customerId: $customer, first: 100) {
                 totalCount nodes { entityId changes } } }"""

    def about_relationships(data: dict[str, Any]) -> list[str]:
        edges = (ids["mine"], ids["across"])
        return [n["entityId"] for n in data["auditLog"]["nodes"] if n["entityId"] in edges]

    for customer in (None, ids["ada"]):
        seen = await alice.client.query(query, {"customer": customer})
        assert about_relationships(seen) == [ids["mine"]]
        assert str(pk(ids["grace"])) not in str(seen)
        assert seen["auditLog"]["totalCount"] == len(seen["auditLog"]["nodes"])
    everything = await bank.admin.query(query, {"customer": ids["ada"]})
    assert sorted(about_relationships(everything)) == sorted([ids["mine"], ids["across"]])


async def test_a_filter_does_not_confirm_a_link_to_a_foreign_client(bank: Bank) -> None:
    alice, ids = await _setting(bank)
    query = """query($to: ID!) {
      customers(filter: {hasRelationship: {type: "guarantor_of", to: $to}}) {
        totalCount edges { node { id } } } }"""
    seen = await alice.client.query(query, {"to": ids["grace"]})
    assert seen["customers"] == {"totalCount": 0, "edges": []}
    anyone = await alice.client.query(
        '{ customers(filter: {hasRelationship: {type: "guarantor_of", direction: OUTGOING}}) '
        "{ edges { node { id } } } }"
    )
    assert [e["node"]["id"] for e in anyone["customers"]["edges"]] == [ids["ada"]]
    everything = await bank.admin.query(query, {"to": ids["grace"]})
    assert everything["customers"]["edges"] == [{"node": {"id": ids["ada"]}}]
