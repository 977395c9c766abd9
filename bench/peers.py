"""Rapport beside PostGraphile 4 and a raw-SQL floor, over HTTP, in the same run.

Three servers, each in its own process on a free loopback port, read the W1 data set of
``w1_customer_360.py`` (seeded on first use):

- Rapport (``rapport.core.cli serve``), authenticated with an API key;
- PostGraphile 4 over the same database, installed from npm into ``bench/.peers/`` when
  missing, with its generated schema (``--simple-collections both``);
- the floor, ``floor_server.py``: one hand-written SQL statement (W1's ``FLOOR``) over HTTP.

Before timing, the script checks that the three answer the same customers in the same order
with the same contact points, relationships and interactions. Then wrk drives, in
interleaved rounds so that a noisy neighbour slows every side alike: W1 (the customer 360
page) on Rapport, PostGraphile and the floor, and W2 (``{ __typename }``, the fixed cost of a
request) on Rapport and PostGraphile.

    .venv/bin/python bench/peers.py                          # 10 s per load, 2 rounds
    .venv/bin/python bench/peers.py --seconds 2 --rounds 1   # a quick look
    .venv/bin/python bench/peers.py --show-postgraphile-fields
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from http_load import PYTHON, LoadResult, free_port, rss_mb, run_load, server_process
from w1_customer_360 import (
    DEFAULT_URL,
    INTERACTIONS_PER_CUSTOMER,
    QUERY,
    describe,
    ensure_postgres_database,
    seed,
)

from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.core.workspaces import create_api_key

BENCH = Path(__file__).resolve().parent
PEERS = BENCH / ".peers"  # npm cache of the peers, git-ignored
POSTGRAPHILE = PEERS / "node_modules" / ".bin" / "postgraphile"

# W1 through PostGraphile's generated schema. The foreign keys are composite (workspace_id,
# customer_id), hence the long relation names; relationships come as two lists, one per end.
POSTGRAPHILE_W1 = """
query W1($workspace: UUID!, $first: Int!) {
  allCustomersList(
    first: $first
    condition: {workspaceId: $workspace, deletedAt: null}
    orderBy: [CREATED_AT_ASC, ID_ASC]
  ) {
    id displayName kind
    contactPointsByWorkspaceIdAndCustomerIdList(
      orderBy: [IS_PRIMARY_DESC, CREATED_AT_ASC, ID_ASC]
    ) { kind value isPrimary }
    relationshipsByWorkspaceIdAndFromCustomerIdList(orderBy: [CREATED_AT_ASC, ID_ASC]) {
      typeKey role other: customerByWorkspaceIdAndToCustomerId { id displayName }
    }
    relationshipsByWorkspaceIdAndToCustomerIdList(orderBy: [CREATED_AT_ASC, ID_ASC]) {
      typeKey role other: customerByWorkspaceIdAndFromCustomerId { id displayName }
    }
    interactionsByWorkspaceIdAndCustomerIdList(
      first: 5
      condition: {deletedAt: null}
      orderBy: [OCCURRED_AT_DESC, ID_DESC]
    ) { id kind occurredAt subject }
  }
}
"""
W2 = "{ __typename }"
# The relation fields of Customer, listed by --show-postgraphile-fields.
FIELDS_QUERY = '{ __type(name: "Customer") { fields { name args { name } } } }'


@dataclass(frozen=True)
class Options:
    database_url: str
    customers: int
    page_size: int
    seconds: float
    rounds: int
    concurrency: int
    show_postgraphile_fields: bool


@dataclass(frozen=True)
class Server:
    """A server in its own process."""

    label: str
    port: int
    pid: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


@dataclass(frozen=True)
class Side:
    """One timed line: a request body sent to a server."""

    label: str
    server: Server
    body: str
    auth: str | None = None


# One customer as every side must answer it: id, name, contact point values in order,
# relationships as (direction, other end) sorted, interaction ids in order.
Row = tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]


def ensure_postgraphile() -> Path:
    """PostGraphile 4 in ``bench/.peers``, installed on first use."""
    if POSTGRAPHILE.exists():
        return POSTGRAPHILE
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("peers.py installs PostGraphile with npm: install node and npm")
    print(f"installing postgraphile@4 into {PEERS}", flush=True)
    install = [npm, "install", "--prefix", str(PEERS), "--no-audit", "--no-fund"]
    subprocess.run([*install, "postgraphile@4"], check=True)
    return POSTGRAPHILE


async def prepare(options: Options) -> tuple[uuid.UUID, str]:
    """The bench workspace (seeded when missing) and a fresh admin key for Rapport."""
    await ensure_postgres_database(options.database_url)
    runtime = Runtime.create(Settings(database_url=options.database_url))
    try:
        await runtime.migrate()
        # The same workspace name as w1_customer_360, so both benchmarks share one data set.
        name = f"bench-w1-{options.customers}-{INTERACTIONS_PER_CUSTOMER:g}"
        workspace_id = await seed(runtime, name, options.customers)
        print(await describe(runtime, workspace_id))
        key = (await create_api_key(runtime, name, role="admin", name="bench-peers")).key
    finally:
        await runtime.dispose()
    return workspace_id, key


def libpq_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@contextmanager
def start(label: str, command: list[str], env: dict[str, str], port: int) -> Iterator[Server]:
    with server_process(command, env, port) as process:
        yield Server(label, port, process.pid)


def rapport(options: Options) -> tuple[list[str], dict[str, str], int]:
    port = free_port()
    # PostGraphile runs without its query log; Rapport without its access log.
    command = [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port), "--no-access-log"]
    # A page above the default cap needs the cap raised, as in w1_customer_360.
    cap = max(Settings().max_page_size, options.page_size)
    cost = max(Settings().max_cost, 100 * options.page_size)  # about 70 per W1 customer
    env = {
        "RAPPORT_DATABASE_URL": options.database_url,
        "RAPPORT_MAX_PAGE_SIZE": str(cap),
        "RAPPORT_MAX_COST": str(cost),
    }
    return command, env, port


def postgraphile(options: Options, binary: Path) -> tuple[list[str], dict[str, str], int]:
    port = free_port()
    command = [
        str(binary),
        "-c",
        libpq_url(options.database_url),
        "--simple-collections",
        "both",
        "--disable-default-mutations",
        "--disable-query-log",
        # Node may resolve its default `localhost` to ::1; the clients here use 127.0.0.1.
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # server_process polls /healthz; PostGraphile's 404 there is an answer, so it counts as
    # listening. A request before its schema is built waits for it, and the agreement check
    # sends the first one.
    return command, {}, port


def floor(options: Options, workspace_id: uuid.UUID) -> tuple[list[str], dict[str, str], int]:
    port = free_port()
    command = [PYTHON, "-m", "uvicorn", "--app-dir", str(BENCH), "floor_server:app"]
    command += ["--port", str(port), "--log-level", "warning"]
    env = {
        "BENCH_DATABASE_URL": options.database_url,
        "BENCH_WORKSPACE_ID": str(workspace_id),
        "BENCH_PAGE_SIZE": str(options.page_size),
        # A connection per wrk connection, so the floor never queues for the pool.
        "BENCH_POOL_SIZE": str(options.concurrency),
    }
    return command, env, port


def post(server: Server, body: str, auth: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = f"Bearer {auth}"
    response = httpx.post(server.endpoint, content=body, headers=headers, timeout=120)
    response.raise_for_status()
    answer = response.json()
    if isinstance(answer, dict) and answer.get("errors"):
        raise RuntimeError(f"{server.label}: {answer['errors']}")
    return answer


def raw_id(global_id: str) -> str:
    """The uuid inside a Rapport global id (base64 of ``Type:uuid``)."""
    padded = global_id + "=" * (-len(global_id) % 4)
    return base64.b64decode(padded).decode().split(":", 1)[1]


def row(
    customer: tuple[str, str],
    points: list[dict[str, Any]],
    relations: list[tuple[str, str]],
    interactions: list[str],
) -> Row:
    return (
        *customer,
        tuple(point["value"] for point in points),
        tuple(sorted((direction.upper(), other) for direction, other in relations)),
        tuple(interactions),
    )


def rapport_rows(answer: Any) -> list[Row]:
    rows = []
    for edge in answer["data"]["customers"]["edges"]:
        node = edge["node"]
        relations = [(r["direction"], raw_id(r["other"]["id"])) for r in node["relationships"]]
        interactions = [raw_id(i["id"]) for i in node["recentInteractions"]]
        rows.append(
            row(
                (raw_id(node["id"]), node["displayName"]),
                node["contactPoints"],
                relations,
                interactions,
            )
        )
    return rows


def postgraphile_rows(answer: Any) -> list[Row]:
    rows = []
    for node in answer["data"]["allCustomersList"]:
        relations = [
            ("OUTGOING", r["other"]["id"])
            for r in node["relationshipsByWorkspaceIdAndFromCustomerIdList"]
        ] + [
            ("INCOMING", r["other"]["id"])
            for r in node["relationshipsByWorkspaceIdAndToCustomerIdList"]
        ]
        interactions = [i["id"] for i in node["interactionsByWorkspaceIdAndCustomerIdList"]]
        points = node["contactPointsByWorkspaceIdAndCustomerIdList"]
        rows.append(row((node["id"], node["displayName"]), points, relations, interactions))
    return rows


def floor_rows(answer: Any) -> list[Row]:
    rows = []
    for page in answer:
        relations = [(r["direction"], r["other"]["id"]) for r in page["relationships"]]
        interactions = [i["id"] for i in page["recent_interactions"]]
        customer = (page["id"], page["display_name"])
        rows.append(row(customer, page["contact_points"], relations, interactions))
    return rows


def check_agreement(sides: dict[str, Side]) -> None:
    """Fail unless the three W1 sides answer the same page; print what one page holds."""
    answers = {name: post(side.server, side.body, side.auth) for name, side in sides.items()}
    reference = rapport_rows(answers["rapport"])
    for name, rows in (
        ("PostGraphile", postgraphile_rows(answers["postgraphile"])),
        ("floor", floor_rows(answers["floor"])),
    ):
        if rows != reference:
            first = next(
                (
                    i
                    for i, pair in enumerate(zip(rows, reference, strict=False))
                    if pair[0] != pair[1]
                ),
                min(len(rows), len(reference)),
            )
            raise SystemExit(
                f"W1: {name} and Rapport differ at customer {first} "
                f"({len(rows)} vs {len(reference)} customers)"
            )
    print(
        f"W1 agrees on all three: {len(reference)} customers, "
        f"{sum(len(r[2]) for r in reference)} contact points, "
        f"{sum(len(r[3]) for r in reference)} relationships, "
        f"{sum(len(r[4]) for r in reference)} interactions"
    )


def show_fields(server: Server) -> None:
    """The relation fields of PostGraphile's Customer, to write POSTGRAPHILE_W1 against."""
    fields = post(server, json.dumps({"query": FIELDS_QUERY}))["data"]["__type"]["fields"]
    for field in fields:
        if field["args"]:
            print(f"  Customer.{field['name']}({', '.join(a['name'] for a in field['args'])})")


