"""Scorecards and training balances against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest

from rapport.core import Settings, ValidationFailed
from rapport.plugins.banking.config import banking_config
from rapport.plugins.banking.periods import parse_period
from rapport.plugins.banking.services.scorecards import band_for, weighted_score
from tests.plugins.banking.conftest import Bank

Y = date.today().year - 1
PREV = Y - 1

SCORECARD = """query($m: ID!, $p: String!) { managerScorecard(managerId: $m, period: $p) {
  period start end clientsAtStart clientsAtEnd aumAtStart aumAtEnd aumGrowth netNewClients
  productsPerClient retention satisfaction reviewCompliance score band manager { id } } }"""


async def _survey(bank: Bank, customer: str, score: int, day: str) -> None:
    await bank.mutate(
        """mutation($c: ID!, $s: Int!, $d: Date!) {
             recordSurveyScore(customerId: $c, score: $s, surveyedOn: $d) { ok errors { code } } }""",
        {"c": customer, "s": score, "d": day},
    )


async def test_scorecard_matches_the_hand_computed_year(bank: Bank) -> None:
    alice = await bank.manager("alice")
    deposit = await bank.product("DEPOSIT", "DEPOSIT")
    invest = await bank.product("FUND", "INVESTMENT")
    loan = await bank.product("LOAN", "LOAN")
    card = await bank.product("CARD", "CARD")
    kept = await bank.customer("Kept Client")
    lost = await bank.customer("Lost Client")
    won = await bank.customer("Won Client")

    # Kept: in the book all year; deposit 100k at the start, 130k at the end.
    await bank.assign(alice, kept, valid_from=f"{PREV}-06-01")
    account = await bank.account(deposit, "S0001", [kept], "80000.00", opened_on=f"{PREV}-06-01")
    await bank.balance(account, "100000.00", f"{PREV}-12-31")
    await bank.balance(account, "120000.00", f"{Y}-06-30")
    await bank.balance(account, "130000.00", f"{Y}-12-31")
    # Lost: in the book at the start with 50k, gone on 1 May.
    lost_assignment = await bank.assign(alice, lost, valid_from=f"{PREV}-01-01")
    await bank.account(deposit, "S0002", [lost], "50000.00", opened_on=f"{PREV}-12-01")
    await bank.mutate(
        """mutation($id: ID!, $d: Date!) { endAssignment(id: $id, validTo: $d) {
             assignment { id } errors { code } } }""",
        {"id": lost_assignment, "d": f"{Y}-05-01"},
    )
    # Won: joined on 1 March with a 70k fund, a loan and a card.
    await bank.assign(alice, won, valid_from=f"{Y}-03-01")
    await bank.account(invest, "S0003", [won], "70000.00", opened_on=f"{Y}-03-01")
    await bank.account(loan, "S0004", [won], "5000.00", opened_on=f"{Y}-03-01")
    await bank.account(card, "S0005", [won], opened_on=f"{Y}-04-01")
    # Surveys in the period of clients in the end book: 8 and 6; the lost client's is ignored.
    await _survey(bank, kept, 8, f"{Y}-04-01")
    await _survey(bank, won, 6, f"{Y}-09-01")
    await _survey(bank, lost, 2, f"{Y}-02-01")
    await _survey(bank, kept, 0, f"{PREV}-11-01")
    # Ratings in force on 31 December: kept/credit overdue since 30 June, kept/aml and
    # won/credit not (a review due on the last day is on time).
    await bank.rate(kept, "CREDIT", "BB", f"{Y}-06-30", rated_at=f"{Y}-01-15T10:00:00+00:00")
    await bank.rate(kept, "AML_KYC", "LOW", f"{Y + 1}-02-01", rated_at=f"{Y}-02-01T10:00:00+00:00")
    await bank.rate(won, "CREDIT", "A", f"{Y}-12-31", rated_at=f"{Y}-03-05T10:00:00+00:00")

    data = await bank.admin.query(SCORECARD, {"m": alice.gid, "p": str(Y)})
    card_ = data["managerScorecard"]
    assert card_ == {
        "period": str(Y),
        "start": f"{Y}-01-01",
        "end": f"{Y}-12-31",
        "clientsAtStart": 2,
        "clientsAtEnd": 2,
        "aumAtStart": "150000.00",
        "aumAtEnd": "200000.00",
        "aumGrowth": 0.3333,
        "netNewClients": 0,
        # (1 product + 3 products) / 2 clients
        "productsPerClient": 2.0,
        "retention": 0.5,
        "satisfaction": 7.0,
        "reviewCompliance": 0.6667,
        # 100 x (.25 x 1 + .15 x 0 + .15 x 2/3 + .2 x .5 + .1 x .7 + .15 x .6667)
        "score": 62.0,
        "band": "C",
        "manager": {"id": alice.gid},
    }
    # The first quarter: the won client arrived, nobody left yet.
    data = await bank.admin.query(SCORECARD, {"m": alice.gid, "p": f"{Y}-Q1"})
    quarter = data["managerScorecard"]
    assert (quarter["end"], quarter["clientsAtEnd"], quarter["netNewClients"]) == (
        f"{Y}-03-31",
        3,
        1,
    )
    assert quarter["retention"] == 1.0
    # Alice reads the same figures, though the lost client is out of her sight now.
    data = await alice.client.query(SCORECARD, {"m": alice.gid, "p": str(Y)})
    assert data["managerScorecard"] == card_


async def test_scorecard_of_an_empty_book_has_no_score_parts(bank: Bank) -> None:
    alice = await bank.manager("alice")
    data = await bank.admin.query(SCORECARD, {"m": alice.gid, "p": f"{Y}-07"})
    card = data["managerScorecard"]
    assert (card["aumGrowth"], card["retention"], card["productsPerClient"]) == (None, None, None)
    # Only net new clients (0 of 5) has a value.
    assert (card["score"], card["band"]) == (0.0, "D")
    body = await bank.admin.post(SCORECARD, {"m": alice.gid, "p": "last year"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_household_in_the_book_counts_every_member(bank: Bank) -> None:
    alice = await bank.manager("alice")
    head = await bank.customer("Pat Smith")
    spouse = await bank.customer("Sam Smith")
    household = (
        await bank.mutate(
            """mutation($input: HouseholdInput!) { createHousehold(input: $input) {
                 household { id } errors { code } } }""",
            {"input": {"name": "Smiths", "primaryMemberId": head, "memberIds": [spouse]}},
        )
    )["household"]["id"]
    await bank.mutate(
        """mutation($input: AssignmentInput!) { assignClient(input: $input) {
             assignment { id } errors { code } } }""",
        {"input": {"managerId": alice.gid, "householdId": household}},
    )
    period = f"{date.today().year}-{date.today().month:02d}"
    data = await bank.admin.query(SCORECARD, {"m": alice.gid, "p": period})
    assert data["managerScorecard"]["clientsAtEnd"] == 2


def test_weights_targets_and_bands_come_from_the_settings() -> None:
    config = banking_config(
        Settings(
            extra={
                "banking": {
                    "weights": {"aum_growth": 1.0, "net_new_clients": 0, "retention": 0},
                    "bands": [[90, "GOLD"], [0, "BASE"]],
                    "training_minimum_points": 30,
                }
            }
        )
    )
    values = {"aum_growth": 0.05, "retention": 1.0, "net_new_clients": 9.0}
    # Only AUM growth counts besides the defaults left in place.
    defaults = config.weights
    assert defaults["products_per_client"] == 0.15
    score = weighted_score(values, config)
    assert score == 50.0
    assert band_for(score, config) == "BASE"
    assert band_for(95.0, config) == "GOLD"
    assert config.training_minimum_points == 30
    with pytest.raises(ValueError, match="unknown"):
        banking_config(Settings(extra={"banking": {"weight": {}}}))


def test_periods() -> None:
    assert (parse_period("2026").start, parse_period("2026").end) == (
        date(2026, 1, 1),
        date(2027, 1, 1),
    )
    q4 = parse_period("2026-q4")
    assert (q4.label, q4.start, q4.end) == ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1))
    dec = parse_period("2026-12")
    assert (dec.start, dec.end) == (date(2026, 12, 1), date(2027, 1, 1))
    for bad in ("2026-13", "26", "2026-Q5", ""):
        with pytest.raises(ValidationFailed):
            parse_period(bad)


TRAINING = """mutation($input: TrainingInput!) { recordTraining(input: $input) {
  trainingRecord { id points } errors { field code } } }"""
BALANCE = """query($m: ID!, $p: String!) { trainingBalance(managerId: $m, period: $p) {
  period points courses minimum meetsMinimum shortfall } }"""


async def test_training_points_per_period(bank: Bank) -> None:
    alice = await bank.manager("alice")
    for course, points, day in (
        ("Suitability", 10, f"{Y}-02-10"),
        ("AML refresher", 8, f"{Y}-07-01"),
        ("Ethics", 5, f"{PREV}-12-31"),
    ):
        await bank.mutate(
            TRAINING,
            {
                "input": {
                    "managerId": alice.gid,
                    "course": course,
                    "points": points,
                    "completedOn": day,
                }
            },
        )
    data = await alice.client.query(BALANCE, {"m": alice.gid, "p": str(Y)})
    assert data["trainingBalance"] == {
        "period": str(Y),
        "points": 18,
        "courses": 2,
        "minimum": 20,
        "meetsMinimum": False,
        "shortfall": 2,
    }
    data = await alice.client.query(BALANCE, {"m": alice.gid, "p": f"{Y}-Q3"})
    assert (data["trainingBalance"]["points"], data["trainingBalance"]["courses"]) == (8, 1)
    for given, field in (
        ({"points": 0}, "input.points"),
        ({"course": " "}, "input.course"),
        ({"completedOn": "2999-01-01"}, "input.completedOn"),
    ):
        data = await bank.admin.query(
            TRAINING,
            {
                "input": {
                    "managerId": alice.gid,
                    "course": "X",
                    "points": 1,
                    "completedOn": f"{Y}-01-01",
                    **given,
                }
            },
        )
        assert data["recordTraining"]["errors"][0]["field"] == field
    # Managers do not record their own training.
    body = await alice.client.post(
        TRAINING,
        {
            "input": {
                "managerId": alice.gid,
                "course": "X",
                "points": 1,
                "completedOn": f"{Y}-01-01",
            }
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
