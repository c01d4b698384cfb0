"""One batch of chat writes in one transaction: sends checked, de-duplicated, numbered and
inserted, and read marks moved forward.

The rules live in `store_batch`, a plain function over a `BatchStore`: the handful of statements
a batch needs. There are two stores. `CoreStore` runs prebuilt SQLAlchemy Core statements on a
Connection (PostgreSQL, through `run_sync`). `SqliteStore` runs the same statements as plain SQL
on the chat writer thread's own sqlite3 connection: per statement SQLAlchemy cost several times
what SQLite itself did, and every call into it is another wait for the interpreter lock while
the event loop is busy, which showed up directly in delivery latency.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
    text,
    update,
)

from app.chat.models import Conversation, Message, Status
from app.chat.service import Event, is_visible, message_dict, message_events
from app.db import Base, utcnow
from app.errors import AppError, Forbidden, NotFound
from app.profiles.models import Profile
from app.realtime.hub import user_channel
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
    key: Key = field(init=False)

    def __post_init__(self) -> None:
        # Looked up several times per batch.
        self.key = (self.conversation_id, self.sender_id, self.client_id)


ReadOutcome = int | AppError


@dataclass(eq=False)
class ReadJob:
    """Move a member's read mark forward to one of the conversation's messages."""

    user_id: int
    handle: str
    conversation_id: int
    message_id: int
    # Called after the commit with the message's seq, or with why the mark could not move.
    reply: Callable[[ReadOutcome], None]


class ConversationRow(NamedTuple):
    id: int
    user_low_id: int
    user_high_id: int
    status: str
    requester_id: int
    last_seq: int
    low_read_seq: int
    high_read_seq: int
    # A block between the two members, either way.
    blocked: bool


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

    def stored(self, keys: list[Key]) -> list[StoredRow]:
        """Messages already stored under any of `keys`."""
        ...

    def number(self, last_seq: dict[int, int], now: datetime) -> None:
        """Move each conversation's last_seq (and last activity) forward."""
        ...

    def insert(self, rows: list[NewRow], now: datetime) -> dict[tuple[int, int], int]:
        """Insert the rows; their ids by (conversation, seq)."""
        ...

    def seqs(self, message_ids: list[int]) -> dict[int, tuple[int, int]]:
        """(conversation, seq) of each of the messages that exists."""
        ...

    def receipts(self, people: list[int]) -> dict[int, bool]:
        """Each member's read-receipts setting."""
        ...

    def set_read(self, marks: list[tuple[int, bool, int]]) -> None:
        """(conversation, low member?, seq): move that member's read mark forward to seq."""
        ...


@dataclass
class Stored:
    """What a batch did: each job with its outcome, in the order given, and the events to
    publish after the commit."""

    sends: list[tuple[SendJob, Outcome]]
    reads: list[tuple[ReadJob, ReadOutcome]]
    events: list[Event]


Convs = dict[int, ConversationRow]


def _member_of(convs: Convs, conversation_id: int, user_id: int) -> ConversationRow | None:
    """The conversation, if the member is in it and no block splits it."""
    r = convs.get(conversation_id)
    if r is None or user_id not in (r.user_low_id, r.user_high_id) or r.blocked:
        return None
    return r


def store_batch(store: BatchStore, sends: list[SendJob], reads: list[ReadJob]) -> Stored:
    """Store a batch of sends and read marks; the caller commits."""
    ids = {j.conversation_id for j in sends} | {j.conversation_id for j in reads}
    convs = {r.id: r for r in store.conversations(sorted(ids))}
    sent, events = _store_sends(store, convs, sends)
    read, read_events = _move_read_marks(store, convs, reads)
    return Stored(sent, read, events + read_events)


def _store_sends(
    store: BatchStore, convs: Convs, sends: list[SendJob]
) -> tuple[list[tuple[SendJob, Outcome]], list[Event]]:
    """Validate, de-duplicate, number and insert the sends."""
    now = utcnow()
    first: dict[Key, SendJob] = {}
    for job in sends:
        first.setdefault(job.key, job)
    result: dict[Key, Outcome] = {}
    valid: list[SendJob] = []
    for job in first.values():
        r = _member_of(convs, job.conversation_id, job.sender_id)
        if r is None:
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


