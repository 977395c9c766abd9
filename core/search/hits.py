"""What one search engine query returns, before the rows are loaded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["RankedHit", "SearchKind"]


class SearchKind(StrEnum):
    CUSTOMER = "customer"
    CONTACT_POINT = "contact_point"
    INTERACTION = "interaction"


@dataclass(frozen=True)
class RankedHit:
    kind: SearchKind
    entity_id: uuid.UUID
    customer_id: uuid.UUID
    score: float
