"""Custom fields change without losing data: add choices, relabel, remove only unused fields."""

from __future__ import annotations

from tests.conftest import Client

DEFINE = """mutation { defineCustomField(input: {key: "tier", label: "Tier", fieldType: SELECT,
  options: ["gold", "silver"]}) { errors { code } } }"""
UPDATE = """mutation($options: [String!], $label: String) {
  updateCustomField(key: "tier", input: {options: $options, label: $label}) {
    customField { label options } errors { field code message } } }"""
DELETE = (
    """mutation($key: String!) { deleteCustomField(key: $key) { errors { field code message } } }"""
)


async def test_choices_can_be_added_not_removed(client: Client) -> None:
    await client.query(DEFINE)
    added = await client.query(UPDATE, {"options": ["gold", "silver", "bronze"], "label": "Level"})
    assert added["updateCustomField"]["customField"] == {
        "label": "Level",
        "options": ["gold", "silver", "bronze"],
    }
    removed = await client.query(UPDATE, {"options": ["gold"]})
    assert removed["updateCustomField"]["errors"][0]["field"] == "input.options"
    fields = await client.query("{ customFields { key options } }")
    assert fields["customFields"] == [{"key": "tier", "options": ["gold", "silver", "bronze"]}]


async def test_a_field_in_use_cannot_be_deleted(client: Client) -> None:
    await client.query(DEFINE)
    created = await client.query(
        'mutation { createCustomer(input: {kind: PERSON, lastName: "Held", attributes: {tier: "gold"}})'
        " { customer { id } errors { code } } }"
    )
    customer_id = created["createCustomer"]["customer"]["id"]
    refused = await client.query(DELETE, {"key": "tier"})
    assert refused["deleteCustomField"]["errors"][0]["code"] == "CONFLICT"
    assert "1 customer(s)" in refused["deleteCustomField"]["errors"][0]["message"]
    await client.query(
        "mutation($id: ID!) { updateCustomer(id: $id, input: {attributes: {tier: null}}) { errors { code } } }",
        {"id": customer_id},
    )
    assert (await client.query(DELETE, {"key": "tier"}))["deleteCustomField"]["errors"] == []
    assert (await client.query("{ customFields { key } }"))["customFields"] == []
    missing = await client.query(DELETE, {"key": "tier"})
    assert missing["deleteCustomField"]["errors"][0]["code"] == "NOT_FOUND"


async def test_another_workspace_cannot_touch_the_field(
    client: Client, other_client: Client
) -> None:
    await client.query(DEFINE)
    theirs = await other_client.query(DELETE, {"key": "tier"})
    assert theirs["deleteCustomField"]["errors"][0]["code"] == "NOT_FOUND"
    assert len((await client.query("{ customFields { key } }"))["customFields"]) == 1


CHANGE = """mutation($input: CustomFieldChanges!) {
  updateCustomField(key: "tier", input: $input) {
    customField { label description required } errors { field code } } }"""


async def test_null_clears_the_description_and_is_refused_for_the_rest(client: Client) -> None:
    await client.query(DEFINE)
    described = await client.query(CHANGE, {"input": {"description": "Loyalty tier"}})
    assert described["updateCustomField"]["customField"]["description"] == "Loyalty tier"
    relabelled = await client.query(CHANGE, {"input": {"label": "Level"}})
    assert relabelled["updateCustomField"]["customField"] == {
        "label": "Level",
        "description": "Loyalty tier",  # left out: kept
        "required": False,
    }
    cleared = await client.query(CHANGE, {"input": {"description": None}})
    assert cleared["updateCustomField"]["customField"]["description"] is None
    for name in ("label", "required", "options"):
        refused = await client.query(CHANGE, {"input": {name: None, "description": "kept out"}})
        assert refused["updateCustomField"] == {
            "customField": None,
            "errors": [{"field": f"input.{name}", "code": "REQUIRED"}],
        }
    fields = await client.query("{ customFields { label description } }")
    assert fields["customFields"] == [{"label": "Level", "description": None}]