def _move_read_marks(
    store: BatchStore, convs: Convs, reads: list[ReadJob]
) -> tuple[list[tuple[ReadJob, ReadOutcome]], list[Event]]:
    """Move each member's read mark forward, never back; one event per mark that moved."""
    outcome: dict[int, ReadOutcome] = {}
    seqs = store.seqs(sorted({j.message_id for j in reads})) if reads else {}
    # The furthest read per (conversation, member) in this batch, and the job that asked.
    furthest: dict[tuple[int, int], tuple[int, ReadJob]] = {}
    for job in reads:
        r = _member_of(convs, job.conversation_id, job.user_id)
        if r is None or not is_visible(r.status, r.requester_id, job.user_id):
            outcome[id(job)] = NotFound("conversation_not_found")
            continue
        found = seqs.get(job.message_id)
        if found is None or found[0] != job.conversation_id:
            outcome[id(job)] = NotFound("message_not_found")
            continue
        seq = found[1]
        outcome[id(job)] = seq
        key = (job.conversation_id, job.user_id)
        if key not in furthest or seq > furthest[key][0]:
            furthest[key] = (seq, job)
    moved: list[tuple[ConversationRow, int, ReadJob]] = []
    for (cid, user_id), (seq, job) in furthest.items():
        r = convs[cid]
        # The rows are locked, so these marks are the latest.
        if seq > (r.low_read_seq if user_id == r.user_low_id else r.high_read_seq):
            moved.append((r, seq, job))
    events: list[Event] = []
    if moved:
        store.set_read([(r.id, job.user_id == r.user_low_id, seq) for r, seq, job in moved])
        people = sorted(
            {
                u
                for r, _, _ in moved
                if r.status == Status.accepted.value
                for u in (r.user_low_id, r.user_high_id)
            }
        )
        consent = store.receipts(people) if people else {}
        for r, seq, job in moved:
            event = {
                "type": "read",
                "conversation_id": r.id,
                "seq": seq,
                "message_id": job.message_id,
                "handle": job.handle,
            }
            # The member's own tabs always learn it (their unread counts); the peer only when
            # both members allow read receipts.
            events.append((user_channel(job.user_id), event))
            peer = r.user_high_id if job.user_id == r.user_low_id else r.user_low_id
            if r.status == Status.accepted.value and consent.get(job.user_id) and consent.get(peer):
                events.append((user_channel(peer), event))
    return [(job, outcome[id(job)]) for job in reads], events


_c = Base.metadata.tables[Conversation.__tablename__]
_m = Base.metadata.tables[Message.__tablename__]
_b = Base.metadata.tables[Block.__tablename__]
_p = Base.metadata.tables[Profile.__tablename__]
# Built once: a batch runs these with different parameters, so none is rebuilt or recompiled.
# Locked in id order, the same order on every worker, so two batches never deadlock; holding
# the locks also makes the reads below see every earlier commit. Whether a block splits the
# pair comes with each row: two probes of the blocks' primary key, no round trip of its own.
_LOCK = (
    select(
        _c.c.id,
        _c.c.user_low_id,
        _c.c.user_high_id,
        _c.c.status,
        _c.c.requester_id,
        _c.c.last_seq,
        _c.c.low_read_seq,
        _c.c.high_read_seq,
        exists()
        .where(
            or_(
                and_(_b.c.blocker_id == _c.c.user_low_id, _b.c.blocked_id == _c.c.user_high_id),
                and_(_b.c.blocker_id == _c.c.user_high_id, _b.c.blocked_id == _c.c.user_low_id),
            )
        )
        .label("blocked"),
    )
    .where(_c.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_c.c.id)
    .with_for_update()
)
_NUMBER = (
    update(_c)
    .where(_c.c.id == bindparam("cid"))
    .values(last_seq=bindparam("top"), last_message_at=bindparam("now"))
)
# One multi-row INSERT ... RETURNING per batch; rows may come back in any order.
_INSERT = insert(_m).returning(_m.c.conversation_id, _m.c.seq, _m.c.id)
_SEQS = select(_m.c.id, _m.c.conversation_id, _m.c.seq).where(
    _m.c.id.in_(bindparam("ids", expanding=True))
)
_RECEIPTS = select(_p.c.user_id, _p.c.read_receipts).where(
    _p.c.user_id.in_(bindparam("people", expanding=True))
)
# Conditional as well, though the locked rows were read just before: a mark never moves back.
_SET_READ = {
    low: update(_c)
    .where(_c.c.id == bindparam("cid"), column < bindparam("seq"))
    .values({column: bindparam("seq")})
    for low, column in ((True, _c.c.low_read_seq), (False, _c.c.high_read_seq))
}


