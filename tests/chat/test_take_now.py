"""A chat socket takes a well-formed send as it arrives only while its read loop waits for a
frame; anything else is left to the loop, so frames are still handled in order."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import orjson

from app.chat.batch import SendJob
from app.chat.ws import MAX_FRAME_BYTES, ChatSocket
from tests.chat.conftest import fake_chat_socket, queued


class Writer:
    def __init__(self) -> None:
        self.jobs: list[SendJob] = []

    def send(self, job: SendJob) -> None:
        self.jobs.append(job)


def _socket(*, budget: bool = True) -> tuple[ChatSocket, Writer]:
    socket = fake_chat_socket()
    writer = Writer()
    socket.runtime = cast(
        Any,
        SimpleNamespace(
            writer=writer, send_budget=SimpleNamespace(enabled=True, take=lambda _: budget)
        ),
    )
    socket.waiting = True
    return socket, writer


def _send(**fields: Any) -> str:
    frame = {"type": "send", "conversation_id": 3, "client_id": "c-1", "body": "Hej", **fields}
    return orjson.dumps(frame).decode()


def test_a_send_is_taken_while_the_loop_waits() -> None:
    socket, writer = _socket()
    assert socket._take_now(_send())
    (job,) = writer.jobs
    assert (job.sender_id, job.conversation_id, job.client_id, job.body) == (7, 3, "c-1", "Hej")
    # The first frame but resume asks for live messages from now on.
    assert queued(socket) == [("start", None)]


def test_anything_but_a_well_formed_send_is_left_to_the_loop() -> None:
    socket, writer = _socket()
    for text in (
        orjson.dumps({"type": "resume", "after": {}}).decode(),
        orjson.dumps({"type": "typing", "conversation_id": 3}).decode(),
        "not json",
        "[1, 2]",
        _send(body="x" * (MAX_FRAME_BYTES + 1)),
    ):
        assert not socket._take_now(text), text[:40]
    assert writer.jobs == [] and queued(socket) == []


def test_nothing_is_taken_while_the_loop_is_busy_or_the_socket_closed() -> None:
    busy, writer = _socket()
    busy.waiting = False
    closed, closed_writer = _socket()
    closed.closed = True
    assert not busy._take_now(_send()) and not closed._take_now(_send())
    assert writer.jobs == [] and closed_writer.jobs == []


def test_a_taken_send_that_breaks_a_rule_is_answered_with_an_error() -> None:
    socket, writer = _socket()
    assert socket._take_now(_send(body=""))
    limited, limited_writer = _socket(budget=False)
    assert limited._take_now(_send(client_id="c-2"))
    assert writer.jobs == [] and limited_writer.jobs == []
    errors = [p for kind, p in queued(socket) + queued(limited) if kind == "frame"]
    assert [(e["code"], e["client_id"]) for e in errors] == [
        ("invalid_input", "c-1"),
        ("rate_limited", "c-2"),
    ]
