"""What the plugin contributes through the hooks: roles, permissions, vocabulary, jobs."""

from __future__ import annotations

import uuid

from rapport.core import Actor
from rapport.core.runtime import Runtime
from rapport.core.vocabulary import build_vocabulary
from rapport.plugins.banking.events import BANKING_EVENT_TYPES

WRITING = (":write", ":assign", ":manage", ":delete", ":merge", ":import")


def test_roles_hold_what_they_need(runtime: Runtime) -> None:
    roles = runtime.roles
    compliance = roles.permissions_of("compliance")
    assert "customers:read" in compliance
    assert "banking:view_account_numbers" in compliance
    assert not [p for p in compliance if p.endswith(WRITING)]
    manager = roles.permissions_of("relationship_manager")
    assert {"customers:write", "interactions:write", "banking:write"} <= manager
    assert "banking:view_account_numbers" not in manager
    assert "banking:assign" not in manager
    assert "banking:assign" in roles.permissions_of("team_lead")
    assert "banking:manage" in roles.permissions_of("branch_head")
    assert "banking:manage" in roles.permissions_of("admin")


def test_vocabulary_and_jobs(runtime: Runtime) -> None:
    vocabulary = build_vocabulary(runtime.host)
    assert {t.name for t in BANKING_EVENT_TYPES} <= set(vocabulary.event_types)
    assert {"guarantor_of", "beneficial_owner_of"} <= set(vocabulary.relationship_types)
    assert "banking.overdue_reviews" in runtime.host.jobs
    assert "banking" in runtime.host.demo_loaders
    assert "banking" in runtime.host.migration_locations


def test_policies_limit_only_managers_and_leads(runtime: Runtime) -> None:
    def actor(role: str) -> Actor:
        return Actor(uuid.uuid4(), uuid.uuid4(), role, runtime.roles.permissions_of(role))

    assert runtime.row_policies(actor("admin")) == ()
    assert runtime.row_policies(actor("compliance")) == ()
    assert runtime.row_policies(actor("branch_head")) == ()
    limited = {model.__name__ for model, _ in runtime.row_policies(actor("relationship_manager"))}
    assert {"Customer", "ContactPoint", "Interaction", "Task", "Relationship"} <= limited
    assert {"FinancialAccount", "Assignment", "Household", "RiskRating"} <= limited
    # Other plugins' customer data follows through the customer scope.
    assert {"Opportunity", "Payment"} <= limited
    lead = {model.__name__ for model, _ in runtime.row_policies(actor("team_lead"))}
    assert lead == limited
