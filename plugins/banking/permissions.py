"""The banking roles, the permissions they hold, and the events the plugin emits."""

from __future__ import annotations

__all__ = ["PERMISSIONS", "ROLES"]

MANAGER = "relationship_manager"
TEAM_LEAD = "team_lead"
COMPLIANCE = "compliance"
BRANCH_HEAD = "branch_head"

# name -> (description, roles it inherits). Managers and leads work with customers like a
# member; compliance reads like a viewer and changes nothing.
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    MANAGER: ("manages the clients of their own book", ("member",)),
    TEAM_LEAD: ("leads a team of managers and works on their books", ("member",)),
    COMPLIANCE: ("reads every client and banking record, changes nothing", ("viewer",)),
    BRANCH_HEAD: ("runs a branch: every book, scorecards and key clients", ("member",)),
}

# name -> (description, roles granted it; admins hold every permission).
PERMISSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "banking:read": (
        "read books, households, accounts, ratings and key clients",
        (MANAGER, TEAM_LEAD, COMPLIANCE, BRANCH_HEAD),
    ),
    "banking:write": (
        "open accounts, record balances, rate risk, manage households",
        (MANAGER, TEAM_LEAD, BRANCH_HEAD),
    ),
    "banking:assign": (
        "assign clients to managers and reassign books",
        (TEAM_LEAD, BRANCH_HEAD),
    ),
    "banking:manage": (
        "manage products, manager profiles, tiers and review tasks",
        (BRANCH_HEAD,),
    ),
    "banking:view_account_numbers": (
        "see account numbers unmasked",
        (COMPLIANCE, BRANCH_HEAD),
    ),
    "banking:scorecards:read": (
        "read manager scorecards and training balances",
        (MANAGER, TEAM_LEAD, COMPLIANCE, BRANCH_HEAD),
    ),
    "banking:training:write": (
        "record completed training",
        (TEAM_LEAD, BRANCH_HEAD),
    ),
}
