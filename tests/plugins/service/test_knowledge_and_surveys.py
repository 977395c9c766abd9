"""The knowledge base (versions, publishing, search on both engines, suggestions, feedback)
and satisfaction surveys (one answer per token, scales, results)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Client
from tests.plugins.service.helpers import ERRORS, customer, errors, moved, ok, open_case

ARTICLE = "id title body status version versions { version title }"
CREATE = (
    "mutation($i: CreateArticleInput!) { createArticle(input: $i) { article { "
    + ARTICLE
    + " } "
    + ERRORS
    + " } }"
)
UPDATE = (
    "mutation($id: ID!, $i: UpdateArticleInput!) { updateArticle(id: $id, input: $i) { article { "
    + ARTICLE
    + " } "
    + ERRORS
    + " } }"
)
PUBLISH = "mutation($id: ID!) { publishArticle(id: $id) { article { status } " + ERRORS + " } }"
ARCHIVE = "mutation($id: ID!) { archiveArticle(id: $id) { article { status } " + ERRORS + " } }"
SEARCH = "query($q: String!) { searchArticles(text: $q) { title } }"
OFFER = (
    "mutation($id: ID!, $k: SurveyKind!) { offerSurvey(caseId: $id, kind: $k) { invitation { id kind } token "
    + ERRORS
    + " } }"
)
ANSWER = (
    "mutation($t: String!, $s: Int!) { answerSurvey(token: $t, score: $s) { invitation { score } "
    + ERRORS
    + " } }"
)


async def _article(client: Client, title: str, body: str, publish: bool = True) -> str:
    created = (await ok(client, CREATE, {"i": {"title": title, "body": body}}))["article"]
    if publish:
        await ok(client, PUBLISH, {"id": created["id"]})
    return str(created["id"])


async def test_versions_and_the_publishing_cycle(client: Client) -> None:
    article_id = await _article(client, "Printer jams", "Open the tray.", publish=False)
    edited = await ok(client, UPDATE, {"id": article_id, "i": {"body": "Open the rear tray."}})
    assert edited["article"]["version"] == 2
    assert [v["version"] for v in edited["article"]["versions"]] == [2, 1]
    refused = await errors(client, ARCHIVE, {"id": article_id})
    assert refused[0]["code"] == "INVALID_TRANSITION"
    await ok(client, PUBLISH, {"id": article_id})
    await ok(client, ARCHIVE, {"id": article_id})
    frozen = await errors(client, UPDATE, {"id": article_id, "i": {"title": "x"}})
    assert frozen[0]["field"] == "id"
    blank = await errors(client, CREATE, {"i": {"title": " ", "body": ""}})
    assert {e["field"] for e in blank} == {"input.title", "input.body"}


async def test_search_finds_published_articles_by_word_prefixes(
    client: Client, other_client: Client
) -> None:
    await _article(client, "Resetting a router", "Hold the reset button for ten seconds.")
    await _article(client, "Invoices by e-mail", "Invoices are sent on the first day of the month.")
    await _article(client, "Router draft", "Unfinished.", publish=False)
    found = await client.query(SEARCH, {"q": "rout reset"})
    assert [a["title"] for a in found["searchArticles"]] == ["Resetting a router"]
    assert (await client.query(SEARCH, {"q": "invoice"}))["searchArticles"][0][
        "title"
    ] == "Invoices by e-mail"
    # Operators and quotes are only separators; nothing matches nothing.
    assert (await client.query(SEARCH, {"q": '" OR * :( NEAR'}))["searchArticles"] == []
    assert (await other_client.query(SEARCH, {"q": "router"}))["searchArticles"] == []


async def test_suggested_articles_come_from_the_case_text_and_feedback_counts(
    client: Client,
) -> None:
    router = await _article(client, "Resetting a router", "Hold the reset button for ten seconds.")
    await _article(client, "Invoices by e-mail", "Invoices are sent monthly.")
    # Short words ("my", "is", "on") say nothing: this one must not be suggested.
    await _article(client, "Is it on", "It is on.")
    acme = await customer(client)
    case = await open_case(
        client, acme, subject="My router is dead", description="No light on the router at all"
    )
    found = await client.query(
        "query($id: ID!) { suggestedArticles(caseId: $id) { id } }", {"id": case["id"]}
    )
    assert found["suggestedArticles"] == [{"id": router}]
    rated = await ok(
        client,
        "mutation($a: ID!, $c: ID) { rateArticle(articleId: $a, helpful: true, caseId: $c) { article { helpfulCount } "
        + ERRORS
        + " } }",
        {"a": router, "c": case["id"]},
    )
    assert rated["article"]["helpfulCount"] == 1


async def test_a_draft_is_no_solution(client: Client) -> None:
    draft = await _article(client, "Draft", "Not yet.", publish=False)
    acme = await customer(client)
    case = await open_case(client, acme)
    await moved(client, "startCase", case["id"])
    refused = (
        await client.query(
            "mutation($id: ID!, $a: ID) { resolveCase(id: $id, input: {solutionArticleId: $a}) { errors { field } } }",
            {"id": case["id"], "a": draft},
        )
    )["resolveCase"]["errors"]
    assert refused == [{"field": "solutionArticleId"}]


async def test_surveys_one_answer_per_token_on_the_right_scale(client: Client) -> None:
    acme = await customer(client)
    case = await open_case(client, acme, category="Billing")
    unsolved = await errors(client, OFFER, {"id": case["id"], "k": "NPS"})
    assert unsolved[0]["field"] == "caseId"
    await moved(client, "startCase", case["id"])
    await moved(client, "resolveCase", case["id"])
    # Resolving offered a CSAT survey already; an NPS one is offered by hand.
    invitations = await client.query("{ surveyInvitations { nodes { kind respondedAt } } }")
    assert invitations["surveyInvitations"]["nodes"] == [{"kind": "CSAT", "respondedAt": None}]
    nps = await ok(client, OFFER, {"id": case["id"], "k": "NPS"})
    out_of_range = await errors(client, ANSWER, {"t": nps["token"], "s": 11})
    assert out_of_range[0]["field"] == "score"
    assert (await errors(client, ANSWER, {"t": "not-a-token", "s": 5}))[0]["code"] == "NOT_FOUND"
    await ok(client, ANSWER, {"t": nps["token"], "s": 10})
    again = await errors(client, ANSWER, {"t": nps["token"], "s": 3})
    assert again[0]["code"] == "CONFLICT"
    today = datetime.now(UTC).date()
    period = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    results = await client.query(
        "query($p: ServicePeriod!) { surveyResults(period: $p, groupBy: CATEGORY) { key sent answered responseRate csatPercent nps } }",
        {"p": period},
    )
    assert results["surveyResults"] == [
        {
            "key": "Billing",
            "sent": 2,
            "answered": 1,
            "responseRate": 50.0,
            "csatPercent": None,
            "nps": 100.0,
        }
    ]
