"""The rules of one batch of sends and read marks, against an in-memory store: no database
needed."""

from __future__ import annotations

from datetime import UTC, datetime

from app.chat.batch import (
    ConversationRow,
    Key,
    NewRow,
    Outcome,
    ReadJob,
    ReadOutcome,
    SendJob,
    Sent,
    Stored,
    StoredRow,
    store_batch,
)
from app.errors import AppError

AT = datetime(2026, 1, 1, tzinfo=UTC)


class FakeStore:
    """Conversations 1 (members 10 and 11, accepted; 11 has read up to seq 2), 2 (12 and 13,
    pending, asked by 12), 3 (10 and 14, accepted, but 14 blocked 10), 4 (10 and 15, declined:
    15 declined 10's request); message 500 is already stored as (1, 10, "old") with seq 4, and
    message 400 is seq 1 of conversation 2. Member 11 has read receipts off."""

    def __init__(self) -> None:
        self.convs = {
            1: ConversationRow(1, 10, 11, "accepted", 10, 4, 0, 2, blocked=False),
            2: ConversationRow(2, 12, 13, "pending", 12, 1, 0, 0, blocked=False),
            3: ConversationRow(3, 10, 14, "accepted", 10, 0, 0, 0, blocked=True),
            4: ConversationRow(4, 10, 15, "declined", 10, 1, 0, 0, blocked=False),
        }
        self.rows = [
            StoredRow(400, 2, 1, 12, "first", "hej", AT),
            StoredRow(500, 1, 4, 10, "old", "hei", AT),
        ]
        self.numbered: dict[int, int] = {}
        self.marks: list[tuple[int, bool, int]] = []
        self.receipts_on = {10: True, 11: False, 12: True, 13: True}

    def conversations(self, ids: list[int]) -> list[ConversationRow]:
        return [self.convs[i] for i in ids if i in self.convs]

    def stored(self, keys: list[Key]) -> list[StoredRow]:
        return [r for r in self.rows if (r.conversation_id, r.sender_id, r.client_id) in keys]

    def number(self, last_seq: dict[int, int], now: datetime) -> None:
        self.numbered.update(last_seq)

    def insert(self, rows: list[NewRow], now: datetime) -> dict[tuple[int, int], int]:
        ids = {}
        for row in rows:
            mid = 500 + len(self.rows) + 1
            self.rows.append(StoredRow(mid, *row[:5], now))
            ids[(row.conversation_id, row.seq)] = mid
        return ids

    def seqs(self, message_ids: list[int]) -> dict[int, tuple[int, int]]:
        return {r.id: (r.conversation_id, r.seq) for r in self.rows if r.id in message_ids}

    def receipts(self, people: list[int]) -> dict[int, bool]:
        return {u: on for u, on in self.receipts_on.items() if u in people}

    def set_read(self, marks: list[tuple[int, bool, int]]) -> None:
        self.marks += marks


def store_sends(
    store: FakeStore, sends: list[SendJob]
) -> tuple[list[tuple[SendJob, Outcome]], list[tuple[str, dict[str, object]]]]:
    stored = store_batch(store, sends, [])
    return stored.sends, stored.events


def _read(conv: int, user: int, message_id: int, got: list[ReadOutcome]) -> ReadJob:
    return ReadJob(user, f"m{user}", conv, message_id, got.append)


def _job(conv: int, sender: int, client_id: str, got: list[Outcome]) -> SendJob:
    return SendJob(sender, f"m{sender}", conv, client_id, f"tekst {client_id}", got.append)


def _code(outcome: object) -> str:
    assert isinstance(outcome, AppError)
    return outcome.code


def test_new_messages_are_numbered_in_order_per_conversation() -> None:
    store, got = FakeStore(), []
    jobs = [_job(1, 10, "a", got), _job(1, 11, "b", got), _job(1, 10, "c", got)]
    outcomes, events = store_sends(store, jobs)
    seqs = [o.message["seq"] for _, o in outcomes if isinstance(o, Sent)]
    assert seqs == [5, 6, 7]
    assert store.numbered == {1: 7}
    # Each message goes to both members' channels.
    assert [channel for channel, _ in events] == ["user:10", "user:11"] * 3


