"""The W1 floor over HTTP: one hand-written SQL statement per request, nothing else.

Any POST answers the page of W1's ``FLOOR`` statement, which PostgreSQL already writes as
JSON, so the server only moves bytes; the figure is what HTTP plus the database cost alone.
``peers.py`` starts it in its own process, beside Rapport and PostGraphile:

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rapport_bench \\
    BENCH_WORKSPACE_ID=<uuid> [BENCH_PAGE_SIZE=100] [BENCH_POOL_SIZE=8] \\
    .venv/bin/python -m uvicorn --app-dir bench floor_server:app --port 8010
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from w1_customer_360 import FLOOR

__all__ = ["app"]


class Floor:
    """The pool and the statement, set up once when the server starts."""

    def __init__(self) -> None:
        self.workspace_id = uuid.UUID(os.environ["BENCH_WORKSPACE_ID"])
        self.sql = FLOOR.replace("LIMIT 100", f"LIMIT {int(os.getenv('BENCH_PAGE_SIZE', '100'))}")
        self.pool: asyncpg.Pool | None = None

    async def page(self) -> bytes:
        assert self.pool is not None, "the pool opens with the server"
        async with self.pool.acquire() as connection:
            # asyncpg hands json back as text: the body is ready as it comes.
            text: str = await connection.fetchval(self.sql, self.workspace_id)
        return text.encode()


floor = Floor()


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    url = os.environ["BENCH_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    size = int(os.getenv("BENCH_POOL_SIZE", "8"))
    floor.pool = await asyncpg.create_pool(url, min_size=size, max_size=size)
    try:
        yield
    finally:
        await floor.pool.close()


async def answer(request: Request) -> Response:
    await request.body()  # the query is fixed; read the body so the connection stays clean
    return Response(await floor.page(), media_type="application/json")


async def health(_request: Request) -> Response:
    return Response(b"ok")


app = Starlette(
    routes=[Route("/graphql", answer, methods=["POST"]), Route("/healthz", health)],
    lifespan=lifespan,
)
