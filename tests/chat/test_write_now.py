"""A chat socket writes a frame at once only in the plain case; anything else waits its turn
in the socket's queue, so frames still leave in order and gaps are still filled."""

from __future__ import annotations

from typing import Any

import orjson

from app.chat.batch import Sent
from app.chat.ws import ChatSocket
from app.errors import NotFound
from app.realtime.websocket_protocol import DIRECT
from tests.chat.conftest import fake_chat_socket, queued


class Wire:
    """What `send_text_now` would have written, and whether the socket has room."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.room = True

    def send(self, text: str) -> bool:
        if not self.room:
            return False
        self.frames.append(orjson.loads(text))
        return True


def _socket(wire: Wire | None, *, started: bool = True) -> ChatSocket:
    socket = fake_chat_socket({DIRECT: {"send": wire.send}} if wire else None)
    socket.started = started
    socket.cursors[3] = 4
    return socket


def _message(seq: int, conversation_id: int = 3) -> dict[str, Any]:
    return {
        "id": 100 + seq,
        "conversation_id": conversation_id,
        "seq": seq,
        "sender": "jonas",
        "body": "Hej",
        "created_at": "2026-12-07T10:00:00Z",
    }


def _event(seq: int) -> str:
    return orjson.dumps({"type": "message", "message": _message(seq)}).decode()


def test_the_next_message_and_an_ack_in_order_go_out_at_once() -> None:
    wire = Wire()
    socket = _socket(wire)
    socket.listener.offer(_event(5))
    socket.listener.offer(("sent", ("c-1", Sent(_message(6), duplicate=False))))
    socket.listener.offer(orjson.dumps({"type": "typing", "conversation_id": 3}).decode())
    assert [f["type"] for f in wire.frames] == ["message", "ack", "typing"]
    assert wire.frames[1]["client_id"] == "c-1" and wire.frames[1]["support"] is None
    assert socket.cursors[3] == 6 and queued(socket) == []


def test_a_message_already_sent_is_dropped() -> None:
    wire = Wire()
    socket = _socket(wire)
    socket.listener.offer(_event(4))
    assert wire.frames == [] and queued(socket) == []


def test_what_needs_the_database_or_a_close_waits_for_the_write_task() -> None:
    wire = Wire()
    socket = _socket(wire)
    waiting: list[Any] = [
        _event(7),  # skips 5 and 6: the gap is read from the database first
        ("sent", ("c-2", Sent(_message(9), duplicate=False))),
        ("sent", ("c-3", NotFound("conversation_not_found"))),
        orjson.dumps({"type": "session_revoked", "sessions": "all"}).decode(),
        ("recheck", None),
    ]
    for item in waiting:
        socket.listener.offer(item)
        assert queued(socket) == [item]
    assert wire.frames == []


def test_once_something_waits_everything_after_it_waits_too() -> None:
    wire = Wire()
    socket = _socket(wire)
    socket.listener.offer(_event(7))
    socket.listener.offer(_event(8))
    assert wire.frames == [] and len(queued(socket)) == 2
    socket.writing = True  # the write task is busy with an item it took
    socket.listener.offer(_event(5))
    assert wire.frames == [] and len(queued(socket)) == 1


def test_nothing_goes_out_at_once_before_the_socket_started_or_without_room() -> None:
    wire = Wire()
    held = _socket(wire, started=False)
    held.listener.offer(_event(5))
    assert wire.frames == [] and len(queued(held)) == 1
    wire.room = False
    full = _socket(wire)
    full.listener.offer(_event(5))
    assert wire.frames == [] and len(queued(full)) == 1 and full.cursors[3] == 4


def test_without_the_servers_offer_every_frame_goes_through_the_write_task() -> None:
    socket = _socket(None)
    socket.listener.offer(_event(5))
    assert len(queued(socket)) == 1
