"""The rules of one batch of sends, against an in-memory store: no database needed."""

from __future__ import annotations

from datetime import UTC, datetime

from app.chat.batch import (
    ConversationRow,
    Key,
    NewRow,
    Outcome,
    SendJob,
    Sent,
    StoredRow,
    store_sends,
)
from app.errors import AppError

AT = datetime(2026, 1, 1, tzinfo=UTC)


class FakeStore:
    """Conversations 1 (members 10 and 11, accepted), 2 (12 and 13, pending), 3 (10 and 14,
    accepted, but 14 blocked 10); message 500 is already stored as (1, 10, "old")."""

    def __init__(self) -> None:
        self.convs = {
            1: ConversationRow(1, 10, 11, "accepted", 4),
            2: ConversationRow(2, 12, 13, "pending", 1),
            3: ConversationRow(3, 10, 14, "accepted", 0),
        }
        self.block_rows = [(14, 10)]
        self.rows = [StoredRow(500, 1, 4, 10, "old", "hei", AT)]
        self.numbered: dict[int, int] = {}

    def conversations(self, ids: list[int]) -> list[ConversationRow]:
        return [self.convs[i] for i in ids if i in self.convs]

    def blocks(self, people: list[int]) -> list[tuple[int, int]]:
        return [b for b in self.block_rows if b[0] in people]

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


def _job(conv: int, sender: int, client_id: str, got: list[Outcome]) -> SendJob:
    return SendJob(sender, f"m{sender}", conv, client_id, f"tekst {client_id}", got.append)


def _code(outcome: Outcome) -> str:
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
    assert len(store.rows) == 2


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
    assert events == [] and len(store.rows) == 1
