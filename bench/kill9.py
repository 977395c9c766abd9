"""kill -9 of the server in the middle of writes: nothing partial, nothing acknowledged lost.

Two runs, each against a real ``rapport serve`` process killed with SIGKILL mid-way, then
started again on the same database:

- a write stream: clients create customers in batches of five, all or nothing (one
  transaction each); every batch the server acknowledged must be there afterwards, and no
  batch may be there in part;
- an import: one ``importCustomers`` of many rows, all or nothing; afterwards either all of
  its rows are there or none is.

    .venv/bin/python bench/kill9.py                   # SQLite in a temporary folder
    .venv/bin/python bench/kill9.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/rapport_kill9
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from http_load import PYTHON, free_port, server_process
from w0_request_overhead import prepare

CREATE = """mutation($inputs: [CreateCustomerInput!]!) {
  createCustomers(inputs: $inputs) { createdCount errors { code } }
}"""
BATCH = 5
IMPORT = """mutation($csv: String!) {
  importCustomers(csv: $csv, mapping: [{column: "name", field: "lastName"},
    {column: "mail", field: "email"}], dedupe: CREATE) { report { created } errors { code } }
}"""
PAGE = """query($tag: String!, $after: String) {
  customers(first: 100, after: $after, filter: {tags: {any: [$tag]}}) {
    pageInfo { endCursor hasNextPage } nodes { lastName }
  }
}"""
IMPORTED = """query($prefix: String!) {
  customers(filter: {lastName: {startsWith: $prefix}}) { totalCount }
}"""


def _serve(port: int) -> list[str]:
    return [PYTHON, "-m", "rapport.core.cli", "serve", "--port", str(port), "--no-access-log"]


async def _stream(url: str, key: str, tag: str, stop: threading.Event, acked: list[str]) -> int:
    """Create batches from four clients until the server dies; the acknowledged batches."""
    headers = {"Authorization": f"Bearer {key}"}
    sent = 0

    async def client(number: int, http: httpx.AsyncClient) -> None:
        nonlocal sent
        while not stop.is_set():
            batch = f"K{number}x{sent}"
            sent += 1
            inputs = [
                {"kind": "PERSON", "lastName": f"{batch}-{i}", "tags": [tag]} for i in range(BATCH)
            ]
            try:
                answer = await http.post(
                    url, json={"query": CREATE, "variables": {"inputs": inputs}}, headers=headers
                )
            except httpx.TransportError:
                return  # the server is gone
            body = answer.json() if answer.status_code == 200 else {}
            if (body.get("data") or {}).get("createCustomers", {}).get("createdCount") == BATCH:
                acked.append(batch)

    async with httpx.AsyncClient(timeout=30) as http:
        await asyncio.gather(*(client(n, http) for n in range(4)))
    return sent


def _query(url: str, key: str, query: str, variables: dict[str, Any]) -> Any:
    answer = httpx.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    answer.raise_for_status()
    body = answer.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


def _batches_with_tag(url: str, key: str, tag: str) -> Counter[str]:
    """How many customers of each batch carry ``tag``."""
    found: Counter[str] = Counter()
    cursor = None
    while True:
        page = _query(url, key, PAGE, {"tag": tag, "after": cursor})["customers"]
        found.update(node["lastName"].rsplit("-", 1)[0] for node in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        cursor = page["pageInfo"]["endCursor"]


def write_stream(database_url: str, key: str, seconds: float) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    tag = f"kill-{uuid.uuid4().hex[:6]}"
    acked: list[str] = []
    stop = threading.Event()
    env = {"RAPPORT_DATABASE_URL": database_url}
    with server_process(_serve(port), env, port) as server:
        writer = threading.Thread(
            target=lambda: print_sent(asyncio.run(_stream(url, key, tag, stop, acked)))
        )
        writer.start()
        time.sleep(seconds)
        os.kill(server.pid, signal.SIGKILL)
        stop.set()
        writer.join()
        server.wait()
    with server_process(_serve(port), env, port):
        found = _batches_with_tag(url, key, tag)
    lost = [batch for batch in acked if found[batch] != BATCH]
    partial = [batch for batch, rows in found.items() if rows != BATCH]
    unacknowledged = [batch for batch in found if batch not in set(acked)]
    print(
        f"write stream: {len(acked)} batches of {BATCH} acknowledged, {len(found)} found after "
        f"restart ({len(unacknowledged)} written but unacknowledged, in flight at the kill), "
        f"{len(lost)} acknowledged and lost, {len(partial)} partial"
    )


def print_sent(sent: int) -> None:
    print(f"write stream: {sent} requests sent before the kill")


def import_run(database_url: str, key: str, rows: int, kill_after: float) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    tag = f"imp{uuid.uuid4().hex[:6]}"
    csv = "name,mail\n" + "".join(f"{tag}-{i},{tag}-{i}@import.example\n" for i in range(rows))
    env = {"RAPPORT_DATABASE_URL": database_url}
    outcome: list[str] = []
    with server_process(_serve(port), env, port) as server:

        def send() -> None:
            try:
                answer = httpx.post(
                    url,
                    json={"query": IMPORT, "variables": {"csv": csv}},
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=600,
                )
                report = answer.json()["data"]["importCustomers"]
                outcome.append(f"answered {answer.status_code}: {report}")
            except httpx.TransportError as exc:
                outcome.append(f"connection lost ({type(exc).__name__})")

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(kill_after)
        os.kill(server.pid, signal.SIGKILL)
        sender.join()
        server.wait()
    with server_process(_serve(port), env, port):
        found = _query(url, key, IMPORTED, {"prefix": f"{tag}-"})["customers"]["totalCount"]
    verdict = "all" if found == rows else "none" if found == 0 else "PARTIAL"
    print(
        f"import of {rows} rows killed after {kill_after:.1f} s ({outcome[0]}): "
        f"{found} rows after restart ({verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=float, default=5.0, help="writes before the kill")
    parser.add_argument("--rows", type=int, default=5_000, help="rows of the killed import")
    parser.add_argument("--kill-after", type=float, default=0.8, help="import seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'kill9.db'}"
        if url.startswith("postgresql"):
            _ensure_database(url)
        key = asyncio.run(prepare(url))
        write_stream(url, key, args.seconds)
        import_run(url, key, args.rows, args.kill_after)


def _ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0].replace("postgresql+asyncpg", "postgresql")
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=False)


if __name__ == "__main__":
    main()
