"""Shared by the import and search benchmarks: a scratch database and generated customers."""

from __future__ import annotations

import csv
import io
import random
import statistics
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import asyncpg

FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Charles",
    "Mary",
    "Emmy",
    "Kurt",
    "Sofia",
    "Hedy",
    "Edsger",
    "Barbara",
    "John",
    "Katherine",
    "Dennis",
    "Frances",
    "Niklaus",
    "Radia",
    "Tim",
    "Annie",
    "Cecilia",
    "Lise",
    "Srinivasa",
    "Hypatia",
    "Carl",
    "Marie",
    "Leonhard",
    "Evariste",
    "Jean",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Babbage",
    "Somerville",
    "Noether",
    "Godel",
    "Kovalevskaya",
    "Lamarr",
    "Dijkstra",
    "Liskov",
    "Neumann",
    "Johnson",
    "Ritchie",
    "Allen",
    "Wirth",
    "Perlman",
    "Berners",
    "Easley",
    "Shannon",
    "Meitner",
    "Ramanujan",
    "Gauss",
    "Curie",
    "Euler",
    "Galois",
    "Fourier",
    "Cantor",
    "Riemann",
    "Hilbert",
    "Pascal",
    "Fermat",
    "Napier",
    "Leibniz",
]
REGIONS = ["North", "South", "East", "West", "Central", "Coast", "Highlands", "Islands"]
INDUSTRIES = ["Banking", "Retail", "Insurance", "Energy", "Software", "Logistics", "Health"]
TAGS = ["vip", "newsletter", "b2b", "churn-risk", "referral", "event", "partner"]
HEADER = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "region",
    "industry",
    "tags",
    "birth_date",
]


def customer_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    """``count`` people with unique emails and phones; the same for the same seed."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
        rows.append(
            {
                "first_name": first,
                "last_name": f"{last}{index % 997 if index % 3 else ''}",
                "email": f"{first.lower()}.{last.lower()}.{index}@example.com",
                "phone": f"+44 20 {7000_0000 + index:08d}",
                "region": rng.choice(REGIONS),
                "industry": rng.choice(INDUSTRIES),
                "tags": ";".join(rng.sample(TAGS, rng.randrange(3))),
                "birth_date": born.isoformat(),
            }
        )
    return rows


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def percentile(samples: list[float], share: float) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(share * 100) - 1]


@asynccontextmanager
async def scratch_database(server: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database on ``server`` (a postgresql:// URL), dropped afterwards."""
    name = f"rapport_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
