"""The one batching writer per process: queued sends are stored together in one transaction.

Sockets and HTTP requests hand their work to a queue. A single task takes everything queued
(up to MAX_BATCH), writes it in one transaction and commits (group commit); only then does it
answer each sender and publish to the hub. Nothing is acknowledged before its commit, and a
commit carries many messages, which is what makes durable chat fast on SQLite.

The batch itself is one synchronous function over a sync Session. On SQLite it runs in the
writer's own thread on its own connection, so a whole batch costs one hop to that thread
instead of one per statement; on PostgreSQL the same function runs through `run_sync`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat.models import Conversation, Message, Status
from app.chat.service import Event, message_dict, message_events
from app.db import Base, Database, utcnow
from app.errors import AppError, Forbidden, NotFound
from app.realtime.hub import Hub
from app.safety.models import Block

log = logging.getLogger(__name__)

MAX_BATCH = 256
MAX_QUEUED = 10_000

T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    message: dict[str, Any]
    # True when this client_id was stored before: the original message is returned.
    duplicate: bool


Outcome = Sent | AppError


@dataclass(eq=False)
class SendJob:
    sender_id: int
    sender_handle: str
    conversation_id: int
    client_id: str
    body: str
    # Called right after the commit and before the hub hears of it, so a socket can queue
    # its ack ahead of the notice of the same message.
    reply: Callable[[Outcome], None]


@dataclass(eq=False)
class ActionJob:
    """Any other write that stores a message (a first request): it runs in its own savepoint."""

    action: Callable[[AsyncSession], Awaitable[tuple[Any, list[Event]]]]
    future: asyncio.Future[Any]


Job = SendJob | ActionJob
# What makes a send unique: (conversation, sender, client_id).
Key = tuple[int, int, str]


class MessageWriter:
    def __init__(self, db: Database, hub: Hub) -> None:
        self._db = db
        self._hub = hub
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue(MAX_QUEUED)
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._thread: ThreadPoolExecutor | None = None
        if db.sync_engine is not None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chat-writer")

    async def stop(self) -> None:
        """Finish what is queued, then end; anything submitted after this is refused."""
        self._closing = True
        if self._task is None:
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=10)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._thread is not None:
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
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

        def reply(outcome: Outcome) -> None:
            if not future.done():
                future.set_result(outcome)

        self.send(SendJob(sender_id, sender_handle, conversation_id, client_id, body, reply=reply))
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
                await self._process(batch)
            except Exception as exc:
                # The writer must outlive any one batch; its senders get an error to retry on.
                log.error("chat writer failed a batch: %s at %s", type(exc).__name__, where(exc))
                _fail(batch, AppError("chat_send_failed", 503))
            if last:
                return

    async def _process(self, batch: list[Job]) -> None:
        actions = [j for j in batch if isinstance(j, ActionJob)]
        sends = [j for j in batch if isinstance(j, SendJob)]
        try:
            action_results: list[tuple[ActionJob, Any, list[Event]]] = []
            if actions:
                action_results = await self._run_actions(actions)
            outcomes, events = await self._store(sends) if sends else ([], [])
        except Exception as exc:
            if len(batch) == 1:
                log.warning("chat write failed: %s", type(exc).__name__)
                _fail(batch, AppError("chat_send_failed", 503))
                return
            # One bad item must not fail its neighbours: write each on its own.
            log.warning("chat batch failed (%s); retrying one by one", type(exc).__name__)
            for one in batch:
                await self._process([one])
            return
        published: list[Event] = []
        for action_job, value, action_events in action_results:
            if action_job.future.done():
                continue
            if isinstance(value, AppError):
                action_job.future.set_exception(value)
            else:
                action_job.future.set_result(value)
            published += action_events
        for send_job, outcome in outcomes:
            send_job.reply(outcome)
        await self._hub.publish_many(published + events)

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
        return results

    async def _store(
        self, sends: list[SendJob]
    ) -> tuple[list[tuple[SendJob, Outcome]], list[Event]]:
        """Store a batch of sends and commit it."""
        if self._thread is not None and self._db.sync_engine is not None:
            work = functools.partial(_store_and_commit, self._db.sync_engine, sends)
            return await asyncio.get_running_loop().run_in_executor(self._thread, work)
        async with self._db.engine.begin() as conn:
            return await conn.run_sync(_store_sends, sends)


def _store_and_commit(
    engine: Engine, sends: list[SendJob]
) -> tuple[list[tuple[SendJob, Outcome]], list[Event]]:
    with engine.begin() as conn:
        return _store_sends(conn, sends)


_c = Base.metadata.tables[Conversation.__tablename__]
_m = Base.metadata.tables[Message.__tablename__]
_b = Base.metadata.tables[Block.__tablename__]
# Built once: a batch runs these with different parameters, so none is rebuilt or recompiled.
# Locked in id order, the same order on every worker, so two batches never deadlock; holding
# the locks (SQLite: the write lock) also makes the reads below see every earlier commit.
_LOCK = (
    select(_c.c.id, _c.c.user_low_id, _c.c.user_high_id, _c.c.status, _c.c.last_seq)
    .where(_c.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_c.c.id)
    .with_for_update()
)
_BLOCKS = select(_b.c.blocker_id, _b.c.blocked_id).where(
    _b.c.blocker_id.in_(bindparam("people", expanding=True)),
    _b.c.blocked_id.in_(bindparam("people_too", expanding=True)),
)
_STORED = select(
    _m.c.id,
    _m.c.conversation_id,
    _m.c.seq,
    _m.c.sender_id,
    _m.c.client_id,
    _m.c.body,
    _m.c.created_at,
).where(
    _m.c.conversation_id.in_(bindparam("cids", expanding=True)),
    _m.c.client_id.in_(bindparam("client_ids", expanding=True)),
)
_NUMBER = (
    update(_c)
    .where(_c.c.id == bindparam("cid"))
    .values(last_seq=bindparam("top"), last_message_at=bindparam("now"))
)
_INSERT = insert(_m)
_IDS = select(_m.c.conversation_id, _m.c.seq, _m.c.id).where(
    tuple_(_m.c.conversation_id, _m.c.seq).in_(bindparam("keys", expanding=True))
)


def _store_sends(
    conn: Connection, sends: list[SendJob]
) -> tuple[list[tuple[SendJob, Outcome]], list[Event]]:
    """Validate, de-duplicate, number and insert a batch of sends; the caller commits."""
    now = utcnow()
    first: dict[Key, SendJob] = {}
    for job in sends:
        first.setdefault((job.conversation_id, job.sender_id, job.client_id), job)
    unique = list(first.values())
    rows = conn.execute(_LOCK, {"ids": sorted({j.conversation_id for j in unique})}).all()
    convs = {r.id: r for r in rows}
    people = sorted({u for r in rows for u in (r.user_low_id, r.user_high_id)})
    blocked = {
        frozenset(pair)
        for pair in conn.execute(_BLOCKS, {"people": people, "people_too": people}).all()
    }
    result: dict[Key, Outcome] = {}
    valid: list[SendJob] = []
    for job in unique:
        key = (job.conversation_id, job.sender_id, job.client_id)
        r = convs.get(job.conversation_id)
        if (
            r is None
            or job.sender_id not in (r.user_low_id, r.user_high_id)
            or frozenset((r.user_low_id, r.user_high_id)) in blocked
        ):
            result[key] = NotFound("conversation_not_found")
        elif r.status == Status.pending.value:
            result[key] = Forbidden("request_pending")
        elif r.status != Status.accepted.value:
            result[key] = Forbidden("request_not_accepted")
        else:
            valid.append(job)
    if valid:
        stored = conn.execute(
            _STORED,
            {
                "cids": sorted({j.conversation_id for j in valid}),
                "client_ids": sorted({j.client_id for j in valid}),
            },
        )
        for m in stored.all():
            key = (m.conversation_id, m.sender_id, m.client_id)
            owner = first.get(key)
            if owner is not None and key not in result:
                result[key] = Sent(
                    message_dict(
                        id=m.id,
                        conversation_id=m.conversation_id,
                        seq=m.seq,
                        sender=owner.sender_handle,
                        body=m.body,
                        created_at=m.created_at,
                    ),
                    duplicate=True,
                )
    new = [j for j in valid if (j.conversation_id, j.sender_id, j.client_id) not in result]
    events: list[Event] = []
    if new:
        # The rows are locked, so the numbers read above are still the latest.
        top = {cid: convs[cid].last_seq for cid in {j.conversation_id for j in new}}
        params = []
        for job in new:
            top[job.conversation_id] += 1
            params.append(
                {
                    "conversation_id": job.conversation_id,
                    "seq": top[job.conversation_id],
                    "sender_id": job.sender_id,
                    "client_id": job.client_id,
                    "body": job.body,
                    "created_at": now,
                }
            )
        conn.execute(_NUMBER, [{"cid": cid, "top": t, "now": now} for cid, t in top.items()])
        conn.execute(_INSERT, params)
        keys = [(p["conversation_id"], p["seq"]) for p in params]
        id_of = {(cid, seq): mid for cid, seq, mid in conn.execute(_IDS, {"keys": keys}).all()}
        for job, p in zip(new, params, strict=True):
            message = message_dict(
                id=id_of[(p["conversation_id"], p["seq"])],
                conversation_id=job.conversation_id,
                seq=p["seq"],
                sender=job.sender_handle,
                body=job.body,
                created_at=now,
            )
            result[(job.conversation_id, job.sender_id, job.client_id)] = Sent(message, False)
            r = convs[job.conversation_id]
            events += message_events(r.user_low_id, r.user_high_id, message)
    outcomes: list[tuple[SendJob, Outcome]] = []
    for job in sends:
        key = (job.conversation_id, job.sender_id, job.client_id)
        outcome = result[key]
        if isinstance(outcome, Sent) and first[key] is not job:
            # The same send twice in one batch: the second is a retry of the first.
            outcome = Sent(outcome.message, duplicate=True)
        outcomes.append((job, outcome))
    return outcomes, events


def where(exc: BaseException) -> str:
    """Where an exception was raised, without its message: messages can quote SQL parameters,
    and those can be what members wrote."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def _fail(batch: list[Job], error: AppError) -> None:
    for job in batch:
        if isinstance(job, SendJob):
            job.reply(error)
        elif not job.future.done():
            job.future.set_exception(error)