def load(side: Side, options: Options) -> LoadResult:
    result = run_load(
        side.server.endpoint,
        side.body,
        auth=side.auth,
        seconds=options.seconds,
        concurrency=options.concurrency,
    )
    print(f"{result.line(side.label)}   rss {rss_mb(side.server.pid):4.0f} MB", flush=True)
    return result


def run_round(number: int, sides: dict[str, Side], options: Options) -> dict[str, LoadResult]:
    print(f"round {number}")
    results = {name: load(side, options) for name, side in sides.items()}
    w1_rate = results["w1 rapport"].rps / results["w1 postgraphile"].rps
    w1_floor = results["w1 rapport"].p50_ms / results["w1 floor"].p50_ms
    w2_rate = results["w2 rapport"].rps / results["w2 postgraphile"].rps
    print(f"  W1 req/s Rapport / PostGraphile: {w1_rate:.2f}")
    print(f"  W1 p50 Rapport / floor:          {w1_floor:.2f}x")
    print(f"  W2 req/s Rapport / PostGraphile: {w2_rate:.2f}")
    return results


def summary(rounds: list[dict[str, LoadResult]]) -> None:
    """The rounds as Markdown rows, as bench/README.md shows them."""
    print("\n| round | side | req/s | p50 | p95 |\n| --- | --- | --- | --- | --- |")
    for number, results in enumerate(rounds, 1):
        for name, result in results.items():
            print(
                f"| {number} | {name} | {result.rps:,.0f} | {result.p50_ms:.2f} ms "
                f"| {result.p95_ms:.2f} ms |"
            )