@functools.lru_cache(maxsize=MAX_BATCH)
def _key_probes(n: int) -> str:
    """n (conversation, sender, client_id) keys ORed: one index probe per key on both
    databases, where IN lists per column would be a cross product. Built once per size, as
    the SQLite store asks for it with every batch."""
    return " OR ".join(
        f"(conversation_id = :c{i} AND sender_id = :s{i} AND client_id = :k{i})" for i in range(n)
    )


@functools.lru_cache(maxsize=MAX_BATCH)
def _positional_key_probes(n: int) -> str:
    """`_key_probes` with ? placeholders: sqlite3 binds those from a flat list, cheaper than
    looking up 3n names."""
    return " OR ".join(["(conversation_id = ? AND sender_id = ? AND client_id = ?)"] * n)


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


def _conversation_row(r: Sequence[Any]) -> ConversationRow:
    # SQLite answers EXISTS with 0 or 1.
    return ConversationRow._make((*r[:8], bool(r[8])))


class CoreStore:
    """The batch's statements through SQLAlchemy Core, on any backend."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def conversations(self, ids: list[int]) -> list[ConversationRow]:
        return [_conversation_row(r) for r in self.conn.execute(_LOCK, {"ids": ids})]

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

    def seqs(self, message_ids: list[int]) -> dict[int, tuple[int, int]]:
        return {mid: (cid, seq) for mid, cid, seq in self.conn.execute(_SEQS, {"ids": message_ids})}

    def receipts(self, people: list[int]) -> dict[int, bool]:
        return {uid: bool(on) for uid, on in self.conn.execute(_RECEIPTS, {"people": people})}

    def set_read(self, marks: list[tuple[int, bool, int]]) -> None:
        for low in (True, False):
            params = [{"cid": cid, "seq": seq} for cid, is_low, seq in marks if is_low is low]
            if params:
                self.conn.execute(_SET_READ[low], params)


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
            "SELECT c.id, c.user_low_id, c.user_high_id, c.status, c.requester_id, "  # noqa: S608
            "c.last_seq, c.low_read_seq, c.high_read_seq, EXISTS (SELECT 1 FROM blocks b WHERE "
            "(b.blocker_id = c.user_low_id AND b.blocked_id = c.user_high_id) OR "
            "(b.blocker_id = c.user_high_id AND b.blocked_id = c.user_low_id)) "
            f"FROM conversations c WHERE c.id IN ({_marks(len(ids))}) ORDER BY c.id"
        )
        return [_conversation_row(r) for r in self.conn.execute(sql, ids)]

    def stored(self, keys: list[Key]) -> list[StoredRow]:
        sql = (
            "SELECT id, conversation_id, seq, sender_id, client_id, body, created_at "  # noqa: S608
            f"FROM messages WHERE {_positional_key_probes(len(keys))}"
        )
        return [
            StoredRow(mid, cid, seq, sender, client_id, body, _from_sqlite_time(at))
            for mid, cid, seq, sender, client_id, body, at in self.conn.execute(
                sql, [part for key in keys for part in key]
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

    def seqs(self, message_ids: list[int]) -> dict[int, tuple[int, int]]:
        marks = _marks(len(message_ids))
        sql = f"SELECT id, conversation_id, seq FROM messages WHERE id IN ({marks})"  # noqa: S608
        return {mid: (cid, seq) for mid, cid, seq in self.conn.execute(sql, message_ids)}

    def receipts(self, people: list[int]) -> dict[int, bool]:
        sql = (
            f"SELECT user_id, read_receipts FROM profiles WHERE user_id IN ({_marks(len(people))})"  # noqa: S608
        )
        return {uid: bool(on) for uid, on in self.conn.execute(sql, people)}

    def set_read(self, marks: list[tuple[int, bool, int]]) -> None:
        for low, column in ((True, "low_read_seq"), (False, "high_read_seq")):
            params = [(seq, cid, seq) for cid, is_low, seq in marks if is_low is low]
            if params:
                # Only a fixed column name is formatted in.
                self.conn.executemany(
                    f"UPDATE conversations SET {column} = ? WHERE id = ? AND {column} < ?",  # noqa: S608
                    params,
                )
