"""Pieces every service GraphQL module shares: permissions, enums, declared rows, ids."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any, overload

import strawberry
from strawberry import relay

from rapport.schema import node_from_row

__all__ = [
    "MANAGE",
    "READ",
    "WRITE",
    "CaseChannel",
    "CaseKind",
    "CasePriority",
    "DeclaredRow",
    "Metric",
    "StatusCategory",
    "TimerState",
    "global_id",
]

READ = "service:read"
WRITE = "service:write"
MANAGE = "service:manage"


@strawberry.enum(description="The fixed categories every workspace status maps to.")
class StatusCategory(Enum):
    NEW = "NEW"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    WAITING_ON_THIRD_PARTY = "WAITING_ON_THIRD_PARTY"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    DUPLICATE = "DUPLICATE"


@strawberry.enum
class CasePriority(Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


@strawberry.enum
class CaseChannel(Enum):
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    WEB = "WEB"
    CHAT = "CHAT"
    VISIT = "VISIT"
    SOCIAL = "SOCIAL"


@strawberry.enum(description="A complaint must close with its root cause and resolution.")
class CaseKind(Enum):
    REQUEST = "REQUEST"
    INCIDENT = "INCIDENT"
    QUESTION = "QUESTION"
    COMPLAINT = "COMPLAINT"


@strawberry.enum(name="SlaMetric")
class Metric(Enum):
    FIRST_RESPONSE = "FIRST_RESPONSE"
    NEXT_RESPONSE = "NEXT_RESPONSE"
    RESOLUTION = "RESOLUTION"


@strawberry.enum(name="SlaTimerState")
class TimerState(Enum):
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    MET = "MET"
    BREACHED = "BREACHED"
    CANCELLED = "CANCELLED"


@overload
def global_id(type_name: str, row_id: uuid.UUID) -> relay.GlobalID: ...


@overload
def global_id(type_name: str, row_id: uuid.UUID | None) -> relay.GlobalID | None: ...


def global_id(type_name: str, row_id: uuid.UUID | None) -> relay.GlobalID | None:
    return relay.GlobalID(type_name, str(row_id)) if row_id is not None else None


class DeclaredRow:
    """A type that is not a node but reads one row by its ``__columns__`` (a change, a line)."""

    @classmethod
    def from_model(cls, row: Any) -> Any:
        return node_from_row(cls, row)
