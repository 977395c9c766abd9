"""The background jobs plugins register, each on its own interval.

``rapport serve`` runs them in the server process by default, so one command delivers
webhooks and fires reminders; ``rapport worker`` runs them in a process of its own, for
deployments that keep background work apart (``serve --no-worker``).

Jobs must be safe to run in several processes at once: they claim rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` or a conditional ``UPDATE`` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from rapport.core.plugins import await_maybe
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation

__all__ = ["JobContext", "run_jobs", "run_worker"]

log = logging.getLogger("rapport.worker")
IDLE_SECONDS = 60.0


@dataclass(frozen=True)
class JobContext:
    runtime: Runtime

    async def each_workspace(self) -> AsyncIterator[Operation]:
        """For each workspace in turn, a system operation committed when the body finishes."""
        from rapport.core.workspaces import system_operations

        async for unit in system_operations(self.runtime):
            async with unit as operation:
                yield operation


async def run_worker(runtime: Runtime, *, once: bool = False) -> None:
    """``rapport worker``: migrate, say which jobs run, and run them."""
    jobs = runtime.host.jobs
    await runtime.migrate()
    print(f"worker: {len(jobs)} job(s): {', '.join(sorted(jobs)) or 'none'}", flush=True)
    await run_jobs(runtime, once=once)


async def run_jobs(runtime: Runtime, *, once: bool = False) -> None:
    """Run every job when it is due, until cancelled (or one round with ``once``)."""
    jobs = runtime.host.jobs
    context = JobContext(runtime)
    next_run = dict.fromkeys(jobs, 0.0)
    while True:
        now = time.monotonic()
        for name, job in jobs.items():
            if next_run[name] > now:
                continue
            every = job.every_seconds
            try:
                await await_maybe(job.run(context))
            except Exception:  # one failing job must not stop the others
                log.exception("job %s failed", name)
            next_run[name] = time.monotonic() + float(every)
        if once:
            return
        wake = min(next_run.values(), default=time.monotonic() + IDLE_SECONDS)
        await asyncio.sleep(max(0.5, wake - time.monotonic()))
