"""A workspace's own phone region: set by its admins, read by its imports and contact points."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import person
from tests.schema.test_contact_normalisation import add

SETTINGS = "{ workspaceSettings { phoneRegion effectivePhoneRegion } }"
UPDATE = """
mutation($input: UpdateWorkspaceSettingsInput!) {
  updateWorkspaceSettings(input: $input) {
    settings { phoneRegion effectivePhoneRegion } errors { field code }
  }
}
"""


async def update(client: Client, **values: object) -> dict:
    return (await client.query(UPDATE, {"input": values}))["updateWorkspaceSettings"]


async def test_each_workspace_reads_numbers_in_its_own_region(
    client: Client, other_client: Client
) -> None:
    assert (await client.query(SETTINGS))["workspaceSettings"] == {
        "phoneRegion": None,
        "effectivePhoneRegion": None,
    }
    changed = await update(client, phoneRegion="gb")
    assert changed == {
        "settings": {"phoneRegion": "GB", "effectivePhoneRegion": "GB"},
        "errors": [],
    }
    british = await add(client, await person(client, "Ada", "Lovelace"), "PHONE", "07946 123456")
    assert british["contactPoint"]["normalizedValue"] == "+447946123456"
    await update(other_client, phoneRegion="US")
    american = await add(
        other_client, await person(other_client, "Grace", "Hopper"), "PHONE", "(201) 555-0123"
    )
    assert american["contactPoint"]["normalizedValue"] == "+12015550123"


async def test_null_returns_to_the_default_and_a_bad_region_changes_nothing(
    client: Client,
) -> None:
    await update(client, phoneRegion="GB")
    refused = await update(client, phoneRegion="XX")
    assert refused == {
        "settings": None,
        "errors": [{"field": "input.phoneRegion", "code": "INVALID"}],
    }
    assert (await client.query(SETTINGS))["workspaceSettings"]["phoneRegion"] == "GB"
    assert (await update(client))["settings"]["phoneRegion"] == "GB"  # left out: stays
    assert (await update(client, phoneRegion=None))["settings"]["phoneRegion"] is None
    ada = await person(client, "Ada", "Lovelace")
    assert (await add(client, ada, "PHONE", "07946 123456"))["errors"]


async def test_changes_are_for_admins_and_audited(client: Client, runtime: Runtime) -> None:
    member = await client.as_role(runtime, "member")
    body = await member.post(UPDATE, {"input": {"phoneRegion": "GB"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await member.query(SETTINGS))["workspaceSettings"]["phoneRegion"] is None
    await update(client, phoneRegion="GB")
    entries = await client.query("{ auditLog(first: 5) { nodes { entityType action changes } } }")
    assert {
        "entityType": "workspace",
        "action": "update",
        "changes": {"phoneRegion": [None, "GB"]},
    } in entries["auditLog"]["nodes"]
