"""The one batching writer per process: queued sends are stored together in one transaction.

Sockets and HTTP requests hand their work to a queue. A single task takes everything queued
(up to MAX_BATCH), writes it in one transaction and commits (group commit); only then does a
second task answer each sender and publish to the hub, while the first writes the next batch.
Nothing is acknowledged before its commit, and a commit carries many messages, which is what
makes durable chat fast on SQLite.

The batch itself is one synchronous function (app.chat.batch). On SQLite it runs on the event
loop, on the writer's own connection, COMMIT included (see `_SqliteBatches`); on PostgreSQL it
runs through `run_sync`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, PoolProxiedConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.chat.batch import (
    MAX_BATCH,
    CoreStore,
    ReadJob,
    SendJob,
    Sent,
    SqliteStore,
    Stored,
    store_batch,
)
from app.chat.service import Event
from app.db import Database
from app.errors import AppError
from app.realtime.hub import Hub

log = logging.getLogger(__name__)

MAX_QUEUED = 10_000
# How often the WAL is copied back into the database file (SQLite).
CHECKPOINT_SECONDS = 1.0
# A WAL this long (frames of a 4 KiB page each: 256 MiB) is also restarted. The restart holds
# the write lock through a flush of the database file, 3-11 ms here, so it is kept rare: once
# every 3-4 seconds at 5,000 messages/s, every 13 at 1,000.
RESTART_FRAMES = 65_536
# Tries at taking the write lock for a restart, a millisecond apart, before the next round.
RESTART_TRIES = 20

T = TypeVar("T")


@dataclass(eq=False)
class ActionJob:
    """A write with rules of its own (a first request): it runs in its own savepoint."""

    action: Callable[[AsyncSession], Awaitable[tuple[Any, list[Event]]]]
    future: asyncio.Future[Any]


Job = SendJob | ReadJob | ActionJob


@dataclass(eq=False)
class _Written:
    """A batch after its commit (`stored` is None when it failed), waiting to be answered."""

    batch: list[Job]
    stored: Stored | None
    actions: list[tuple[ActionJob, Any, list[Event]]] = field(default_factory=list)


class MessageWriter:
    def __init__(self, db: Database, hub: Hub, *, busy_timeout_ms: int = 5000) -> None:
        self._db = db
        self._hub = hub
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue(MAX_QUEUED)
        # Committed batches on their way to being answered; a full queue holds the next commit.
        self._answers: asyncio.Queue[list[_Written] | None] = asyncio.Queue(2)
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Committed batches (sends and other writes), for tests and monitoring.
        self.commits = 0
        # On SQLite the batches run on a connection of their own; a BEGIN that must wait for
        # another connection's lock waits on a thread of their own.
        self._thread: ThreadPoolExecutor | None = None
        self._sqlite: _SqliteBatches | None = None
        self._core = _CoreBatches(db.engine)
        self._checkpointer: _Checkpointer | None = None
        self._checkpoints: asyncio.Task[None] | None = None
        if db.sync_engine is not None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")
            self._sqlite = _SqliteBatches(db.sync_engine, self._thread, busy_timeout_ms)
            self._checkpointer = _Checkpointer(db.sync_engine.url.database or "")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chat-writer")
        if self._checkpointer is not None:
            self._checkpoints = asyncio.create_task(self._checkpoint(), name="chat-checkpoints")

    async def _checkpoint(self) -> None:
        assert self._checkpointer is not None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-checkpoint") as thread:
            loop = asyncio.get_running_loop()
            try:
                while True:
                    await asyncio.sleep(CHECKPOINT_SECONDS)
                    try:
                        await loop.run_in_executor(thread, self._checkpointer.run)
                    except sqlite3.Error as exc:
                        log.warning("WAL checkpoint failed: %s", type(exc).__name__)
            finally:
                await loop.run_in_executor(thread, self._checkpointer.close)

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Finish what is queued, then end; anything submitted after this is refused."""
        self._closing = True
        if self._task is None:
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_seconds)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpoints
        await self._core.close()
        if self._thread is not None and self._sqlite is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._sqlite.close)
            self._thread.shutdown(wait=True)

    def _put(self, job: Job) -> None:
        if self._closing:
            raise AppError("chat_unavailable", 503)
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            raise AppError("chat_unavailable", 503) from None

    def send(self, job: SendJob) -> None:
        """Queue a message; `job.reply` is called once it is committed (or refused)."""
        self._put(job)

    async def send_and_wait(
        self,
        *,
        sender_id: int,
        sender_handle: str,
        conversation_id: int,
        client_id: str,
        body: str,
    ) -> Sent:
        return await self._wait(
            lambda reply: SendJob(
                sender_id, sender_handle, conversation_id, client_id, body, reply=reply
            )
        )

    async def mark_read(
        self, *, user_id: int, handle: str, conversation_id: int, message_id: int
    ) -> int:
        """Move the member's read mark forward to a message; returns that message's seq.

        Read marks are batched with the sends: a reader of a busy conversation sends one
        for nearly every message, and each alone would be a transaction of its own.
        """
        return await self._wait(
            lambda reply: ReadJob(user_id, handle, conversation_id, message_id, reply=reply)
        )

    async def _wait(self, job: Callable[[Callable[[T | AppError], None]], Job]) -> T:
        """Queue the job `job(reply)` builds; its result once committed, or its error."""
        future: asyncio.Future[T | AppError] = asyncio.get_running_loop().create_future()

        def reply(outcome: T | AppError) -> None:
            if not future.done():
                future.set_result(outcome)

        self._put(job(reply))
        outcome = await future
        if isinstance(outcome, AppError):
            raise outcome
        return outcome

    async def run(self, action: Callable[[AsyncSession], Awaitable[tuple[T, list[Event]]]]) -> T:
        """Run `action` in the next batch's transaction; its events go out after the commit."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(ActionJob(action, future))
        return await future

    async def _run(self) -> None:
        answerer = asyncio.create_task(self._answer_loop(), name="chat-writer-answers")
        try:
            await self._write_loop()
            # Everything committed is answered before the writer ends.
            await self._answers.put(None)
            await answerer
        finally:
            # Cancelled (stop() timed out, a publish hung), this task's cancel reaches the
            # answers' task too.
            if not answerer.done():
                answerer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await answerer
            # What is committed is still answered, without its notices; members catch up
            # from the database.
            while not self._answers.empty():
                for one in self._answers.get_nowait() or []:
                    self._reply(one)

    async def _write_loop(self) -> None:
        while True:
            job = await self._queue.get()
            if job is None:
                return
            batch = [job]
            last = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if more is None:
                    last = True
                    break
                batch.append(more)
            try:
                written = await self._write(batch)
            except Exception as exc:
                # The writer must outlive any one batch; its senders get an error to retry on.
                log.error("chat writer failed a batch: %s at %s", type(exc).__name__, where(exc))
                written = [_Written(batch, None)]
            await self._answers.put(written)
            if last:
                return

    async def _write(self, batch: list[Job]) -> list[_Written]:
        """Commit a batch: its actions, then its sends and read marks. What fails is written
        again one job at a time, so that one bad item does not fail its neighbours, and
        actions that were committed are not run twice."""
        actions: list[Job] = [j for j in batch if isinstance(j, ActionJob)]
        stored: list[Job] = [j for j in batch if not isinstance(j, ActionJob)]
        written: list[_Written] = []
        if actions:
            written += await _one_by_one_on_failure(actions, self._write_actions)
        if stored:
            written += await _one_by_one_on_failure(stored, self._write_stored)
        return written

    async def _write_actions(self, jobs: list[Job]) -> _Written:
        actions = [j for j in jobs if isinstance(j, ActionJob)]
        return _Written(jobs, Stored([], [], []), await self._run_actions(actions))

    async def _write_stored(self, jobs: list[Job]) -> _Written:
        sends = [j for j in jobs if isinstance(j, SendJob)]
        reads = [j for j in jobs if isinstance(j, ReadJob)]
        return _Written(jobs, await self._store(sends, reads))

    async def _answer_loop(self) -> None:
        """Answer committed batches in commit order, in a task of its own, so that the next
        batch is written while this one's senders are answered and its events published."""
        while True:
            written = await self._answers.get()
            if written is None:
                return
            for one in written:
                try:
                    await self._answer(one)
                except Exception as exc:
                    log.error(
                        "chat writer failed to answer: %s at %s", type(exc).__name__, where(exc)
                    )

    async def _answer(self, written: _Written) -> None:
        await self._hub.publish_many(self._reply(written))

    def _reply(self, written: _Written) -> list[Event]:
        """Answer each job of a written batch; the events to publish."""
        if written.stored is None:
            _fail(written.batch, AppError("chat_send_failed", 503))
            return []
        published: list[Event] = []
        for action_job, value, action_events in written.actions:
            if action_job.future.done():
                continue
            if isinstance(value, AppError):
                action_job.future.set_exception(value)
            else:
                action_job.future.set_result(value)
            published += action_events
        for send_job, outcome in written.stored.sends:
            send_job.reply(outcome)
        for read_job, read_outcome in written.stored.reads:
            read_job.reply(read_outcome)
        return published + written.stored.events

    async def _run_actions(
        self, actions: list[ActionJob]
    ) -> list[tuple[ActionJob, Any, list[Event]]]:
        results: list[tuple[ActionJob, Any, list[Event]]] = []
        async with self._db.sessions() as session:
            for action_job in actions:
                try:
                    async with session.begin_nested():
                        value, action_events = await action_job.action(session)
                except AppError as exc:
                    results.append((action_job, exc, []))
                else:
                    results.append((action_job, value, action_events))
            await session.commit()
        self.commits += 1
        return results

    async def _store(self, sends: list[SendJob], reads: list[ReadJob]) -> Stored:
        """Store a batch of sends and read marks and commit it."""
        if self._sqlite is not None:
            result = await self._sqlite.store(sends, reads)
        else:
            result = await self._core.store(sends, reads)
        self.commits += 1
        return result


