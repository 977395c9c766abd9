"""Email campaigns go out through SMTP from the worker job, to a real local SMTP server, with
RFC 8058 one-click unsubscribe that a GET never triggers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from rapport.core.runtime import Runtime
from rapport.core.worker import JobContext
from rapport.plugins.marketing import send_pending_email
from tests.conftest import Client
from tests.plugins.marketing.helpers import (
    ERRORS,
    add_segment,
    campaign,
    contact,
    ok,
    person,
    segment,
)

CONSENT = (
    "mutation($i: ConsentInput!) { recordConsent(input: $i) { consent { id } " + ERRORS + " } }"
)
MEMBERS = "query($c: ID!) { campaignMembers(filter: {campaign: {eq: $c}}) { nodes { customer { firstName } delivery deliveryError sentAt } } }"


class Inbox:
    """Collects what arrives; refuses mail for bounce@ as a mailbox that does not exist."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("bounce@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield handler, port
    finally:
        server.stop()


async def _run_job(runtime: Runtime, port: int) -> None:
    settings = runtime.settings.with_overrides(
        extra={
            "marketing": {
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "public_url": "http://testserver",
            }
        }
    )
    worker = Runtime.create(settings)
    try:
        await send_pending_email(JobContext(worker))
    finally:
        await worker.dispose()


async def test_send_headers_bounces_and_one_click_unsubscribe(
    client: Client, runtime: Runtime, http: httpx.AsyncClient, inbox: tuple[Inbox, int]
) -> None:
    received, port = inbox
    people = {}
    for name, address in (
        ("Ann", "ann@example.com"),
        ("Bob", "bounce@example.com"),
        ("Cid", "cid@example.com"),
    ):
        people[name] = await person(client, f"{name} Mailer", region="Mailtown")
        await contact(client, people[name], address)
    town = await segment(client, "Mailtown", filter={"region": {"eq": "Mailtown"}})
    news = await campaign(
        client,
        "Newsletter",
        topic="news",
        emailFrom="news@shop.example",
        emailSubject="Hello {first_name}",
        emailBody="Dear {display_name}, {unknown} stays.\nUnsubscribe: {unsubscribe_url}",
    )
    assert (await add_segment(client, news, town))["added"] == 3
    await ok(
        client,
        CONSENT,
        {
            "i": {
                "customerId": people["Cid"],
                "channel": "email",
                "topic": "news",
                "status": "OPTED_OUT",
            }
        },
    )
    await _run_job(runtime, port)
    assert received.messages == []  # a planned campaign sends nothing
    await ok(
        client,
        "mutation($id: ID!) { activateCampaign(id: $id) { campaign { id } " + ERRORS + " } }",
        {"id": news},
    )
    await _run_job(runtime, port)

    mine = [(to, m) for to, m in received.messages if m["From"] == "news@shop.example"]
    assert [to for to, _ in mine] == [["ann@example.com"]]
    message = mine[0][1]
    assert message["Subject"] == "Hello Ann"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://testserver/unsubscribe/")
    body = message.get_payload(decode=True).decode()
    assert "Dear Ann Mailer, {unknown} stays." in body
    assert link in body

    members = await client.query(MEMBERS, {"c": news})
    states = {
        m["customer"]["firstName"]: (m["delivery"], m["deliveryError"])
        for m in members["campaignMembers"]["nodes"]
    }
    assert states["Ann"] == ("SENT", None)
    assert states["Bob"][0] == "BOUNCED"
    assert "550" in states["Bob"][1]
    assert states["Cid"][0] == "SUPPRESSED"

    consents = "query($c: ID!) { node(id: $c) { ... on Customer { consents { nodes { status topic source } } } } }"
    path = link.removeprefix("http://testserver")
    shown = await http.get(path)
    assert shown.status_code == 200
    assert "<form method='post'" in shown.text
    assert (await client.query(consents, {"c": people["Ann"]}))["node"]["consents"]["nodes"] == []
    done = await http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    after = (await client.query(consents, {"c": people["Ann"]}))["node"]["consents"]["nodes"]
    assert after == [{"status": "OPTED_OUT", "topic": "news", "source": "one-click unsubscribe"}]
    assert (await http.post(path)).status_code == 200
    assert (
        len((await client.query(consents, {"c": people["Ann"]}))["node"]["consents"]["nodes"]) == 1
    )
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert (await http.get(forged)).status_code == 404
    assert (await http.post(forged)).status_code == 404
    assert (await http.post("/unsubscribe/not-a-token")).status_code == 404

    # A bounce reported later by a bounce processor; one never sent cannot bounce.
    report = (
        "mutation($m: ID!, $d: Delivery!) { recordMemberDelivery(memberId: $m, delivery: $d, "
        'error: "552 mailbox full") { member { delivery deliveryError } ' + ERRORS + " } }"
    )
    ids = await client.query(
        "query($c: ID!) { campaignMembers(filter: {campaign: {eq: $c}}) { nodes { id delivery } } }",
        {"c": news},
    )
    by_state = {m["delivery"]: m["id"] for m in ids["campaignMembers"]["nodes"]}
    late = await ok(client, report, {"m": by_state["SENT"], "d": "BOUNCED"})
    assert late["member"] == {"delivery": "BOUNCED", "deliveryError": "552 mailbox full"}
    refused = await client.query(report, {"m": by_state["SUPPRESSED"], "d": "BOUNCED"})
    assert [e["code"] for e in refused["recordMemberDelivery"]["errors"]] == ["INVALID_TRANSITION"]
    wrong = await client.query(report, {"m": by_state["BOUNCED"], "d": "SENT"})
    assert [e["field"] for e in wrong["recordMemberDelivery"]["errors"]] == ["delivery"]

    # The opt-out holds for the next campaign on the topic, and nothing is sent twice.
    again = await campaign(client, "Newsletter 2", topic="news", emailSubject="Again")
    result = await add_segment(client, again, town)
    assert {e["customerId"]: e["reason"] for e in result["excluded"]} == {
        people["Ann"]: "OPTED_OUT",
        people["Cid"]: "OPTED_OUT",
    }
    count = len(received.messages)
    await _run_job(runtime, port)
    assert len(received.messages) == count


async def test_an_unreachable_server_leaves_members_pending(
    client: Client, runtime: Runtime
) -> None:
    ann = await person(client, "Ann Offline", region="Nowhere")
    await contact(client, ann, "ann.offline@example.com")
    nowhere = await segment(client, "Nowhere", filter={"region": {"eq": "Nowhere"}})
    news = await campaign(client, "Offline", emailSubject="Hi")
    await add_segment(client, news, nowhere)
    await ok(
        client,
        "mutation($id: ID!) { activateCampaign(id: $id) { campaign { id } " + ERRORS + " } }",
        {"id": news},
    )
    await _run_job(runtime, _free_port())
    members = await client.query(MEMBERS, {"c": news})
    assert [m["delivery"] for m in members["campaignMembers"]["nodes"]] == ["PENDING"]
