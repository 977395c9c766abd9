"""The fixed status categories of a case and the moves between them.

Workspaces name their own statuses; each maps to one of these categories, and the rules
(which move is legal, what pauses a timer, what counts as solved) speak only of categories.
"""

from __future__ import annotations

__all__ = [
    "CATEGORIES",
    "OPEN_CATEGORIES",
    "SOLVED_CATEGORIES",
    "TERMINAL_CATEGORIES",
    "TRANSITIONS",
    "WAITING_CATEGORIES",
    "why_not",
]

CATEGORIES = (
    "NEW",
    "ASSIGNED",
    "IN_PROGRESS",
    "WAITING_ON_CUSTOMER",
    "WAITING_ON_THIRD_PARTY",
    "RESOLVED",
    "CLOSED",
    "REJECTED",
    "DUPLICATE",
)
WAITING_CATEGORIES = frozenset({"WAITING_ON_CUSTOMER", "WAITING_ON_THIRD_PARTY"})
SOLVED_CATEGORIES = frozenset({"RESOLVED", "CLOSED"})
# Nothing leaves these: a rejected or duplicate case is never worked again.
TERMINAL_CATEGORIES = frozenset({"REJECTED", "DUPLICATE"})
OPEN_CATEGORIES = frozenset(CATEGORIES) - SOLVED_CATEGORIES - TERMINAL_CATEGORIES

_WORKING = ("ASSIGNED", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "WAITING_ON_THIRD_PARTY")
_ENDINGS = ("RESOLVED", "REJECTED", "DUPLICATE")
TRANSITIONS: dict[str, frozenset[str]] = {
    "NEW": frozenset({"ASSIGNED", "IN_PROGRESS", *_ENDINGS}),
    "ASSIGNED": frozenset({"ASSIGNED", "IN_PROGRESS", *_ENDINGS}),
    "IN_PROGRESS": frozenset({"ASSIGNED", *WAITING_CATEGORIES, *_ENDINGS}),
    "WAITING_ON_CUSTOMER": frozenset({"IN_PROGRESS", "WAITING_ON_THIRD_PARTY", *_ENDINGS}),
    "WAITING_ON_THIRD_PARTY": frozenset({"IN_PROGRESS", "WAITING_ON_CUSTOMER", *_ENDINGS}),
    # Reopening goes back to work; closing is final apart from a reopen within the window.
    "RESOLVED": frozenset({"CLOSED", "IN_PROGRESS"}),
    "CLOSED": frozenset({"IN_PROGRESS"}),
    "REJECTED": frozenset(),
    "DUPLICATE": frozenset(),
}
assert set(TRANSITIONS) == set(CATEGORIES)
assert all(target in CATEGORIES for targets in TRANSITIONS.values() for target in targets)


def why_not(current: str, target: str) -> str | None:
    """Why a case in ``current`` may not move to ``target``; None when it may."""
    if target in TRANSITIONS[current]:
        return None
    if current in TERMINAL_CATEGORIES:
        return f"a {current.lower()} case is final"
    allowed = ", ".join(sorted(TRANSITIONS[current]))
    return f"a case in {current} can move to {allowed}, not {target}"