class _SqliteBatches:
    """The writer's own sqlite3 connection.

    The batch runs on the event loop: BEGIN whenever SQLite's write lock is free, the
    statements as one synchronous call (about 25 µs a message), and COMMIT. Only a BEGIN that
    must wait for another connection's lock goes to the writer's thread.

    On the thread the statements had fought the event loop for the interpreter lock, which
    sqlite3 gives up for every statement and row: a batch of 100 took 9 ms there against
    2.5 ms on the loop. COMMIT went there too, for the disk, but the hand-over and the two
    wake-ups cost more than the flush they let the loop skip: about 0.25 ms of each small
    batch's latency and a sixth of the process's CPU at 1,000 messages/s, for the 0.3-0.5 ms
    of the flush itself. The price is that the loop waits while the disk flushes, once a batch.
    """

    def __init__(self, engine: Engine, thread: ThreadPoolExecutor, busy_timeout_ms: int) -> None:
        # The engine's connect hook sets the pragmas (WAL, synchronous=FULL, busy_timeout).
        self._engine = engine
        self._thread = thread
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._raw: PoolProxiedConnection | None = None

    async def store(self, sends: list[SendJob], reads: list[ReadJob]) -> Stored:
        loop = asyncio.get_running_loop()
        try:
            conn = self._begin_now()
            if conn is None:
                conn = await loop.run_in_executor(self._thread, self._begin)
            result = store_batch(SqliteStore(conn), sends, reads)
            conn.execute("COMMIT")
        except asyncio.CancelledError:
            # A BEGIN may still be running on the thread: roll back after it, there.
            self._thread.submit(self._rollback)
            raise
        except BaseException:
            # Nothing runs on the thread now, and the next BEGIN may come at once.
            self._rollback()
            raise
        return result

    def _rollback(self) -> None:
        conn = self._raw.driver_connection if self._raw is not None else None
        if isinstance(conn, sqlite3.Connection) and conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def _begin_now(self) -> sqlite3.Connection | None:
        """BEGIN without waiting: None when another connection holds the write lock."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            return None
        return conn

    def _begin(self) -> sqlite3.Connection:
        """BEGIN, waiting up to the busy timeout for the write lock; on the writer's thread."""
        conn = self._connection()
        conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute("PRAGMA busy_timeout=0")
        return conn

    def _connection(self) -> sqlite3.Connection:
        fresh = self._raw is None
        if self._raw is None:
            self._raw = self._engine.raw_connection()
        conn = self._raw.driver_connection
        assert isinstance(conn, sqlite3.Connection)
        if fresh:
            # Checkpoints are _Checkpointer's job: here they put a copy and an fsync of the
            # database file inside every so many commits.
            conn.execute("PRAGMA wal_autocheckpoint=0")
            # Only `_begin`, on the thread, waits for the lock. Once BEGIN IMMEDIATE holds it,
            # neither the statements nor a COMMIT in WAL mode wait for another connection.
            conn.execute("PRAGMA busy_timeout=0")
        return conn

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


