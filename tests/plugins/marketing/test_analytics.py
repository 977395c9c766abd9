"""Attribution and ROI against figures computed by hand on a small fixture.

Campaigns (EUR): Programme (budget 10000) with children Email (2000) and Fair (6000), and Social
(1000) on its own, aborted at the end. Responses (days before the deals are opened):

    A: Email Clicked -30, Fair Responded -20 (Email Opened -25 is no response)
    B: Social Clicked -10 and -120 (outside the 90-day window), Email Opened -5
    C: Email Clicked -40, Social Clicked -30, Fair Responded -14, Email Responded -5
    D: Fair Responded -3; D's deal names Social as its source campaign
    leads: L in Email; M in Fair, converted (its deal has no touches)

Deals and payments received: OA (A) 1000 won, paid 600 + 200; OB (B) 500 won, paid 500;
OC (C) 2000 won, paid 1000 of it; OD (D) 400 still open, paid 300. Approved costs: Email 300 +
200, Fair 1000 (a second line of 500 unapproved), Social 400 + 100, Programme 250.

Touch weights: OA [Email, Fair]; OB [Social]; OC [Email, Social, Fair, Email]; OD [Fair].
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rapport.core.ages import age_band_of, age_of
from tests.conftest import Client
from tests.plugins.marketing.helpers import ERRORS, campaign, ok, person
from tests.plugins.sales.helpers import MOVE, opportunity, product, stages

ADD = (
    "mutation($i: CampaignMemberInput!) { addCampaignMember(input: $i) { member { id } "
    + ERRORS
    + " } }"
)
RESPOND = (
    "mutation($i: MemberResponseInput!) { recordMemberResponse(input: $i) { member { id } "
    + ERRORS
    + " } }"
)
COST = (
    "mutation($i: CampaignCostInput!) { recordCampaignCost(input: $i) { cost { id } "
    + ERRORS
    + " } }"
)
LEAD = "mutation($i: LeadInput!) { createLead(input: $i) { lead { id } " + ERRORS + " } }"
PERFORMANCE = """query($id: ID, $model: AttributionModel!, $window: Int!, $period: SalesPeriod) {
  campaignPerformance(campaignId: $id, model: $model, windowDays: $window, period: $period) {
    campaign { name } currency members responders responses responseRate leads convertedLeads
    opportunities wonAmount attributedPayments actualCost budget hierarchyBudget budgetRemaining
    costPerLead costPerResponse roi } }"""
SHARES = """query($o: ID!, $model: AttributionModel!) { opportunityAttribution(opportunityId: $o, model: $model) {
  campaign { name } share attributedPayments } }"""


def ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def transition(name: str) -> str:
    return "mutation($id: ID!) { " + name + "(id: $id) { campaign { status } " + ERRORS + " } }"


async def _member(client: Client, campaign_id: str, **who: str) -> str:
    return (await ok(client, ADD, {"i": {"campaignId": campaign_id, **who}}))["member"]["id"]


async def _respond(client: Client, member: str, status: str, days: int) -> None:
    await ok(
        client, RESPOND, {"i": {"memberId": member, "status": status, "occurredAt": ago(days)}}
    )


async def _sale(
    client: Client, deal: dict[str, Any], item: str, quantity: int, paid: list[str]
) -> None:
    quote = await ok(
        client,
        "mutation($i: QuoteInput!) { createQuote(input: $i) { quote { id } " + ERRORS + " } }",
        {
            "i": {
                "opportunityId": deal["id"],
                "lines": [{"productId": item, "quantity": str(quantity)}],
            }
        },
    )
    quote_id = quote["quote"]["id"]
    for name in ("sendQuote", "acceptQuote"):
        await ok(
            client,
            "mutation($id: ID!) { " + name + "(id: $id) { quote { id } " + ERRORS + " } }",
            {"id": quote_id},
        )
    order = await ok(
        client,
        "mutation($q: ID!) { createOrder(quoteId: $q) { order { id } " + ERRORS + " } }",
        {"q": quote_id},
    )
    for amount in paid:
        await ok(
            client,
            "mutation($i: PaymentInput!) { recordPayment(input: $i) { payment { id } "
            + ERRORS
            + " } }",
            {"i": {"orderId": order["order"]["id"], "amount": amount, "method": "BANK_TRANSFER"}},
        )


async def build(client: Client) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["P"] = await campaign(client, "Programme", channel="event", budget="10000")
    ids["E"] = await campaign(client, "Email", parentId=ids["P"], budget="2000")
    ids["F"] = await campaign(client, "Fair", channel="event", parentId=ids["P"], budget="6000")
    ids["S"] = await campaign(client, "Social", channel="social", budget="1000")
    for key in ("P", "E", "F", "S"):
        await ok(client, transition("activateCampaign"), {"id": ids[key]})
    for name, region, born in (
        ("A", "North", 1980),
        ("B", "South", 1990),
        ("C", "North", 1985),
        ("D", "South", 1978),
    ):
        ids[name] = await person(client, f"{name} Person", region=region, birthDate=f"{born}-01-01")
    lead_l = (await ok(client, LEAD, {"i": {"lastName": "Lead L"}}))["lead"]["id"]
    lead_m = (await ok(client, LEAD, {"i": {"lastName": "Lead M"}}))["lead"]["id"]
    members = {}
    for key, people in (("E", "ABC"), ("F", "ACD"), ("S", "BC")):
        for name in people:
            members[key + name] = await _member(client, ids[key], customerId=ids[name])
    await _member(client, ids["E"], leadId=lead_l)
    await _member(client, ids["F"], leadId=lead_m)
    for member, status, days in (
        ("EA", "Clicked", 30),
        ("FA", "Responded", 20),
        ("EA", "Opened", 25),
        ("SB", "Clicked", 120),
        ("SB", "Clicked", 10),
        ("EB", "Opened", 5),
        ("EC", "Clicked", 40),
        ("SC", "Clicked", 30),
        ("FC", "Responded", 14),
        ("EC", "Responded", 5),
        ("FD", "Responded", 3),
    ):
        await _respond(client, members[member], status, days)
    for step in ("startWorkingLead", "qualifyLead"):
        await ok(
            client,
            "mutation($id: ID!) { " + step + "(id: $id) { lead { id } " + ERRORS + " } }",
            {"id": lead_m},
        )
    await ok(
        client,
        "mutation($id: ID!, $i: ConvertLeadInput!) { convertLead(id: $id, input: $i) { lead { id } "
        + ERRORS
        + " } }",
        {"id": lead_m, "i": {"currency": "EUR"}},
    )
    item = await product(client, "P1", None, {"EUR": "100"})
    won = (await stages(client))["Won"]
    for name, amount, quantity, paid, is_won, source in (
        ("A", "1000", 10, ["600", "200"], True, None),
        ("B", "500", 5, ["500"], True, None),
        ("C", "2000", 20, ["1000"], True, None),
        ("D", "400", 4, ["300"], False, ids["S"]),
    ):
        deal = await opportunity(
            client, ids[name], name=f"O{name}", amount=amount, sourceCampaignId=source
        )
        ids["O" + name] = deal["id"]
        await _sale(client, deal, item, quantity, paid)
        if is_won:
            await ok(client, MOVE, {"id": deal["id"], "stage": won})
    today = date.today()
    for key, amount, approved, days in (
        ("E", "300", True, 10),
        ("E", "200", True, 100),
        ("F", "1000", True, 10),
        ("F", "500", False, 10),
        ("S", "400", True, 10),
        ("S", "100", True, 10),
        ("P", "250", True, 10),
    ):
        await ok(
            client,
            COST,
            {
                "i": {
                    "campaignId": ids[key],
                    "category": "spend",
                    "amount": amount,
                    "approved": approved,
                    "incurredOn": (today - timedelta(days=days)).isoformat(),
                }
            },
        )
    await ok(client, transition("abortCampaign"), {"id": ids["S"]})
    return ids


async def performance(
    client: Client, model: str, window: int = 90, period: dict | None = None
) -> dict[str, dict]:
    data = await client.query(PERFORMANCE, {"model": model, "window": window, "period": period})
    return {row["campaign"]["name"]: row for row in data["campaignPerformance"]}


def money(rows: dict[str, dict], field: str) -> dict[str, str | None]:
    return {name: row[field] for name, row in rows.items()}


async def test_campaign_performance_under_each_model(client: Client) -> None:
    ids = await build(client)
    linear = await performance(client, "LINEAR")
    programme, email, fair, social = (linear[n] for n in ("Programme", "Email", "Fair", "Social"))
    # People once each, however many sub-campaigns they are in.
    assert [r["members"] for r in (programme, email, fair, social)] == [6, 4, 4, 2]
    assert [r["responders"] for r in (programme, email, fair, social)] == [3, 2, 3, 2]
    assert [r["responses"] for r in (programme, email, fair, social)] == [6, 3, 3, 3]
    assert [r["responseRate"] for r in (programme, email, fair, social)] == [
        "0.5000",
        "0.5000",
        "0.7500",
        "1.0000",
    ]
    assert [(r["leads"], r["convertedLeads"]) for r in (programme, email, fair, social)] == [
        (2, 1),
        (1, 0),
        (1, 1),
        (0, 0),
    ]
    assert money(linear, "actualCost") == {
        "Programme": "1750.00",
        "Email": "500.00",
        "Fair": "1000.00",
        "Social": "500.00",
    }
    assert (programme["budget"], programme["hierarchyBudget"], programme["budgetRemaining"]) == (
        "10000.00",
        "18000.00",
        "8250.00",
    )
    assert money(linear, "costPerLead") == {
        "Programme": "875.00",
        "Email": "500.00",
        "Fair": "1000.00",
        "Social": None,
    }
    assert money(linear, "costPerResponse") == {
        "Programme": "291.67",
        "Email": "166.67",
        "Fair": "333.33",
        "Social": "166.67",
    }
    assert money(linear, "opportunities") == {"Programme": 3, "Email": 2, "Fair": 3, "Social": 2}
    assert money(linear, "wonAmount") == {
        "Programme": "2500.00",
        "Email": "1500.00",
        "Fair": "1000.00",
        "Social": "1000.00",
    }
    expected = {
        "LINEAR": (
            {"Programme": "1850.00", "Email": "900.00", "Fair": "950.00", "Social": "750.00"},
            {"Programme": "0.0571", "Email": "0.8000", "Fair": "-0.0500", "Social": "0.5000"},
        ),
        "POSITION_BASED": (
            {"Programme": "2000.00", "Email": "1200.00", "Fair": "800.00", "Social": "600.00"},
            {"Programme": "0.1429", "Email": "1.4000", "Fair": "-0.2000", "Social": "0.2000"},
        ),
        "FIRST_TOUCH": (
            {"Programme": "2100.00", "Email": "1800.00", "Fair": "300.00", "Social": "500.00"},
            {"Programme": "0.2000", "Email": "2.6000", "Fair": "-0.7000", "Social": "0.0000"},
        ),
        "LAST_TOUCH": (
            {"Programme": "2100.00", "Email": "1000.00", "Fair": "1100.00", "Social": "500.00"},
            {"Programme": "0.2000", "Email": "1.0000", "Fair": "0.1000", "Social": "0.0000"},
        ),
        "SOURCE_CAMPAIGN": (
            {"Programme": "0.00", "Email": "0.00", "Fair": "0.00", "Social": "300.00"},
            {"Programme": "-1.0000", "Email": "-1.0000", "Fair": "-1.0000", "Social": "-0.4000"},
        ),
    }
    for model, (attributed, roi) in expected.items():
        rows = await performance(client, model)
        assert money(rows, "attributedPayments") == attributed, model
        assert money(rows, "roi") == roi, model
    first = await performance(client, "FIRST_TOUCH")
    assert money(first, "wonAmount") == {
        "Programme": "3000.00",
        "Email": "3000.00",
        "Fair": "0.00",
        "Social": "500.00",
    }
    one = await client.query(PERFORMANCE, {"id": ids["E"], "model": "LINEAR", "window": 90})
    assert [r["campaign"]["name"] for r in one["campaignPerformance"]] == ["Email"]


async def test_shares_window_period_and_audience(client: Client) -> None:
    ids = await build(client)
    # Every deal's shares under one model add up to at most 100 %.
    for model in ("FIRST_TOUCH", "LAST_TOUCH", "LINEAR", "POSITION_BASED", "SOURCE_CAMPAIGN"):
        for deal in ("OA", "OB", "OC", "OD"):
            shares = (await client.query(SHARES, {"o": ids[deal], "model": model}))[
                "opportunityAttribution"
            ]
            assert sum(Decimal(s["share"]) for s in shares) <= 1, (model, deal)
    oc = (await client.query(SHARES, {"o": ids["OC"], "model": "POSITION_BASED"}))[
        "opportunityAttribution"
    ]
    assert [(s["campaign"]["name"], s["share"], s["attributedPayments"]) for s in oc] == [
        ("Email", "0.8000", "800.00"),
        ("Fair", "0.1000", "100.00"),
        ("Social", "0.1000", "100.00"),
    ]
    # A 15-day window keeps Fair -14 and Email -5 for OC, Social -10 for OB, Fair -3 for OD.
    short = await performance(client, "LINEAR", window=15)
    assert money(short, "attributedPayments") == {
        "Programme": "1300.00",
        "Email": "500.00",
        "Fair": "800.00",
        "Social": "500.00",
    }
    # Costs incurred in the last month: Email's line from 100 days ago is left out.
    month = {
        "start": (date.today() - timedelta(days=30)).isoformat(),
        "end": date.today().isoformat(),
    }
    recent = await performance(client, "LINEAR", period=month)
    assert money(recent, "actualCost") == {
        "Programme": "1550.00",
        "Email": "300.00",
        "Fair": "1000.00",
        "Social": "500.00",
    }
    assert recent["Email"]["attributedPayments"] == "900.00"
    by_region = await client.query(
        "query($c: ID!) { audienceAnalysis(campaignId: $c, by: [REGION], model: LINEAR) { values { dimension value } members responders buyers revenue } }",
        {"c": ids["P"]},
    )
    groups = {
        g["values"][0]["value"]: (g["members"], g["responders"], g["buyers"], g["revenue"])
        for g in by_region["audienceAnalysis"]
    }
    # North: A and C, both paid (800 x 1 + 1000 x 0.75); South: B (no Programme touch) and D.
    # The converted lead M is a customer without a region.
    assert groups == {
        "North": (2, 2, 2, "1550.00"),
        "South": (2, 1, 1, "300.00"),
        None: (1, 0, 0, "0.00"),
    }
    by_age = await client.query(
        "query($c: ID!) { audienceAnalysis(campaignId: $c, by: [AGE_BAND, REGION]) { values { value } members revenue } }",
        {"c": ids["P"]},
    )
    today = date.today()

    def band(year: int) -> str:
        return age_band_of(age_of(date(year, 1, 1), today))

    found = {
        tuple(v["value"] for v in g["values"]): (g["members"], g["revenue"])
        for g in by_age["audienceAnalysis"]
    }
    expected: dict[tuple, tuple[int, Decimal]] = {}
    for born, region, revenue in (
        (1980, "North", "800"),
        (1990, "South", "0"),
        (1985, "North", "750"),
        (1978, "South", "300"),
    ):
        key = (band(born), region)
        members, total = expected.get(key, (0, Decimal("0")))
        expected[key] = (members + 1, total + Decimal(revenue))
    expected[(None, None)] = (1, Decimal("0"))
    assert {k: (m, Decimal(r)) for k, (m, r) in found.items()} == expected


async def test_analytics_need_the_permission_and_stay_in_the_workspace(
    client: Client, other_client: Client, runtime: Any
) -> None:
    spring = await campaign(client, "Spring")
    theirs = await other_client.query(PERFORMANCE, {"model": "LINEAR", "window": 90})
    assert theirs["campaignPerformance"] == []
    body = await other_client.post(PERFORMANCE, {"id": spring, "model": "LINEAR", "window": 90})
    assert body["data"]["campaignPerformance"] == []
    bad = await client.post(PERFORMANCE, {"model": "LINEAR", "window": -1})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
