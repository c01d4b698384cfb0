"""The batching writer: many sends, one commit; one bad write does not sink its batch."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.chat import writer as writer_module
from app.chat.batch import Outcome, SendJob, Sent
from app.chat.writer import MessageWriter
from app.db import Database
from app.errors import AppError
from tests.chat.conftest import history, open_conversation
from tests.factories import Member


class Replies:
    """Collects the writer's answers; `all_in` waits for the expected number."""

    def __init__(self, expected: int) -> None:
        self.items: list[Outcome] = []
        self.expected = expected
        self._done = asyncio.Event()

    def __call__(self, outcome: Outcome) -> None:
        self.items.append(outcome)
        if len(self.items) >= self.expected:
            self._done.set()

    async def all_in(self) -> list[Outcome]:
        await asyncio.wait_for(self._done.wait(), 10)
        return self.items


def _job(target: tuple[int, int, str], client_id: str, results: Replies) -> SendJob:
    user_id, conversation_id, handle = target
    return SendJob(
        sender_id=user_id,
        sender_handle=handle,
        conversation_id=conversation_id,
        client_id=client_id,
        body=f"besked {client_id}",
        reply=results,
    )


@pytest.fixture
async def target(
    app: FastAPI, client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> tuple[int, int, str]:
    """(a's id, an accepted conversation with b, a's handle): what a socket would submit."""
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    async with app.state.db.sessions() as s:
        user_id = await s.scalar(select(User.id).where(User.handle == a.handle))
    assert user_id is not None
    return user_id, conversation_id, a.handle


async def test_sends_queued_together_are_committed_together(
    app: FastAPI,
    target: tuple[int, int, str],
) -> None:
    writer: MessageWriter = app.state.chat.writer
    commits = writer.commits
    replies = Replies(40)
    for i in range(40):
        writer.send(_job(target, f"g{i}", replies))
    results = await replies.all_in()
    assert all(isinstance(r, Sent) for r in results)
    assert [r.message["seq"] for r in results if isinstance(r, Sent)] == list(range(2, 42))
    assert writer.commits == commits + 1


async def test_one_failing_write_does_not_fail_its_batch(
    app: FastAPI,
    client: httpx.AsyncClient,
    pair: tuple[Member, Member],
    target: tuple[int, int, str],
) -> None:
    _, b = pair
    writer: MessageWriter = app.state.chat.writer

    async def broken(_session: AsyncSession) -> tuple[None, list[Any]]:
        raise RuntimeError("a bug, not a member's mistake")

    replies = Replies(2)
    writer.send(_job(target, "before", replies))
    failing = asyncio.ensure_future(writer.run(broken))
    writer.send(_job(target, "after", replies))
    results = await replies.all_in()
    assert all(isinstance(r, Sent) for r in results)
    try:
        await failing
    except AppError as exc:
        assert exc.code == "chat_send_failed"
    else:
        raise AssertionError("the broken write reported success")
    bodies = [m["body"] for m in (await history(client, b, target[1])).json()["messages"]]
    assert bodies[-2:] == ["besked before", "besked after"]


async def test_the_next_batch_is_committed_while_the_last_is_answered(
    app: FastAPI,
    target: tuple[int, int, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer: MessageWriter = app.state.chat.writer
    hub = app.state.hub
    publish_many = hub.publish_many
    release = asyncio.Event()
    held = asyncio.Event()

    async def slow_publish(events: list[Any]) -> None:
        if not held.is_set():
            held.set()
            await release.wait()
        await publish_many(events)

    monkeypatch.setattr(hub, "publish_many", slow_publish)
    commits = writer.commits
    first, second = Replies(1), Replies(1)
    writer.send(_job(target, "first", first))
    await asyncio.wait_for(held.wait(), 10)
    writer.send(_job(target, "second", second))
    for _ in range(200):
        if writer.commits == commits + 2:
            break
        await asyncio.sleep(0.01)
    # Committed while the first batch's answers were held up, but answered only after them.
    assert writer.commits == commits + 2
    assert first.items and not second.items
    release.set()
    (outcome,) = await second.all_in()
    assert isinstance(outcome, Sent) and outcome.message["seq"] == 3


async def test_a_batch_that_fails_after_its_inserts_leaves_nothing_behind(
    app: FastAPI,
    client: httpx.AsyncClient,
    pair: tuple[Member, Member],
    target: tuple[int, int, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, b = pair
    writer: MessageWriter = app.state.chat.writer
    real = writer_module.store_batch
    failures = []

    def fails_once_at_the_end(store: Any, sends: list[SendJob], reads: list[Any]) -> Any:
        result = real(store, sends, reads)
        if len(sends) > 1 and not failures:
            failures.append(len(sends))
            raise RuntimeError("after the inserts, before the commit")
        return result

    monkeypatch.setattr(writer_module, "store_batch", fails_once_at_the_end)
    replies = Replies(5)
    for i in range(5):
        writer.send(_job(target, f"r{i}", replies))
    results = await replies.all_in()
    assert failures and all(isinstance(r, Sent) and not r.duplicate for r in results)
    messages = (await history(client, b, target[1])).json()["messages"]
    assert [m["body"] for m in messages][-5:] == [f"besked r{i}" for i in range(5)]
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))


@contextlib.asynccontextmanager
async def _lock_held_elsewhere(
    app: FastAPI, backend: str, conversation_id: int
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """SQLite's write lock, or the conversation's row on PostgreSQL, held by another
    connection until the yielded function releases it."""
    if backend == "sqlite":
        other = sqlite3.connect(app.state.db.sync_engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")

        async def release_sqlite() -> None:
            other.execute("COMMIT")

        try:
            yield release_sqlite
        finally:
            other.close()
        return
    async with app.state.db.engine.connect() as conn:
        await conn.begin()
        await conn.execute(
            text("SELECT id FROM conversations WHERE id = :id FOR UPDATE"), {"id": conversation_id}
        )
        yield conn.commit


async def test_a_batch_waits_for_a_lock_held_elsewhere_without_holding_up_the_loop(
    app: FastAPI, target: tuple[int, int, str], backend: str
) -> None:
    writer: MessageWriter = app.state.chat.writer
    async with _lock_held_elsewhere(app, backend, target[1]) as release:
        replies = Replies(1)
        writer.send(_job(target, "waits", replies))
        started = time.monotonic()
        for _ in range(20):
            await asyncio.sleep(0.01)
        # The loop went on turning while the batch waited.
        assert time.monotonic() - started < 1 and replies.items == []
        await release()
        (outcome,) = await replies.all_in()
    assert isinstance(outcome, Sent) and outcome.message["seq"] == 2


async def test_a_batch_with_the_lock_free_stays_on_the_loop_and_its_connection(
    app: FastAPI, target: tuple[int, int, str], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each hop to a thread and back cost a small batch about a quarter of a millisecond.
    writer: MessageWriter = app.state.chat.writer
    hops: list[Any] = []
    if backend == "sqlite":
        assert writer._thread is not None
        submit = writer._thread.submit

        def recorded(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            hops.append(fn)
            return submit(fn, *args, **kwargs)

        monkeypatch.setattr(writer._thread, "submit", recorded)
    connections = []
    for i in range(3):
        replies = Replies(1)
        writer.send(_job(target, f"loop{i}", replies))
        (outcome,) = await replies.all_in()
        assert isinstance(outcome, Sent) and outcome.message["seq"] == i + 2
        connections.append(writer._core._conn)
    assert hops == []
    if backend == "postgresql":
        assert connections[0] is not None and connections == [connections[0]] * 3


async def test_actions_committed_before_their_batch_failed_are_not_run_again(
    app: FastAPI,
    target: tuple[int, int, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer: MessageWriter = app.state.chat.writer
    real = writer_module.store_batch
    runs: list[int] = []

    async def action(_session: AsyncSession) -> tuple[int, list[Any]]:
        runs.append(1)
        return len(runs), []

    def fails_once(store: Any, sends: list[SendJob], reads: list[Any]) -> Any:
        monkeypatch.setattr(writer_module, "store_batch", real)
        raise RuntimeError("the sends' transaction fails once")

    monkeypatch.setattr(writer_module, "store_batch", fails_once)
    replies = Replies(2)
    done = asyncio.ensure_future(writer.run(action))
    writer.send(_job(target, "x1", replies))
    writer.send(_job(target, "x2", replies))
    assert all(isinstance(r, Sent) for r in await replies.all_in())
    assert await done == 1 and runs == [1]


class HungHub:
    """A broker that never finishes publishing."""

    def __init__(self) -> None:
        self.calls = 0

    async def publish_many(self, events: list[Any]) -> None:
        self.calls += 1
        await asyncio.Event().wait()


async def test_a_stop_cut_short_still_answers_what_was_committed(
    app: FastAPI, target: tuple[int, int, str]
) -> None:
    hub = HungHub()
    # A writer of its own, on connections of its own: the app's writer keeps its connection.
    db = Database(app.state.settings)
    writer = MessageWriter(db, cast(Any, hub))
    await writer.start()
    try:
        first, rest = Replies(1), Replies(2)
        writer.send(_job(target, "h1", first))
        await first.all_in()
        writer.send(_job(target, "h2", rest))
        writer.send(_job(target, "h3", rest))
        for _ in range(200):
            if writer.commits == 2:
                break
            await asyncio.sleep(0.01)
        await writer.stop(grace_seconds=0.2)
    finally:
        await db.dispose()
    # The broker hung on the first batch's notices; the others' senders still got answers.
    assert hub.calls == 1 and all(isinstance(r, Sent) for r in await rest.all_in())
