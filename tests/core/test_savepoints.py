"""`Operation.savepoint`: nested work that can be undone alone, on both engines."""

from __future__ import annotations

import pytest

from rapport.core.errors import ValidationFailed
from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation
from tests.core.conftest import Recorded
from tests.support import count_rows, new_workspace, operation, person


async def create_then_refuse(op: Operation, first: str) -> None:
    async with op.savepoint():
        await person(op, first, "Inside")
    raise ValidationFailed.one(None, "changed my mind")


async def test_a_released_savepoint_still_rolls_back_with_its_transaction(
    runtime: Runtime,
) -> None:
    # The savepoint is the transaction's first statement: without an explicit BEGIN, SQLite
    # would commit at its RELEASE.
    workspace = await new_workspace(runtime)
    with pytest.raises(ValidationFailed):
        async with operation(runtime, workspace) as op:
            await create_then_refuse(op, "Ada")
    assert await count_rows(runtime, Customer, workspace) == 0


async def test_discarded_blocks_forget_rows_and_events(recorded: Recorded) -> None:
    runtime = recorded.runtime
    workspace = await new_workspace(runtime)
    async with operation(runtime, workspace) as op:
        await person(op, "Kept", "Before")
        async with op.savepoint() as point:
            await person(op, "Dropped", "Inside")
            point.keep = False
        with pytest.raises(ValidationFailed):
            async with op.savepoint():
                await create_then_refuse(op, "Failed")
        await person(op, "Kept", "After")
    assert await count_rows(runtime, Customer, workspace) == 2
    created = [e for e in recorded.after if e.name == "customer.created"]
    assert len(created) == 2