def test_a_retry_gets_the_stored_message_back_and_nothing_new_is_stored() -> None:
    store, got = FakeStore(), []
    outcomes, events = store_sends(store, [_job(1, 10, "old", got)])
    ((_, outcome),) = outcomes
    assert isinstance(outcome, Sent) and outcome.duplicate
    assert outcome.message["id"] == 500 and outcome.message["body"] == "hei"
    assert events == [] and store.numbered == {}


def test_the_same_send_twice_in_one_batch_is_stored_once() -> None:
    store, got = FakeStore(), []
    outcomes, _ = store_sends(store, [_job(1, 10, "x", got), _job(1, 10, "x", got)])
    first, second = (o for _, o in outcomes)
    assert isinstance(first, Sent) and isinstance(second, Sent)
    assert not first.duplicate and second.duplicate
    assert first.message == second.message
    assert len(store.rows) == 3


def test_outsiders_blocked_pairs_and_pending_requests_are_refused() -> None:
    store, got = FakeStore(), []
    jobs = [
        _job(1, 12, "outsider", got),
        _job(3, 10, "blocked", got),
        _job(2, 12, "pending", got),
        _job(9, 10, "missing", got),
    ]
    outcomes, events = store_sends(store, jobs)
    assert [_code(o) for _, o in outcomes] == [
        "conversation_not_found",
        "conversation_not_found",
        "request_pending",
        "conversation_not_found",
    ]
    assert events == [] and len(store.rows) == 2


def _reads(store: FakeStore, jobs: list[ReadJob]) -> Stored:
    return store_batch(store, [], jobs)


def test_a_read_mark_moves_forward_once_per_member_and_never_back() -> None:
    store, got = FakeStore(), []
    # 11 reads message 500 (seq 4), twice in one batch; 10 reads it too.
    stored = _reads(store, [_read(1, 11, 500, got), _read(1, 11, 500, got), _read(1, 10, 500, got)])
    assert [o for _, o in stored.reads] == [4, 4, 4]
    assert sorted(store.marks) == [(1, False, 4), (1, True, 4)]
    # One event per member whose mark moved, to their own tabs only: 11 has receipts off.
    assert [(channel, e["handle"], e["seq"]) for channel, e in stored.events] == [
        ("user:11", "m11", 4),
        ("user:10", "m10", 4),
    ]
    # A mark at or behind where the member already is moves nothing and tells no one.
    store.marks.clear()
    store.convs[1] = store.convs[1]._replace(high_read_seq=4)
    stored = _reads(store, [_read(1, 11, 500, got)])
    assert [o for _, o in stored.reads] == [4]
    assert store.marks == [] and stored.events == []


def test_read_receipts_reach_the_peer_only_when_both_allow_them() -> None:
    store, got = FakeStore(), []
    store.receipts_on[11] = True
    stored = _reads(store, [_read(1, 11, 500, got)])
    assert [channel for channel, _ in stored.events] == ["user:11", "user:10"]
    # A pending request: the member's own tabs learn it, the requester does not.
    stored = _reads(store, [_read(2, 13, 400, got)])
    assert [channel for channel, _ in stored.events] == ["user:13"]


def test_reads_outside_ones_conversations_are_refused_alike() -> None:
    store, got = FakeStore(), []
    jobs = [
        _read(1, 12, 500, got),  # not a member of it
        _read(3, 10, 500, got),  # a block splits the pair
        _read(4, 15, 500, got),  # a request this member declined
        _read(9, 10, 500, got),  # no such conversation
        _read(1, 10, 400, got),  # a message of another conversation
        _read(1, 10, 999, got),  # no such message
    ]
    stored = _reads(store, jobs)
    assert [_code(o) for _, o in stored.reads] == [
        "conversation_not_found",
        "conversation_not_found",
        "conversation_not_found",
        "conversation_not_found",
        "message_not_found",
        "message_not_found",
    ]
    assert store.marks == [] and stored.events == []


def test_sends_and_reads_share_one_batch() -> None:
    store, sent, read = FakeStore(), [], []
    stored = store_batch(store, [_job(1, 10, "ny", sent)], [_read(1, 11, 500, read)])
    ((_, outcome),) = stored.sends
    assert isinstance(outcome, Sent) and outcome.message["seq"] == 5
    assert [o for _, o in stored.reads] == [4]
    assert [e["type"] for _, e in stored.events] == ["message", "message", "read"]
