"""`importCustomers` over GraphQL: report, modes, caps, permission and tenancy."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client

IMPORT = """
mutation($csv: String!, $mapping: [ColumnMapping!], $mode: ImportMode! = ALL_OR_NOTHING,
         $dedupe: DedupeMode! = SKIP) {
  importCustomers(csv: $csv, mapping: $mapping, mode: $mode, dedupe: $dedupe) {
    report {
      rows created updated skipped failed written
      problems { row column problem code }
      duplicates { row customerId matchedOn }
    }
    errors { field code message }
  }
}
"""
COUNT = "{ customers { totalCount } }"
CSV = "name,mail\nAda Lovelace,ada@x.example\nAlan,not-an-email\n"
MAPPING = [{"column": "name", "field": "lastName"}, {"column": "mail", "field": "email"}]


async def test_bad_rows_are_reported_and_nothing_written(client: Client) -> None:
    data = await client.query(IMPORT, {"csv": CSV, "mapping": MAPPING})
    payload = data["importCustomers"]
    assert payload["errors"][0]["field"] == "csv"
    report = payload["report"]
    assert (report["rows"], report["failed"], report["written"]) == (2, 1, False)
    assert report["problems"] == [
        {
            "row": 3,
            "column": "mail",
            "problem": "'not-an-email' is not an email address: An email address must have an @-sign.",
            "code": "INVALID",
        }
    ]
    assert (await client.query(COUNT))["customers"]["totalCount"] == 0


async def test_skip_bad_rows_then_duplicates(client: Client, other_client: Client) -> None:
    variables = {"csv": CSV, "mapping": MAPPING, "mode": "SKIP_BAD_ROWS"}
    first = (await client.query(IMPORT, variables))["importCustomers"]
    assert first["errors"] == []
    assert (first["report"]["created"], first["report"]["failed"]) == (1, 1)
    again = (await client.query(IMPORT, variables))["importCustomers"]["report"]
    assert (again["created"], again["skipped"]) == (0, 1)
    customer = (await client.query("{ customers { edges { node { id } } } }"))["customers"]
    assert again["duplicates"] == [
        {"row": 2, "customerId": customer["edges"][0]["node"]["id"], "matchedOn": "email"}
    ]
    assert (await client.query(COUNT))["customers"]["totalCount"] == 1
    # The other workspace has no such customer: the same file creates one there.
    theirs = (await other_client.query(IMPORT, variables))["importCustomers"]["report"]
    assert (theirs["created"], theirs["skipped"]) == (1, 0)


async def test_caps_and_permission(client: Client, runtime: Runtime) -> None:
    huge = "last_name\n" + "x" * 1_000_001
    payload = (await client.query(IMPORT, {"csv": huge}))["importCustomers"]
    assert payload["errors"][0]["code"] == "LIMIT_EXCEEDED"
    many = "last_name\n" + "".join(f"P{i}\n" for i in range(5001))
    payload = (await client.query(IMPORT, {"csv": many}))["importCustomers"]
    assert payload["report"]["problems"][0]["code"] == "LIMIT_EXCEEDED"
    assert (await client.query(COUNT))["customers"]["totalCount"] == 0
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(IMPORT, {"csv": CSV})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
