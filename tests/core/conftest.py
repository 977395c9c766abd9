"""A runtime with a plugin that records domain events, on the session's database."""

from __future__ import annotations

import types
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from rapport.core import PluginInfo, hookimpl
from rapport.core.config import Settings
from rapport.core.models import Customer
from rapport.core.runtime import Runtime


@dataclass
class Recorded:
    runtime: Runtime
    before: list[Any] = field(default_factory=list)
    after: list[Any] = field(default_factory=list)
    # For customer.merged: customers the hook saw already merged into the survivor.
    seen_merged: list[int] = field(default_factory=list)
    # An event name the plugin refuses (raises on) inside the transaction.
    veto: str | None = None


class Vetoed(RuntimeError):
    pass


def recorder_plugin(recorded: Recorded) -> types.ModuleType:
    module = types.ModuleType("recorder")
    module.plugin_info = PluginInfo(name="recorder", version="0")  # type: ignore[attr-defined]

    @hookimpl
    async def before_commit(event: Any, session: Any) -> None:
        recorded.before.append(event)
        if event.name == recorded.veto:
            raise Vetoed(event.name)
        if event.name == "customer.merged":
            survivor = uuid.UUID(event.data["survivorId"])
            count = await session.execute(
                select(func.count())
                .select_from(Customer)
                .where(Customer.merged_into_id == survivor)
            )
            recorded.seen_merged.append(count.scalar_one())

    @hookimpl
    def after_commit(event: Any) -> None:
        recorded.after.append(event)

    module.before_commit = before_commit  # type: ignore[attr-defined]
    module.after_commit = after_commit  # type: ignore[attr-defined]
    return module


@pytest.fixture
async def recorded(runtime: Runtime) -> AsyncIterator[Recorded]:
    holder = Recorded(runtime)
    settings = Settings(database_url=runtime.settings.database_url)
    holder.runtime = Runtime.create(settings, extra_plugins=[recorder_plugin(holder)])
    yield holder
    await holder.runtime.dispose()
