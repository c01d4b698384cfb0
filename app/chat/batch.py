"""One batch of sends: checked, de-duplicated, numbered and inserted in one transaction.

The rules live in `store_sends`, a plain function over a `BatchStore`: the handful of statements
a batch needs. There are two stores. `CoreStore` runs prebuilt SQLAlchemy Core statements on a
Connection (PostgreSQL, through `run_sync`). `SqliteStore` runs the same statements as plain SQL
on the chat writer thread's own sqlite3 connection: per statement SQLAlchemy cost several times
what SQLite itself did, and every call into it is another wait for the interpreter lock while
the event loop is busy, which showed up directly in delivery latency.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection, Select, bindparam, insert, select, text, update

from app.chat.models import Conversation, Message, Status
from app.chat.service import Event, message_dict, message_events
from app.db import Base, utcnow
from app.errors import AppError, Forbidden, NotFound
from app.safety.models import Block

MAX_BATCH = 256

# What makes a send unique: (conversation, sender, client_id).
Key = tuple[int, int, str]


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

    @property
    def key(self) -> Key:
        return (self.conversation_id, self.sender_id, self.client_id)


class ConversationRow(NamedTuple):
    id: int
    user_low_id: int
    user_high_id: int
    status: str
    last_seq: int


class StoredRow(NamedTuple):
    id: int
    conversation_id: int
    seq: int
    sender_id: int
    client_id: str
    body: str
    created_at: datetime


class NewRow(NamedTuple):
    conversation_id: int
    seq: int
    sender_id: int
    client_id: str
    body: str


class BatchStore(Protocol):
    """The statements of one batch, inside a transaction the caller opens and commits."""

    def conversations(self, ids: list[int]) -> list[ConversationRow]:
        """The conversations, locked in id order until the commit."""
        ...

    def blocks(self, people: list[int]) -> list[tuple[int, int]]:
        """(blocker, blocked) for every block made by any of `people`."""
        ...

    def stored(self, keys: list[Key]) -> list[StoredRow]:
        """Messages already stored under any of `keys`."""
        ...

    def number(self, last_seq: dict[int, int], now: datetime) -> None:
        """Move each conversation's last_seq (and last activity) forward."""
        ...

    def insert(self, rows: list[NewRow], now: datetime) -> dict[tuple[int, int], int]:
        """Insert the rows; their ids by (conversation, seq)."""
        ...


Outcomes = tuple[list[tuple[SendJob, Outcome]], list[Event]]


def store_sends(store: BatchStore, sends: list[SendJob]) -> Outcomes:
    """Validate, de-duplicate, number and insert a batch of sends; the caller commits.

    Returns each job with its outcome, in the order given, and the events to publish after
    the commit.
    """
    now = utcnow()
    first: dict[Key, SendJob] = {}
    for job in sends:
        first.setdefault(job.key, job)
    unique = list(first.values())
    convs = {r.id: r for r in store.conversations(sorted({j.conversation_id for j in unique}))}
    people = sorted({u for r in convs.values() for u in (r.user_low_id, r.user_high_id)})
    blocked = {frozenset(pair) for pair in store.blocks(people)}
    result: dict[Key, Outcome] = {}
    valid: list[SendJob] = []
    for job in unique:
        r = convs.get(job.conversation_id)
        if (
            r is None
            or job.sender_id not in (r.user_low_id, r.user_high_id)
            or frozenset((r.user_low_id, r.user_high_id)) in blocked
        ):
            result[job.key] = NotFound("conversation_not_found")
        elif r.status == Status.pending.value:
            result[job.key] = Forbidden("request_pending")
        elif r.status != Status.accepted.value:
            result[job.key] = Forbidden("request_not_accepted")
        else:
            valid.append(job)
    if valid:
        for m in store.stored([j.key for j in valid]):
            key = (m.conversation_id, m.sender_id, m.client_id)
            owner = first.get(key)
            if owner is not None and key not in result:
                message = message_dict(
                    id=m.id,
                    conversation_id=m.conversation_id,
                    seq=m.seq,
                    sender=owner.sender_handle,
                    body=m.body,
                    created_at=m.created_at,
                )
                result[key] = Sent(message, duplicate=True)
    new = [j for j in valid if j.key not in result]
    events: list[Event] = []
    if new:
        # The rows are locked, so the numbers read above are still the latest.
        top = {cid: convs[cid].last_seq for cid in {j.conversation_id for j in new}}
        rows = []
        for job in new:
            top[job.conversation_id] += 1
            rows.append(
                NewRow(
                    job.conversation_id,
                    top[job.conversation_id],
                    job.sender_id,
                    job.client_id,
                    job.body,
                )
            )
        store.number(top, now)
        id_of = store.insert(rows, now)
        for job, row in zip(new, rows, strict=True):
            message = message_dict(
                id=id_of[(row.conversation_id, row.seq)],
                conversation_id=job.conversation_id,
                seq=row.seq,
                sender=job.sender_handle,
                body=job.body,
                created_at=now,
            )
            result[job.key] = Sent(message, duplicate=False)
            r = convs[job.conversation_id]
            events += message_events(r.user_low_id, r.user_high_id, message)
    outcomes: list[tuple[SendJob, Outcome]] = []
    for job in sends:
        outcome = result[job.key]
        if isinstance(outcome, Sent) and first[job.key] is not job:
            # The same send twice in one batch: the second is a retry of the first.
            outcome = Sent(outcome.message, duplicate=True)
        outcomes.append((job, outcome))
    return outcomes, events


