"""A probe query's latency while other clients send hostile queries, beside its idle latency.

The server (``rapport serve``, its own process) is probed with ``{ viewer { role } }`` one
request at a time, first idle, then while wrk sends, from several connections, operations the
limits must refuse cheaply: a fragment bomb (each fragment spreading the next twice, 40
levels), lists nested far past the cost budget, and bodies that are not JSON. The ratio of
the probe's p50 under the burst to its idle p50 is what a bad neighbour costs everyone else.

    .venv/bin/python bench/hostile_burst.py                   # SQLite in a temporary folder
    .venv/bin/python bench/hostile_burst.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/rapport_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from multiprocessing import Process, Queue
from pathlib import Path

import httpx
from http_load import PYTHON, free_port, server_process
from w0_request_overhead import prepare

PROBE = "{ viewer { role } }"


def fragment_bomb(levels: int) -> str:
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ customers(first: 100) {{ totalCount }} }}")
    return "{ ...F0 } " + " ".join(fragments)


def nested_lists(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"relationships {{ other {{ {inner} }} }}"
    return f"{{ customers(first: 100) {{ nodes {{ {inner} }} }} }}"


HOSTILE = {
    "fragment bomb (40 levels)": fragment_bomb(40),
    "lists nested past the budget": nested_lists(5),
}


def probe(url: str, key: str, seconds: float) -> list[float]:
    """Sequential probe latencies (ms) for ``seconds``."""
    latencies = []
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(timeout=30) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.post(url, json={"query": PROBE}, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return latencies


async def _send_hostile(url: str, body: str, key: str, seconds: float, connections: int) -> str:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    codes: Counter[str] = Counter()
    stop = time.monotonic() + seconds

    async def one(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop:
            answer = (await client.post(url, content=body, headers=headers)).json()
            codes[answer["errors"][0]["extensions"]["code"]] += 1

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(one(client) for _ in range(connections)))
    return ", ".join(f"{count} {code}" for code, count in codes.items())


def hostile_load(
    url: str, body: str, key: str, seconds: float, connections: int, out: Queue[str]
) -> None:
    """Refused queries from ``connections`` clients for ``seconds``, in its own process."""
    out.put(asyncio.run(_send_hostile(url, body, key, seconds, connections)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4, help="hostile connections")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'burst.db'}"
        key = asyncio.run(prepare(url))
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}/graphql"
        serve = [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port), "--no-access-log"]
        with server_process(serve, {"RAPPORT_DATABASE_URL": url}, port):
            probe(endpoint, key, 1.0)  # warm-up: caches, the key
            idle = statistics.median(probe(endpoint, key, args.seconds))
            print(f"probe idle                                  p50 {idle:7.2f} ms")
            for name, query in HOSTILE.items():
                out: Queue[str] = Queue()
                body = json.dumps({"query": query})
                burst = Process(
                    target=hostile_load,
                    args=(endpoint, body, key, args.seconds, args.concurrency, out),
                )
                burst.start()
                time.sleep(0.5)  # the burst under way before the probe starts
                under = statistics.median(probe(endpoint, key, args.seconds - 1))
                burst.join()
                print(
                    f"probe during {name:<30} p50 {under:7.2f} ms   {under / idle:5.2f}x idle"
                    f"   (refused meanwhile: {out.get()})"
                )


if __name__ == "__main__":
    main()
