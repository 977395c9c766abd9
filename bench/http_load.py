"""Drive an HTTP server from this process and report latency percentiles and throughput.

The server runs in its own process (uvicorn) and wrk, a C load generator, drives it from
another, so the figures are the server's and not a Python client's.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

__all__ = ["PYTHON", "LoadResult", "free_port", "rss_mb", "run_load", "server_process"]


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def line(self, label: str) -> str:
        return (
            f"{label:<34} {self.rps:9.1f} req/s   p50 {self.p50_ms:7.2f} ms   "
            f"p95 {self.p95_ms:7.2f} ms"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server_process(
    args: list[str], env: dict[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``args`` (a server listening on ``port``) and stop it afterwards."""
    # A file, not a pipe: a server that logs more than a pipe holds would block on it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(log.read().decode() or "exited")
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may hold spaces: fields are counted from its closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    io.stderr:write("bad response: " .. status .. " " .. string.sub(body, 1, 300) .. "\\n")
    os.exit(1)
  end
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def run_load(
    url: str, body: str, *, auth: str | None = None, seconds: float = 10.0, concurrency: int = 8
) -> LoadResult:
    """Load ``url`` with POSTs of ``body`` from wrk (one thread, ``concurrency`` connections)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("the benchmarks drive the server with wrk: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = {**os.environ, "BENCH_BODY": body, "BENCH_AUTH": f"Bearer {auth}" if auth else ""}
    # Warm-up run: connection set-up, parse and validation caches, the key cache.
    subprocess.run(
        [wrk, "-t1", "-c1", "-d1s", "-s", script.name, url],
        env=env,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", script.name, url],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    os.unlink(script.name)
    found = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    requests, duration, p50, p95 = found.groups()
    return LoadResult(int(requests), float(duration), float(p50), float(p95))


PYTHON = sys.executable
