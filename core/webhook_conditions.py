"""Conditions a webhook puts on an event's payload, beyond its event types.

A condition names a dotted path into the payload webhooks receive (``data.kind``,
``entityType``, ``actorId``) and the values it may have, as text (``"call"``, ``"true"``,
``"3"``, ``"null"``); a webhook with conditions receives an event only when every one holds.
Simple on purpose: what a receiver would otherwise filter away on arrival, not a query language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import FieldError

__all__ = ["MAX_CONDITIONS", "PayloadCondition", "condition_errors", "matches_all"]

MAX_CONDITIONS = 10
MAX_VALUES = 50
MAX_DEPTH = 5
# The top-level keys of a webhook payload (see DomainEvent.as_payload).
PAYLOAD_KEYS = ("event", "workspaceId", "entityType", "entityId", "occurredAt", "actorId", "data")


@dataclass(frozen=True)
class PayloadCondition:
    path: str
    values: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "in": list(self.values)}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> PayloadCondition:
        return cls(str(stored["path"]), tuple(str(v) for v in stored["in"]))


def _as_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _holds(condition: PayloadCondition, payload: dict[str, Any]) -> bool:
    found: Any = payload
    for part in condition.path.split("."):
        if not isinstance(found, dict) or part not in found:
            return False
        found = found[part]
    if isinstance(found, list):  # a list field holds when any of its items is wanted
        return any(_as_text(item) in condition.values for item in found)
    return _as_text(found) in condition.values


def matches_all(stored: Sequence[dict[str, Any]], payload: dict[str, Any]) -> bool:
    return all(_holds(PayloadCondition.from_json(item), payload) for item in stored)


def condition_errors(conditions: Sequence[PayloadCondition], field: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(conditions) > MAX_CONDITIONS:
        message = f"at most {MAX_CONDITIONS} conditions"
        return [FieldError(field, CoreErrorCode.CONDITION_INVALID, message)]
    for index, condition in enumerate(conditions):
        parts = condition.path.split(".")
        problem = None
        if parts[0] not in PAYLOAD_KEYS or not all(parts) or len(parts) > MAX_DEPTH:
            problem = (
                f"{condition.path!r} is not a payload path: it starts with one of "
                f"{', '.join(PAYLOAD_KEYS)} and has at most {MAX_DEPTH} parts"
            )
        elif not condition.values or len(condition.values) > MAX_VALUES:
            problem = f"a condition lists 1 to {MAX_VALUES} values"
        if problem:
            errors.append(FieldError(f"{field}.{index}", CoreErrorCode.CONDITION_INVALID, problem))
    return errors