def bodies(options: Options, workspace_id: uuid.UUID) -> tuple[str, str]:
    """The W1 request of Rapport and of PostGraphile, as JSON bodies."""
    rapport_query = QUERY.replace("first: 100", f"first: {options.page_size}")
    variables = {"workspace": str(workspace_id), "first": options.page_size}
    return (
        json.dumps({"query": rapport_query}),
        json.dumps({"query": POSTGRAPHILE_W1, "variables": variables}),
    )


def main(options: Options) -> None:
    binary = ensure_postgraphile()
    workspace_id, key = asyncio.run(prepare(options))
    w1_rapport, w1_postgraphile = bodies(options, workspace_id)
    w2 = json.dumps({"query": W2})
    with ExitStack() as stack:
        ours = stack.enter_context(start("rapport", *rapport(options)))
        theirs = stack.enter_context(start("postgraphile", *postgraphile(options, binary)))
        bare = stack.enter_context(start("floor", *floor(options, workspace_id)))
        if options.show_postgraphile_fields:
            show_fields(theirs)
        check_agreement(
            {
                "rapport": Side("rapport", ours, w1_rapport, key),
                "postgraphile": Side("postgraphile", theirs, w1_postgraphile),
                "floor": Side("floor", bare, "{}"),
            }
        )
        # The order within a round is the order of the lines printed.
        sides = {
            "w1 rapport": Side("W1 Rapport", ours, w1_rapport, key),
            "w1 postgraphile": Side("W1 PostGraphile", theirs, w1_postgraphile),
            "w1 floor": Side("W1 floor (one SQL statement)", bare, "{}"),
            "w2 rapport": Side("W2 Rapport { __typename }", ours, w2, key),
            "w2 postgraphile": Side("W2 PostGraphile { __typename }", theirs, w2),
        }
        print(
            f"wrk: {options.concurrency} connections, {options.seconds:g} s per line, "
            f"page of {options.page_size}"
        )
        rounds = [run_round(n, sides, options) for n in range(1, options.rounds + 1)]
    summary(rounds)


def parse() -> Options:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL, help="a PostgreSQL URL")
    parser.add_argument("--customers", type=int, default=20_000, help="size of the data set")
    parser.add_argument("--page-size", type=int, default=100, help="customers per W1 page")
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk duration per line")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk connections")
    parser.add_argument(
        "--show-postgraphile-fields",
        action="store_true",
        help="print the relation fields of PostGraphile's Customer type",
    )
    arguments = parser.parse_args()
    if not arguments.database_url.startswith("postgresql"):
        parser.error("PostGraphile and the floor need PostgreSQL")
    return Options(**vars(arguments))


if __name__ == "__main__":
    main(parse())
