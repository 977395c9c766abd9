"""Engine, sessions and the declarative base.

Every tenant table carries ``workspace_id`` as the first column of its primary key, and every
foreign key between tenant tables includes it; that is what lets a large deployment distribute
rows by workspace (Citus) without changing the model.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKeyConstraint,
    MetaData,
    Select,
    Table,
    TypeDecorator,
    Uuid,
    event,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from rapport.core.sql import register_sqlite_functions

__all__ = [
    "WRITES",
    "AnySelect",
    "Base",
    "JSONType",
    "TenantMixin",
    "TimestampMixin",
    "create_engine",
    "new_id",
    "session_factory",
    "table_of",
    "tenant_fk",
    "utcnow",
    "writing",
]

# Deterministic constraint names so migrations are identical on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that comes back aware on SQLite too.

    A decorator rather than a ``DateTime`` subclass: dialects swap a subclass for their own
    implementation class, which would drop the conversion. Values are stored in UTC (naive
    input is taken as UTC), so SQLite's text timestamps compare in time order.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# A select of any number of columns (the generic is variadic).
AnySelect = Select[*tuple[Any, ...]]


def table_of(model: Any) -> Table:
    """The Core table of a mapped class, for bulk statements that skip the ORM."""
    return cast(Table, model.__table__)


# JSONB on PostgreSQL (indexable, compact); JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class TenantMixin:
    """Marks a table as belonging to one workspace; see :mod:`rapport.core.tenancy`."""

    workspace_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


def tenant_fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A foreign key to another tenant table, through ``(workspace_id, id)``."""
    return ForeignKeyConstraint(
        ["workspace_id", column], [f"{table}.workspace_id", f"{table}.id"], ondelete=ondelete
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit transactions end at the first RELEASE SAVEPOINT, so a nested
    # transaction would commit its outer one; SQLAlchemy issues BEGIN itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # How long a writer waits for another's lock before giving up.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
    register_sqlite_functions(dbapi_connection)


# Execution option of a connection about to write: see :func:`_sqlite_begin`.
WRITES = "rapport_writes"


@asynccontextmanager
async def write_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """A write transaction on an open ``session``, taking SQLite's write lock up front (see
    below), so that a second writer waits its turn instead of failing "database is locked"."""
    async with session.begin():
        await session.connection(execution_options={WRITES: True})
        yield session


@asynccontextmanager
async def writing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """:func:`write_transaction` on a session that closes with it."""
    async with session, write_transaction(session):
        yield session


def _sqlite_begin(connection: Any) -> None:
    # A transaction that will write takes the write lock when it begins, waiting (busy
    # timeout) while another writer holds it: begun as a reader, it could not take the lock
    # later without failing with "database is locked", and concurrent writers would fail
    # instead of queueing. Reads begin deferred and never wait for writers (WAL).
    writes = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def create_engine(url: str, *, statement_timeout: float = 0, **kwargs: Any) -> AsyncEngine:
    """An engine for ``url``; on PostgreSQL no statement runs longer than ``statement_timeout``
    seconds (0: no limit), so that no query holds a connection forever."""
    if url.startswith("sqlite"):
        if ":memory:" in url:
            # One shared connection, or every session would see its own empty database.
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    if statement_timeout and "asyncpg" in url:
        milliseconds = str(round(statement_timeout * 1000))
        kwargs.setdefault("connect_args", {}).setdefault("server_settings", {})[
            "statement_timeout"
        ] = milliseconds
    # No pre-ping: it costs a round trip per request; stale connections are recycled instead.
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
