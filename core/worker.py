"""``rapport worker``: runs the jobs plugins register, each on its own interval.

Jobs must be safe to run in several worker processes at once: they claim rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL.
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

__all__ = ["JobContext", "run_worker"]

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
    jobs = runtime.host.jobs
    await runtime.migrate()
    context = JobContext(runtime)
    next_run = dict.fromkeys(jobs, 0.0)
    print(f"worker: {len(jobs)} job(s): {', '.join(sorted(jobs)) or 'none'}", flush=True)
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
