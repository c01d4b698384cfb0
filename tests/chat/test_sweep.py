"""The runtime's sweep: quiet sockets are closed, live ones get their periodic login check."""

from __future__ import annotations

from app.chat.ws import IDLE_TIMEOUT, RECHECK_SECONDS, ChatSocket
from tests.chat.conftest import fake_chat_socket, queued


def _socket() -> ChatSocket:
    return fake_chat_socket()


def test_a_fresh_socket_is_left_alone() -> None:
    socket = _socket()
    socket.sweep(socket.last_frame_at + 1)
    assert queued(socket) == []


def test_the_login_is_rechecked_once_per_interval() -> None:
    socket = _socket()
    start = socket.last_frame_at
    socket.last_frame_at = start + RECHECK_SECONDS  # the member is active
    socket.sweep(start + RECHECK_SECONDS + 1)
    socket.sweep(start + RECHECK_SECONDS + 2)
    assert queued(socket) == [("recheck", None)]


def test_a_socket_quiet_for_too_long_is_closed() -> None:
    socket = _socket()
    socket.sweep(socket.last_frame_at + IDLE_TIMEOUT + 1)
    assert queued(socket) == [("idle", None)]
