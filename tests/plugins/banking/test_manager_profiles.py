"""Saving a manager profile that exists changes what is given: a field left out is kept, an
explicit null clears it, and a null for whether the manager is active is refused."""

from __future__ import annotations

from typing import Any

from tests.plugins.banking.conftest import Bank, Person

SAVE = """mutation($input: ManagerProfileInput!) {
  saveManagerProfile(input: $input) {
    manager { branch segment grade isActive teamLead { id } }
    errors { field code reason }
  }
}"""


async def _save(bank: Bank, person: Person, **fields: Any) -> dict[str, Any]:
    return await bank.mutate(SAVE, {"input": {"userId": person.gid, **fields}})


async def _profile(bank: Bank, person: Person) -> dict[str, Any]:
    saved = await _save(bank, person)  # nothing given: the profile as it is
    assert saved["errors"] == []
    return dict(saved["manager"])


async def test_saving_again_keeps_what_is_left_out_and_clears_nulls(bank: Bank) -> None:
    lead = await bank.manager("lead")
    alice = await bank.manager("alice", lead=lead)
    await _save(bank, alice, grade="senior")

    kept = await _save(bank, alice, branch="North")
    assert kept["manager"] == {
        "branch": "North",
        "segment": "private",
        "grade": "senior",
        "isActive": True,
        "teamLead": {"id": lead.gid},
    }

    cleared = await _save(bank, alice, grade=None, teamLeadId=None)
    assert (cleared["manager"]["grade"], cleared["manager"]["teamLead"]) == (None, None)
    assert await _profile(bank, alice) == {
        "branch": "North",
        "segment": "private",
        "grade": None,
        "isActive": True,
        "teamLead": None,
    }


async def test_null_active_flag_is_refused_and_changes_nothing(bank: Bank) -> None:
    alice = await bank.manager("alice")
    before = await _profile(bank, alice)
    variables = {"input": {"userId": alice.gid, "isActive": None, "branch": "South"}}
    refused = (await bank.admin.query(SAVE, variables))["saveManagerProfile"]
    assert refused["manager"] is None
    assert refused["errors"] == [
        {"field": "input.isActive", "code": "REQUIRED", "reason": "CORE_CANNOT_CLEAR"}
    ]
    assert await _profile(bank, alice) == before
