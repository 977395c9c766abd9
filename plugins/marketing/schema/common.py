"""Pieces every marketing GraphQL module shares: permissions, enums, ids."""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = [
    "MANAGE",
    "READ",
    "WRITE",
    "CampaignStatus",
    "ConsentStatus",
    "Delivery",
    "SegmentKind",
]

READ = "marketing:read"
WRITE = "marketing:write"
MANAGE = "marketing:manage"


@strawberry.enum(description="Dynamic: evaluated when read. Snapshot: stored at each refresh.")
class SegmentKind(Enum):
    DYNAMIC = "dynamic"
    SNAPSHOT = "snapshot"


@strawberry.enum(description="PLANNED -> ACTIVE -> COMPLETED | ABORTED.")
class CampaignStatus(Enum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    ABORTED = "aborted"


@strawberry.enum
class ConsentStatus(Enum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


@strawberry.enum(description="Where a member's email stands (EMAIL campaigns only).")
class Delivery(Enum):
    PENDING = "pending"
    SENT = "sent"
    BOUNCED = "bounced"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