_c = Base.metadata.tables[Conversation.__tablename__]
_m = Base.metadata.tables[Message.__tablename__]
_b = Base.metadata.tables[Block.__tablename__]
# Built once: a batch runs these with different parameters, so none is rebuilt or recompiled.
# Locked in id order, the same order on every worker, so two batches never deadlock; holding
# the locks also makes the reads below see every earlier commit.
_LOCK = (
    select(_c.c.id, _c.c.user_low_id, _c.c.user_high_id, _c.c.status, _c.c.last_seq)
    .where(_c.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_c.c.id)
    .with_for_update()
)
# Which pairs the blocks split is checked in Python: an IN on both columns would make SQLite
# probe every combination of the two lists.
_BLOCKS = select(_b.c.blocker_id, _b.c.blocked_id).where(
    _b.c.blocker_id.in_(bindparam("people", expanding=True))
)
_NUMBER = (
    update(_c)
    .where(_c.c.id == bindparam("cid"))
    .values(last_seq=bindparam("top"), last_message_at=bindparam("now"))
)
# One multi-row INSERT ... RETURNING per batch; rows may come back in any order.
_INSERT = insert(_m).returning(_m.c.conversation_id, _m.c.seq, _m.c.id)


@functools.lru_cache(maxsize=MAX_BATCH)
def _key_probes(n: int) -> str:
    """n (conversation, sender, client_id) keys ORed: one index probe per key on both
    databases, where IN lists per column would be a cross product. Built once per size, as
    the SQLite store asks for it with every batch."""
    return " OR ".join(
        f"(conversation_id = :c{i} AND sender_id = :s{i} AND client_id = :k{i})" for i in range(n)
    )


def _key_params(keys: list[Key]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for i, (cid, sender, client_id) in enumerate(keys):
        params |= {f"c{i}": cid, f"s{i}": sender, f"k{i}": client_id}
    return params


@functools.lru_cache(maxsize=MAX_BATCH)
def _stored_select(n: int) -> Select[Any]:
    # One statement per batch size, so each compiles once.
    return select(
        _m.c.id,
        _m.c.conversation_id,
        _m.c.seq,
        _m.c.sender_id,
        _m.c.client_id,
        _m.c.body,
        _m.c.created_at,
    ).where(
        text(_key_probes(n)).bindparams(
            *(
                bindparam(f"{prefix}{i}", type_=column.type)
                for i in range(n)
                for prefix, column in (
                    ("c", _m.c.conversation_id),
                    ("s", _m.c.sender_id),
                    ("k", _m.c.client_id),
                )
            )
        )
    )


class CoreStore:
    """The batch's statements through SQLAlchemy Core, on any backend."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def conversations(self, ids: list[int]) -> list[ConversationRow]:
        return [ConversationRow(*r) for r in self.conn.execute(_LOCK, {"ids": ids})]

    def blocks(self, people: list[int]) -> list[tuple[int, int]]:
        return [(a, b) for a, b in self.conn.execute(_BLOCKS, {"people": people})]

    def stored(self, keys: list[Key]) -> list[StoredRow]:
        rows = self.conn.execute(_stored_select(len(keys)), _key_params(keys))
        return [StoredRow(*r) for r in rows]

    def number(self, last_seq: dict[int, int], now: datetime) -> None:
        self.conn.execute(
            _NUMBER, [{"cid": cid, "top": top, "now": now} for cid, top in last_seq.items()]
        )

    def insert(self, rows: list[NewRow], now: datetime) -> dict[tuple[int, int], int]:
        params = [{**row._asdict(), "created_at": now} for row in rows]
        return {(cid, seq): mid for cid, seq, mid in self.conn.execute(_INSERT, params)}


def sqlite_time(at: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it in SQLite (app.db.UTCDateTime), to the µs."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _from_sqlite_time(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteStore:
    """The same statements as plain SQL on a sqlite3 connection.

    The caller holds SQLite's write lock (BEGIN IMMEDIATE), which is what `conversations`
    locks for on PostgreSQL; it also makes max(id) + 1 the next free message id.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def conversations(self, ids: list[int]) -> list[ConversationRow]:
        # Only placeholders are formatted into these statements.
        sql = (
            "SELECT id, user_low_id, user_high_id, status, last_seq FROM conversations "  # noqa: S608
            f"WHERE id IN ({_marks(len(ids))}) ORDER BY id"
        )
        return [ConversationRow(*r) for r in self.conn.execute(sql, ids)]

    def blocks(self, people: list[int]) -> list[tuple[int, int]]:
        sql = (
            "SELECT blocker_id, blocked_id FROM blocks "  # noqa: S608
            f"WHERE blocker_id IN ({_marks(len(people))})"
        )
        return [(a, b) for a, b in self.conn.execute(sql, people)]

    def stored(self, keys: list[Key]) -> list[StoredRow]:
        sql = (
            "SELECT id, conversation_id, seq, sender_id, client_id, body, created_at "  # noqa: S608
            f"FROM messages WHERE {_key_probes(len(keys))}"
        )
        return [
            StoredRow(mid, cid, seq, sender, client_id, body, _from_sqlite_time(at))
            for mid, cid, seq, sender, client_id, body, at in self.conn.execute(
                sql, _key_params(keys)
            )
        ]

    def number(self, last_seq: dict[int, int], now: datetime) -> None:
        at = sqlite_time(now)
        self.conn.executemany(
            "UPDATE conversations SET last_seq = ?, last_message_at = ? WHERE id = ?",
            [(top, at, cid) for cid, top in last_seq.items()],
        )

    def insert(self, rows: list[NewRow], now: datetime) -> dict[tuple[int, int], int]:
        (top,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()
        at = sqlite_time(now)
        self.conn.executemany(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, client_id, body, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(top + i, *row, at) for i, row in enumerate(rows, 1)],
        )
        return {(row.conversation_id, row.seq): top + i for i, row in enumerate(rows, 1)}
