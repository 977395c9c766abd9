"""Finding customers that are probably the same person or organisation as another.

Candidates share a normalised email or phone, or have a similar name (trigram similarity on
PostgreSQL, shared name prefixes on SQLite, then the same string measure on both). The same
birth date or organisation strengthens a candidate but never makes one on its own.
"""

from __future__ import annotations

import difflib
import unicodedata
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.errors import NotFound
from rapport.core.models import ContactPoint, Customer
from rapport.core.search import similar_names

__all__ = ["DuplicateCandidate", "DuplicateReason", "ReasonKind", "find_duplicates"]

MATCHED_KINDS = ("email", "phone")
NAME_CANDIDATES = 50
# How alike two names must be (0..1, difflib's ratio of the folded, sorted words).
NAME_THRESHOLD = 0.8
WEIGHTS = {"email": 0.6, "phone": 0.5, "name": 0.4, "birth_date": 0.3, "organization": 0.1}


class ReasonKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    BIRTH_DATE = "birth_date"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class DuplicateReason:
    kind: ReasonKind
    detail: str


@dataclass
class DuplicateCandidate:
    customer: Customer
    score: float = 0.0
    reasons: list[DuplicateReason] = field(default_factory=list)


def fold_name(name: str) -> str:
    """Lower case, no diacritics, words sorted: "Lovelace, Ada" and "ada lovelace" agree."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return " ".join(sorted(words))


def name_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold_name(a), fold_name(b)).ratio()


async def _shared_contacts(
    session: AsyncSession, customer: Customer
) -> dict[uuid.UUID, list[DuplicateReason]]:
    own = await session.execute(
        select(ContactPoint.kind, ContactPoint.normalized_value).where(
            ContactPoint.customer_id == customer.id, ContactPoint.kind.in_(MATCHED_KINDS)
        )
    )
    values: dict[str, set[str]] = {}
    for kind, value in own:
        values.setdefault(kind, set()).add(value)
    if not values:
        return {}
    matches = await session.execute(
        select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.value)
        .join(Customer, Customer.id == ContactPoint.customer_id)
        .where(
            or_(
                *(
                    and_(ContactPoint.kind == kind, ContactPoint.normalized_value.in_(found))
                    for kind, found in values.items()
                )
            ),
            ContactPoint.customer_id != customer.id,
            Customer.deleted_at.is_(None),
        )
    )
    shared: dict[uuid.UUID, list[DuplicateReason]] = {}
    for customer_id, kind, value in matches:
        shared.setdefault(customer_id, []).append(DuplicateReason(ReasonKind(kind), value))
    return shared


def _score(customer: Customer, candidate: DuplicateCandidate) -> None:
    other = candidate.customer
    strong = {reason.kind for reason in candidate.reasons}
    if other.kind == customer.kind:
        similarity = name_similarity(customer.display_name, other.display_name)
        if similarity >= NAME_THRESHOLD:
            candidate.reasons.append(DuplicateReason(ReasonKind.NAME, f"{similarity:.2f}"))
            strong.add(ReasonKind.NAME)
            candidate.score += WEIGHTS["name"] * similarity
    if not strong:
        return
    candidate.score += sum(WEIGHTS[kind] for kind in strong if kind != ReasonKind.NAME)
    if customer.birth_date is not None and customer.birth_date == other.birth_date:
        candidate.reasons.append(
            DuplicateReason(ReasonKind.BIRTH_DATE, customer.birth_date.isoformat())
        )
        candidate.score += WEIGHTS["birth_date"]
    mine, theirs = customer.organization_name, other.organization_name
    if mine and theirs and mine.casefold() == theirs.casefold():
        candidate.reasons.append(DuplicateReason(ReasonKind.ORGANIZATION, theirs))
        candidate.score += WEIGHTS["organization"]
    candidate.score = round(min(candidate.score, 1.0), 4)


async def find_duplicates(
    session: AsyncSession, workspace_id: uuid.UUID, customer_id: uuid.UUID, limit: int = 10
) -> list[DuplicateCandidate]:
    """Likely duplicates of a live customer, most likely first."""
    customer = await session.get(Customer, (workspace_id, customer_id))
    if customer is None or customer.deleted_at is not None:
        raise NotFound("id", "customer")
    shared = await _shared_contacts(session, customer)
    named = await similar_names(
        session, workspace_id, customer.display_name, customer.id, NAME_CANDIDATES
    )
    ids = set(shared) | set(named)
    if not ids:
        return []
    rows = await session.execute(
        select(Customer).where(Customer.id.in_(ids), Customer.deleted_at.is_(None))
    )
    candidates: list[DuplicateCandidate] = []
    for other in rows.scalars():
        candidate = DuplicateCandidate(other, reasons=list(shared.get(other.id, [])))
        _score(customer, candidate)
        if candidate.score > 0:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.score, c.customer.display_name, c.customer.id))
    return candidates[:limit]
