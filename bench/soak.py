"""A soak: a steady mixed load at 80% of the measured maximum, for ten minutes.

The server (``rapport serve``, its own process, with a ``rapport worker`` beside it as deployed)
first takes the mix as fast as it can (closed loop, 16 clients, 15 s): that is the maximum.
Then an open-loop client sends the same mix at 80% of it for ``--minutes``: four reads (a page
of customers with contact points, the viewer) for each write (``createCustomer``). Every 30 s it
prints the window's requests, errors, p50 and p99 and the server's resident memory; at the end
the totals and the memory's growth. A sound server shows 0 errors, a flat p99 and flat memory.

    .venv/bin/python bench/soak.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/rapport_soak
    .venv/bin/python bench/soak.py --minutes 1                       # a quick look, SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from http_load import PYTHON, cpu_seconds, free_port, rss_mb, server_process
from raw_http import Answer, Connection
from w0_request_overhead import prepare

READ = """{ customers(first: 20) { edges { node { id displayName
  contactPoints { kind value } } } } }"""
VIEWER = "{ viewer { role } }"
WRITE = """mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id } errors { code } } }"""
WINDOW_SECONDS = 30.0
FAILURES: Counter[str] = Counter()


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def p(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _bodies() -> Iterator[dict[str, object]]:
    """The mix, in order: four reads, then a write of a new customer."""
    for n in itertools.count():
        yield from ({"query": READ}, {"query": VIEWER}, {"query": READ}, {"query": VIEWER})
        yield {"query": WRITE, "variables": {"input": {"kind": "PERSON", "lastName": f"Soak {n}"}}}


def _failure(answer: Answer) -> str | None:
    """What went wrong with an answer, by kind (HTTP status and error code), or None."""
    if answer.status != 200:
        return f"HTTP {answer.status}"
    body = answer.json()
    assert isinstance(body, dict)
    if errors := body.get("errors"):
        return f"error {errors[0].get('extensions', {}).get('code', 'without a code')}"
    payload = (body.get("data") or {}).get("createCustomer")
    if payload and payload["errors"]:
        return f"payload error {payload['errors'][0]['code']}"
    return None


async def _one(
    http: Connection,
    body: dict[str, object],
    window: Window,
    scheduled: float | None = None,
) -> None:
    """Send one request; its latency runs from ``scheduled`` (when it was due) if given."""
    started = time.perf_counter() if scheduled is None else scheduled
    try:
        async with asyncio.timeout(30):
            failure = _failure(await http.post(body))
    except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
        failure = type(exc).__name__
    window.latencies.append((time.perf_counter() - started) * 1000)
    if failure is not None:
        window.errors += 1
        FAILURES[failure] += 1


def _connection(port: int, key: str) -> Connection:
    return Connection("127.0.0.1", port, "/graphql", {"Authorization": f"Bearer {key}"})


async def measure_max(port: int, key: str, seconds: float) -> float:
    """Requests per second of the mix from 16 clients as fast as they go."""
    bodies = _bodies()
    window = Window()
    stop = time.monotonic() + seconds

    async def client() -> None:
        http = _connection(port, key)
        while time.monotonic() < stop:
            await _one(http, next(bodies), window)
        http.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(16)))
    return len(window.latencies) / (time.monotonic() - started)


SENDERS = 32


async def soak(port: int, key: str, rate: float, minutes: float, pid: int) -> None:
    """Send the mix at ``rate`` for ``minutes``, printing a line per window.

    Requests are due on a fixed schedule and each one's latency runs from when it was due, so
    a server that falls behind shows it in the latencies (no coordinated omission). A fixed
    set of senders, one connection each, takes the due requests in turn: an unbounded pile of
    pending requests would make the client, not the server, the thing being measured.
    """
    bodies = _bodies()
    interval = 1.0 / rate
    start = time.perf_counter()
    end = start + minutes * 60
    due_times = (start + n * interval for n in itertools.count())
    windows: list[Window] = []
    first_rss = rss_mb(pid)
    # The server's CPU time per request tells its own slowing from a machine busy elsewhere.
    print(
        f"{'time':>6} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU ms/req':>10} {'RSS MB':>8}"
    )
    current = Window()

    async def sender() -> None:
        http = _connection(port, key)
        while (due := next(due_times)) < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await _one(http, next(bodies), current, due)
        http.close()

    async def reporter() -> None:
        nonlocal current
        while time.perf_counter() < end:
            cpu_before = cpu_seconds(pid)
            await asyncio.sleep(min(WINDOW_SECONDS, max(0.0, end - time.perf_counter())))
            # A request answered after its window closed counts in the window it was sent in.
            window, current = current, Window()
            windows.append(window)
            cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / max(1, len(window.latencies))
            print(
                f"{time.perf_counter() - start:5.0f}s {len(window.latencies):9d} "
                f"{window.errors:7d} {window.p(0.5):8.1f} {window.p(0.99):8.1f} "
                f"{cpu_ms:10.2f} {rss_mb(pid):8.1f}",
                flush=True,
            )

    await asyncio.gather(reporter(), *(sender() for _ in range(SENDERS)))
    measured = [w for w in windows if w.latencies]
    total = sum(len(w.latencies) for w in measured) + len(current.latencies)
    errors = sum(w.errors for w in measured)
    p99s = [w.p(0.99) for w in measured]
    print(
        f"total: {total} requests at {rate:.0f} req/s, {errors} errors; p99 per window "
        f"{min(p99s):.1f}-{max(p99s):.1f} ms (median {statistics.median(p99s):.1f}); "
        f"last window's p99 / first's: {p99s[-1] / p99s[0]:.2f}; "
        f"RSS {first_rss:.1f} -> {rss_mb(pid):.1f} MB"
    )
    for failure, count in FAILURES.most_common():
        print(f"  {count} x {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--load", type=float, default=0.8, help="fraction of the maximum")
    parser.add_argument("--plugins", default="", help="RAPPORT_PLUGINS for the server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'soak.db'}"
        if url.startswith("postgresql"):
            name, server = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0]
            admin = server.replace("postgresql+asyncpg", "postgresql") + "/postgres"
            # A fresh database each run: the soak measures growth from the same start.
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        key = asyncio.run(prepare(url))
        port = free_port()
        # The jobs run in the worker beside it, as deployed, not also inside serve.
        serve = [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port), "--no-worker"]
        serve += ["--no-access-log"]
        env = {"RAPPORT_DATABASE_URL": url, "RAPPORT_PLUGINS": args.plugins}
        work = [PYTHON, "-m", "rapport.core.cli", "worker"]
        jobs = subprocess.Popen(work, env={**os.environ, **env}, stderr=subprocess.DEVNULL)
        try:
            with server_process(serve, env, port) as server:
                asyncio.run(measure_max(port, key, 3))  # warm-up: caches, the key, the pool
                top = asyncio.run(measure_max(port, key, 15))
                FAILURES.clear()  # those of the closed loop are not the soak's
                print(f"maximum of the mix: {top:.0f} req/s; soaking at {args.load:.0%} of it")
                asyncio.run(soak(port, key, top * args.load, args.minutes, server.pid))
        finally:
            jobs.terminate()
            jobs.wait(timeout=30)


if __name__ == "__main__":
    main()
