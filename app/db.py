"""Database plumbing: declarative base, engine and session factories, SQLite pragmas."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy import (
    BigInteger,
    DateTime,
    Engine,
    Integer,
    MetaData,
    PoolProxiedConnection,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app import sqlite_inline
from app.config import Settings
from app.inline_reads import InlineReads, PreparedStatements, ReadConnection

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")

# SQLite only gives autoincrementing rowids to INTEGER PRIMARY KEY; PostgreSQL wants 64 bits.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


READ_ONLY = "samvaer_read_only"


def _install_sqlite_pragmas(engine: Engine, settings: Settings) -> None:
    """WAL, durable commits, enforced foreign keys, and IMMEDIATE write transactions.

    A deferred transaction that reads and then writes can fail at once with SQLITE_BUSY when
    another connection writes in between; taking the write lock at BEGIN makes writers queue on
    busy_timeout instead. Read-only sessions keep a deferred BEGIN so they never block writers.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            # A deferred BEGIN takes no lock, so it can neither wait nor fail: hand it to the
            # driver directly, past the statement machinery (which cost as much as a query).
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute("BEGIN")
            cursor.close()
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


# JSON columns (profiles, filters) are read on hot paths; orjson parses them several times
# faster than the standard library. Writing keeps SQLAlchemy's default serializer.
JSON_READS = {"json_deserializer": orjson.loads}


def make_engine(settings: Settings) -> AsyncEngine:
    url = settings.database_url
    if settings.is_sqlite:
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=8, max_overflow=8, **JSON_READS)
        _install_sqlite_pragmas(engine.sync_engine, settings)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **JSON_READS)


def make_read_engine(settings: Settings) -> AsyncEngine:
    """SQLite reads run inline on the event loop (see app.sqlite_inline for why)."""
    path = make_url(settings.database_url).database or ""
    engine = create_async_engine(
        settings.database_url,
        async_creator=sqlite_inline.connector(path),
        pool_size=4,
        max_overflow=4,
        **JSON_READS,
    )
    _install_sqlite_pragmas(engine.sync_engine, settings)
    return engine


def make_sync_sqlite_engine(settings: Settings) -> Engine:
    """A blocking engine on the same SQLite file, for the chat writer's own connection
    (app.chat.writer) or for short reads inline on the event loop (app.inline_reads).

    Same pragmas and IMMEDIATE transactions as the async engine, so the two queue on SQLite's
    write lock instead of failing.
    """
    url = make_url(settings.database_url).set(drivername="sqlite+pysqlite")
    # The chat writer's connection runs on the event loop, and waits for a lock held elsewhere
    # on its thread (app.chat.writer), never both at once.
    engine = create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        connect_args={"check_same_thread": False},
        **JSON_READS,
    )
    _install_sqlite_pragmas(engine, settings)
    return engine


class Session(AsyncSession):
    """An AsyncSession whose `async with` closes it in the caller's own task.

    SQLAlchemy's own exit runs close() in a new task, so that a cancellation cannot cut it
    short. That task starts only after every task already queued on the event loop: under
    load each request kept its pooled connection through a whole round of everyone else's
    work, the pool ran dry, and unlucky requests lost the race for a connection again and
    again (p99 in seconds). Closing here hands the connection back at once. A close that is
    cancelled part-way is safe as well: the pool discards that connection and takes its slot
    back.
    """

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()


class Database:
    """The engine and its two session factories (writes, and read-only for GET requests).

    On SQLite there are also two blocking engines: one for the chat writer's own connection,
    one for `read` on the event loop.
    """

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings)
        self.sessions = async_sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self.read_engine = make_read_engine(settings) if settings.is_sqlite else self.engine
        # Read-only Core connections, for hot paths that need no ORM session (see `read`).
        self.reader = self.read_engine.execution_options(**{READ_ONLY: True})
        self.read_sessions = async_sessionmaker(self.reader, class_=Session, expire_on_commit=False)
        self.sync_engine = make_sync_sqlite_engine(settings) if settings.is_sqlite else None
        # On SQLite, `read` uses one blocking read-only connection, kept, on the event loop.
        self.inline_engine = make_sync_sqlite_engine(settings) if settings.is_sqlite else None
        self.inline_statements = (
            None if self.inline_engine is None else PreparedStatements(self.inline_engine.dialect)
        )
        self._inline: PoolProxiedConnection | None = None

    async def read(self, reads: Callable[[ReadConnection], Awaitable[T]]) -> T:
        """Run `reads` (prebuilt read statements) on a read-only connection, closed here.

        On SQLite a blocking connection used inline (app.inline_reads), the same one for every
        read: its statements never await, and each one's rows are fetched whole outside any
        transaction, so reads cannot interleave within one (a pool checkout and return per
        read cost about 20 µs). One that fails is dropped and the next read opens another.
        Elsewhere a Core connection, closed in the caller's own task: `async with` would close
        it in a task queued behind everything else (see Session), and under load the pool ran
        dry.
        """
        if self.inline_engine is not None and self.inline_statements is not None:
            if self._inline is None:
                self._inline = self.inline_engine.raw_connection()
            conn = cast(sqlite3.Connection, self._inline.dbapi_connection)
            try:
                return await reads(InlineReads(conn, self.inline_statements))
            except sqlite3.Error:
                self._drop_inline(failed=True)
                raise
        core = await self.reader.connect()
        try:
            return await reads(core)
        finally:
            await core.close()

    def _drop_inline(self, *, failed: bool = False) -> None:
        inline, self._inline = self._inline, None
        if inline is not None:
            if failed:
                inline.invalidate()
            else:
                inline.close()

    async def dispose(self) -> None:
        self._drop_inline()
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        if self.sync_engine is not None:
            self.sync_engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()
