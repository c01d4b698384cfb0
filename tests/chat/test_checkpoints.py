"""The chat writer's WAL checkpoints (SQLite only: PostgreSQL has no WAL file of ours)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.chat import writer as writer_module
from app.chat.writer import _Checkpointer

# The threshold, made small: the tests are of what happens past it, not of its size.
RESTART_FRAMES = 1000


@pytest.fixture(autouse=True)
def _small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "RESTART_FRAMES", RESTART_FRAMES)


def _connect(path: Path) -> sqlite3.Connection:
    # As the writer's connection: WAL, no checkpoints of its own. The disk flush is left out;
    # what is tested is where the log starts over, not durability.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def _long_log(path: Path) -> sqlite3.Connection:
    """A database whose WAL holds more than RESTART_FRAMES frames; its writing connection."""
    writer = _connect(path)
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    for _ in range(RESTART_FRAMES + 100):
        writer.execute("INSERT INTO t (body) VALUES ('x')")
    return writer


def _frames_after_one_more_write(path: Path, writer: sqlite3.Connection) -> int:
    """Frames in the WAL after the next commit: few if that commit started the log over."""
    writer.execute("INSERT INTO t (body) VALUES ('y')")
    probe = sqlite3.connect(path, isolation_level=None)
    try:
        frames: int = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    finally:
        probe.close()
    return frames


def test_under_steady_writes_a_long_log_starts_over_after_the_checkpoint(tmp_path: Path) -> None:
    # A PASSIVE checkpoint alone never catches up with a writer that commits while it copies,
    # and SQLite starts the log over only once every frame is copied: the WAL grew for as
    # long as chat was busy.
    path = tmp_path / "chat.db"
    writer = _long_log(path)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            writer.execute("INSERT INTO t (body) VALUES ('z')")
            time.sleep(0.001)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    checkpointer = _Checkpointer(str(path))
    try:
        checkpointer.run()
    finally:
        stop.set()
        thread.join()
        checkpointer.close()
    assert _frames_after_one_more_write(path, writer) < RESTART_FRAMES // 2
    writer.close()


def test_a_reader_on_the_log_is_not_waited_for_and_the_next_round_restarts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chat.db"
    writer = _long_log(path)
    reader = _connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()
    # Frames the reader's snapshot does not see, so the checkpoint cannot copy all of them.
    writer.execute("INSERT INTO t (body) VALUES ('after the snapshot')")
    checkpointer = _Checkpointer(str(path))
    try:
        checkpointer.run()
        # The write lock is free again at once: the writer's next BEGIN does not wait.
        writer.execute("PRAGMA busy_timeout=0")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("COMMIT")
        writer.execute("PRAGMA busy_timeout=5000")
        assert _frames_after_one_more_write(path, writer) > RESTART_FRAMES
        reader.execute("COMMIT")
        checkpointer.run()
    finally:
        checkpointer.close()
    assert _frames_after_one_more_write(path, writer) < RESTART_FRAMES // 2
    writer.close()
    reader.close()


def test_a_short_log_is_copied_without_taking_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "chat.db"
    writer = _connect(path)
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    writer.execute("INSERT INTO t (body) VALUES ('x')")
    writer.execute("BEGIN IMMEDIATE")
    checkpointer = _Checkpointer(str(path))
    try:
        # Held by the writer, the lock would make a RESTART report busy and wait to try again.
        waits: list[float] = []
        monkeypatch.setattr(writer_module, "time", SimpleNamespace(sleep=waits.append))
        checkpointer.run()
        assert waits == []
    finally:
        writer.execute("COMMIT")
        checkpointer.close()
    writer.close()
