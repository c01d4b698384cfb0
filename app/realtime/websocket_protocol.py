"""The websocket protocol `python -m app.cli serve` gives uvicorn."""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request

# The scope extension that offers a socket's app `send_text_now`, as {"send": ...}.
SEND_NOW = "samvaer.send_text_now"


class ChatWebSocketsProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets protocol, pausing a socket's reads only once its app falls behind,
    and able to write a text frame without a round through the ASGI `send`.

    uvicorn pauses reading after every message and resumes it at the app's next receive: two
    epoll_ctl calls per message, about an eighth of the event loop's work in a busy chat. Here
    reading pauses once MAX_UNREAD messages wait for the app, which bounds what one socket can
    make the server hold just the same (each message is at most 64 KiB).
    """

    MAX_UNREAD = 8

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if not self.close_sent:
            self.scope["extensions"][SEND_NOW] = {"send": self.send_text_now}

    def send_text_now(self, text: str) -> bool:
        """Write a text frame now, if the socket is open and its buffer below the high-water
        mark; False when not, and nothing was written (the ASGI `send` waits for room).

        A chat message goes out as an ack and as a delivery. Through the ASGI `send` each was
        a coroutine through Starlette and uvicorn, and the chat socket's write task woke for
        it: together about a third of the event loop's work per message.
        """
        if (
            self.close_sent
            or self.disconnected
            or not self.handshake_complete
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        try:
            self.conn.send_text(text.encode())
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True

    def send_receive_event_to_app(self) -> None:
        if self.read_paused or self.queue.qsize() + 1 >= self.MAX_UNREAD:
            super().send_receive_event_to_app()
            return
        # uvicorn pauses unless reading is already paused: let it believe so for this message.
        self.read_paused = True
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = False
