"""The public lead capture endpoint: leads and members created, consent recorded, duplicates
merged, robots and floods turned away, CORS for the allowed origins only."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Client
from tests.plugins.marketing.helpers import ERRORS, campaign, ok, payload

CREATE_FORM = (
    "mutation($c: ID!, $i: CreateLeadFormInput!) { createLeadForm(campaignId: $c, input: $i) { form { id key url fields } "
    + ERRORS
    + " } }"
)
LEADS = "{ leads(first: 50) { totalCount nodes { id firstName lastName email company source status campaignMemberships { nodes { campaign { name } status { name } } } consents { nodes { channel topic status legalBasis source evidence } } } } }"


async def _form(client: Client, **fields: Any) -> dict[str, Any]:
    spring = await campaign(client, "Fair", channel="event")
    values = {
        "name": "Sign-up",
        "fields": {"first": "first_name", "last": "last_name", "mail": "email", "org": "company"},
        "consents": {"news": "newsletter"},
        "allowedOrigins": ["https://www.shop.example"],
        **fields,
    }
    return (await ok(client, CREATE_FORM, {"c": spring, "i": values}))["form"]


async def test_a_submission_creates_a_lead_a_member_and_its_consent(
    client: Client, http: httpx.AsyncClient
) -> None:
    form = await _form(client)
    assert form["url"] == f"http://localhost:8000/forms/{form['key']}"
    sent = await http.post(
        f"/forms/{form['key']}?utm_source=fair&utm_medium=print",
        json={
            "first": "Ada",
            "last": "Byron",
            "mail": "Ada@Example.com",
            "org": "Engines",
            "news": True,
        },
        headers={"Origin": "https://www.shop.example"},
    )
    assert sent.status_code == 200, sent.text
    assert sent.json() == {"status": "received"}
    assert sent.headers["access-control-allow-origin"] == "https://www.shop.example"
    leads = (await client.query(LEADS))["leads"]
    assert leads["totalCount"] == 1
    lead = leads["nodes"][0]
    assert (
        lead["firstName"],
        lead["lastName"],
        lead["email"],
        lead["company"],
        lead["source"],
    ) == ("Ada", "Byron", "Ada@Example.com", "Engines", "web_form")
    assert lead["campaignMemberships"]["nodes"] == [
        {"campaign": {"name": "Fair"}, "status": {"name": "Sent"}}
    ]
    consent = lead["consents"]["nodes"][0]
    assert (consent["channel"], consent["topic"], consent["status"], consent["legalBasis"]) == (
        "email",
        "newsletter",
        "OPTED_IN",
        "consent",
    )
    assert '"utm_source": "fair"' in consent["evidence"]
    # The same address again within the window is the same lead.
    again = await http.post(
        f"/forms/{form['key']}", json={"first": "Ada", "last": "B", "mail": "ada@example.com"}
    )
    assert again.status_code == 200
    assert (await client.query(LEADS))["leads"]["totalCount"] == 1


async def test_html_form_posts_honeypots_and_bad_input(
    client: Client, http: httpx.AsyncClient
) -> None:
    form = await _form(client)
    page = await http.post(
        f"/forms/{form['key']}", data={"first": "Bo", "last": "Peep", "mail": "bo@example.com"}
    )
    assert page.status_code == 200
    assert "Thank you" in page.text
    robot = await http.post(
        f"/forms/{form['key']}",
        data={"last": "Bot", "mail": "bot@example.com", "website": "http://spam"},
    )
    assert robot.status_code == 200  # answered as a success, stored nowhere
    missing = await http.post(f"/forms/{form['key']}", json={"last": "Nomail"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "mail"
    bad = await http.post(f"/forms/{form['key']}", json={"last": "X", "mail": "not an address"})
    assert bad.status_code == 422
    assert (
        await http.post(
            f"/forms/{form['key']}", content=b"[1]", headers={"content-type": "application/json"}
        )
    ).status_code == 400
    names = [n["lastName"] for n in (await client.query(LEADS))["leads"]["nodes"]]
    assert names == ["Peep"]
    assert (await http.post("/forms/no-such-form", json={})).status_code == 404


async def test_cors_and_rate_limits(client: Client, http: httpx.AsyncClient) -> None:
    form = await _form(client, perIpPerMinute=2)
    url = f"/forms/{form['key']}"
    preflight = await http.options(
        url, headers={"Origin": "https://www.shop.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "POST"
    foreign = await http.post(
        url, json={"mail": "x@example.com", "last": "X"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    for index in range(2):
        sent = await http.post(url, json={"last": f"P{index}", "mail": f"p{index}@example.com"})
        assert sent.status_code == 200
    limited = await http.post(url, json={"last": "P3", "mail": "p3@example.com"})
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "60"
    assert (await client.query(LEADS))["leads"]["totalCount"] == 2


async def test_form_definitions_are_checked(client: Client) -> None:
    spring = await campaign(client, "Fair", channel="event")
    result = payload(
        await client.query(
            CREATE_FORM,
            {
                "c": spring,
                "i": {
                    "name": "Bad",
                    "fields": {"x": "shoe_size"},
                    "allowedOrigins": ["www.example.com"],
                    "dedupeMinutes": -1,
                },
            },
        )
    )
    fields = sorted(e["field"] for e in result["errors"])
    assert fields == [
        "input.allowedOrigins.0",
        "input.dedupe_minutes",
        "input.fields",
        "input.fields.x",
    ]
    assert (await client.query("{ leadForms { totalCount } }"))["leadForms"]["totalCount"] == 0