class _Checkpointer:
    """Copies the WAL back into the database file, on a thread and connection of its own.

    PASSIVE never waits for the writer or for readers, so commits go on meanwhile; whatever
    it could not copy now is copied next time. But SQLite starts the log over only when a
    writer begins with every frame already copied, and under steady chat the writer has
    always appended more by then: the WAL grew by about 20 MB a second at 1,000 messages/s,
    and a commit that grows the file flushed in 0.45-1.3 ms against 0.26-0.31 ms for one
    that reuses it. So once the log is long, a RESTART follows: it takes the write lock
    (the writer's next BEGIN waits for it on its thread), copies the few frames written since,
    and starts the log over if no reader still reads from it. It never waits: with the write
    lock or a reader busy it gives up, tries again a millisecond later, and then next round.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    def run(self) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self._path, isolation_level=None)
            self._conn.execute("PRAGMA busy_timeout=0")
        _, frames, _ = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames < RESTART_FRAMES:
            return
        for _ in range(RESTART_TRIES):
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            if not busy:
                return
            time.sleep(0.001)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class _CoreBatches:
    """The writer's own connection on PostgreSQL, kept from batch to batch.

    Taking one from the pool for each batch cost a ping (pre-ping) and a checkout, a sixth of
    a small batch. A connection that failed is dropped, and the next batch opens a new one.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def store(self, sends: list[SendJob], reads: list[ReadJob]) -> Stored:
        if self._conn is None:
            self._conn = await self._engine.connect()
        try:
            async with self._conn.begin():
                return await self._conn.run_sync(_core_batch, sends, reads)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


def _core_batch(conn: Connection, sends: list[SendJob], reads: list[ReadJob]) -> Stored:
    return store_batch(CoreStore(conn), sends, reads)


def where(exc: BaseException) -> str:
    """Where an exception was raised, without its message: messages can quote SQL parameters,
    and those can be what members wrote."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


async def _one_by_one_on_failure(
    jobs: list[Job], write: Callable[[list[Job]], Awaitable[_Written]]
) -> list[_Written]:
    try:
        return [await write(jobs)]
    except Exception as exc:
        if len(jobs) == 1:
            log.warning("chat write failed: %s", type(exc).__name__)
            return [_Written(jobs, None)]
        log.warning("chat batch failed (%s); retrying one by one", type(exc).__name__)
        written: list[_Written] = []
        for job in jobs:
            written += await _one_by_one_on_failure([job], write)
        return written


def _fail(batch: list[Job], error: AppError) -> None:
    for job in batch:
        if isinstance(job, SendJob | ReadJob):
            job.reply(error)
        elif not job.future.done():
            job.future.set_exception(error)
