"""The relationship service on its own: types, validation and audit."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from rapport.core import CoreErrorCode
from rapport.core.auth import Actor
from rapport.core.errors import ErrorCode, ValidationFailed
from rapport.core.models import AuditEntry, Customer, User
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation
from rapport.core.services.relationships import (
    RelationshipFields,
    create_relationship,
    define_relationship_type,
    relationship_types,
)
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace


async def test_create_validates_and_audits(runtime: Runtime) -> None:
    workspace = await create_workspace(runtime, f"rel-{uuid.uuid4().hex[:8]}")
    async with tenant_session(runtime.sessions, workspace.id) as session:
        user = User(email="a@b.co", display_name="A", role="admin")
        session.add(user)
        await session.flush()
        actor = Actor(workspace.id, user.id, "admin", frozenset())
        op = Operation(session, actor, runtime.host)
        ada = Customer(kind="person", display_name="Ada")
        acme = Customer(kind="organization", display_name="Acme")
        session.add_all([ada, acme])
        await session.flush()

        with pytest.raises(ValidationFailed) as refused:
            await create_relationship(
                op,
                RelationshipFields(
                    type_key="employee_of",
                    from_customer_id=ada.id,
                    to_customer_id=ada.id,
                    start_date=date(2024, 1, 1),
                    end_date=date(2023, 1, 1),
                ),
            )
        assert [(e.field, e.code, e.kind) for e in refused.value.errors] == [
            ("input.toId", CoreErrorCode.SELF_RELATIONSHIP, ErrorCode.INVALID),
            ("input.endDate", CoreErrorCode.DATES_REVERSED, ErrorCode.INVALID),
        ]
        with pytest.raises(ValidationFailed) as missing:
            await create_relationship(op, RelationshipFields(from_customer_id=ada.id))
        assert {e.field for e in missing.value.errors} == {"input.type", "input.toId"}

        await define_relationship_type(
            op, key="twin_of", label="twin of", inverse_label="ignored", symmetric=True
        )
        types = await relationship_types(session, runtime.host)
        assert types["twin_of"].inverse_label == "twin of"
        assert types["employee_of"].plugin == "core"

        edge = await create_relationship(
            op,
            RelationshipFields(
                type_key="employee_of", from_customer_id=ada.id, to_customer_id=acme.id
            ),
        )
        entries = (
            (await session.execute(select(AuditEntry).where(AuditEntry.entity_id == edge.id)))
            .scalars()
            .all()
        )
        assert [(e.action, e.customer_id) for e in entries] == [("create", ada.id)]
        await session.rollback()
