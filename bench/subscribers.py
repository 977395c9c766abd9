"""How many concurrent subscribers one ``rapport serve`` process holds, events still under 1 s.

The server runs alone (``--no-worker``) on a fresh PostgreSQL database. For each step, that
many WebSocket clients (graphql-transport-ws, one subscription each to ``events`` of
customers) connect and subscribe; then, five times, one client creates a customer over HTTP
and every subscriber times the event from the moment the request was sent (so the figure
includes the write itself: an upper bound on "from commit"). A step passes when every
subscriber got every event and the slowest of them all took under 1 s; the benchmark stops at
the first step that fails and reports the largest that passed.

    .venv/bin/python bench/subscribers.py
    .venv/bin/python bench/subscribers.py --steps 100,500,1000 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/rapport_subscribers

The subscribers run in this process, beside the server on the same cores: their cost is
printed too (CPU ms per delivered event, theirs and the server's), so a client limit is seen
for what it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import time
from dataclasses import dataclass

import httpx
from http_load import PYTHON, cpu_seconds, free_port, rss_mb, server_process
from w0_request_overhead import prepare
from websockets.asyncio.client import ClientConnection, connect

SUBSCRIPTION = 'subscription { events(types: ["customer.created"]) { name entityId } }'
CREATE = """mutation($name: String!) {
  createCustomer(input: {kind: PERSON, lastName: $name}) { customer { id } errors { code } } }"""
ROUNDS = 5
DEADLINE_SECONDS = 1.0
WAIT_SECONDS = 10.0


@dataclass
class Step:
    subscribers: int
    delivered: int
    expected: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    server_cpu_ms_per_event: float
    client_cpu_ms_per_event: float
    server_rss_mb: float

    @property
    def passed(self) -> bool:
        return self.delivered == self.expected and self.max_ms < DEADLINE_SECONDS * 1000


async def _subscriber(url: str, key: str) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=60)  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    )
    while json.loads(await ws.recv())["type"] != "connection_ack":
        pass
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    return ws


async def _listen(ws: ClientConnection, arrivals: dict[str, float], wanted: set[str]) -> None:
    """Record when each wanted customer's event arrives, until all have."""
    while wanted - arrivals.keys():
        message = json.loads(await ws.recv())
        if message.get("type") == "next":
            entity = message["payload"]["data"]["events"]["entityId"]
            arrivals.setdefault(entity, time.perf_counter())


async def _round(
    http: httpx.AsyncClient, sockets: list[ClientConnection], key: str, label: str
) -> list[float]:
    """One write; each subscriber's delay in ms (inf where it never came)."""
    arrivals: list[dict[str, float]] = [{} for _ in sockets]
    sent = time.perf_counter()
    answer = await http.post(
        "/graphql",
        json={"query": CREATE, "variables": {"name": label}},
        headers={"Authorization": f"Bearer {key}"},
    )
    created = answer.json()["data"]["createCustomer"]["customer"]["id"]
    listeners = [
        asyncio.create_task(_listen(ws, found, {created}))
        for ws, found in zip(sockets, arrivals, strict=True)
    ]
    _done, late = await asyncio.wait(listeners, timeout=WAIT_SECONDS)
    for task in late:
        task.cancel()
    return [
        (found[created] - sent) * 1000 if created in found else float("inf") for found in arrivals
    ]


async def measure(port: int, key: str, subscribers: int, server_pid: int) -> Step:
    url = f"ws://127.0.0.1:{port}/graphql"
    sockets: list[ClientConnection] = []
    for start in range(0, subscribers, 100):  # in batches: a burst of handshakes is not the test
        batch = range(start, min(subscribers, start + 100))
        sockets += await asyncio.gather(*(_subscriber(url, key) for _ in batch))
    await asyncio.sleep(2)  # every subscription is registered
    delays: list[float] = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        await _round(http, sockets, key, "warm-up")
        server_before = cpu_seconds(server_pid)
        client_before = time.process_time()
        for number in range(ROUNDS):
            delays += await _round(http, sockets, key, f"step {subscribers} round {number}")
            await asyncio.sleep(0.5)
        server_cpu = cpu_seconds(server_pid) - server_before
        client_cpu = time.process_time() - client_before
    for ws in sockets:
        await ws.close()
    delivered = [d for d in delays if d != float("inf")]
    ordered = sorted(delays)
    events = max(1, len(delivered))
    return Step(
        subscribers=subscribers,
        delivered=len(delivered),
        expected=len(delays),
        p50_ms=statistics.median(ordered),
        p99_ms=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        max_ms=ordered[-1],
        server_cpu_ms_per_event=server_cpu * 1000 / events,
        client_cpu_ms_per_event=client_cpu * 1000 / events,
        server_rss_mb=rss_mb(server_pid),
    )


def _fresh_database(url: str) -> None:
    name, server = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0]
    admin = server.replace("postgresql+asyncpg", "postgresql") + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/rapport_subscribers",
    )
    parser.add_argument("--steps", default="100,250,500,1000,2000,4000")
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]
    # Each subscriber is a socket here and one in the server.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * max(steps) + 256)), hard))
    _fresh_database(args.database_url)
    key = asyncio.run(prepare(args.database_url))
    port = free_port()
    env = {
        "RAPPORT_DATABASE_URL": args.database_url,
        "RAPPORT_PLUGINS": "",
        "RAPPORT_SUBSCRIPTIONS_PER_KEY": str(max(steps) + 10),
        "RAPPORT_REQUESTS_PER_MINUTE_PER_KEY": "0",
    }
    serve = [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port), "--no-worker"]
    serve += ["--no-access-log"]
    print(
        f"{'subscribers':>11} {'delivered':>11} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'server CPU ms/event':>19} {'client CPU ms/event':>19} {'server RSS MB':>13}"
    )
    best: Step | None = None
    with server_process(serve, {**os.environ, **env}, port) as server:
        for subscribers in steps:
            step = asyncio.run(measure(port, key, subscribers, server.pid))
            print(
                f"{step.subscribers:11d} {step.delivered:5d}/{step.expected:<5d} "
                f"{step.p50_ms:8.1f} {step.p99_ms:8.1f} {step.max_ms:8.1f} "
                f"{step.server_cpu_ms_per_event:19.3f} {step.client_cpu_ms_per_event:19.3f} "
                f"{step.server_rss_mb:13.1f}",
                flush=True,
            )
            if not step.passed:
                break
            best = step
    if best is None:
        print(f"not even {steps[0]} subscribers had every event under {DEADLINE_SECONDS:.0f} s")
        return
    print(
        f"one process held {best.subscribers} subscribers with every event under "
        f"{DEADLINE_SECONDS:.0f} s; the slowest took {best.max_ms / 1000 / DEADLINE_SECONDS:.2f}"
        " of the limit"
    )


if __name__ == "__main__":
    main()
