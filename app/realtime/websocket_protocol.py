"""The websocket protocol `python -m app.cli serve` gives uvicorn."""

from __future__ import annotations

from collections.abc import Callable

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

# The scope extension that lets a socket's app write and read text frames without a round
# through ASGI: {"send": send_text_now, "listen": listen}.
DIRECT = "samvaer.direct"


class ChatWebSocketsProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets protocol, pausing a socket's reads only once its app falls behind,
    and able to hand a text frame to its app, or write one, directly.

    uvicorn pauses reading after every message and resumes it at the app's next receive: two
    epoll_ctl calls per message, about an eighth of the event loop's work in a busy chat. Here
    reading pauses once MAX_UNREAD messages wait for the app, which bounds what one socket can
    make the server hold just the same (each message is at most 64 KiB).
    """

    MAX_UNREAD = 8
    receiver: Callable[[str], bool] | None = None

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if not self.close_sent:
            self.scope["extensions"][DIRECT] = {"send": self.send_text_now, "listen": self.listen}

    def listen(self, receiver: Callable[[str], bool] | None) -> None:
        """Offer each text message to `receiver` first, while nothing waits in the ASGI queue:
        True means it took the message, False queues it for `receive` as before.

        Through the queue, a chat message cost a wake-up of the app's task, Starlette's and
        uvicorn's `receive` and the queue itself: about a tenth of the event loop's work.
        """
        self.receiver = receiver

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
            or self.conn.state is not State.OPEN
        ):
            return False
        self.transport.write(text_frame(text.encode()))
        return True

    def send_receive_event_to_app(self) -> None:
        if (
            self.receiver is not None
            and self.curr_msg_data_type == "text"
            and not self.close_sent
            and self.queue.empty()
        ):
            data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
            try:
                text = data.decode()
            except UnicodeDecodeError:
                text = None
            if text is not None and self.receiver(text):
                self.frames = []
                return
        if self.read_paused or self.queue.qsize() + 1 >= self.MAX_UNREAD:
            super().send_receive_event_to_app()
            return
        # uvicorn pauses unless reading is already paused: let it believe so for this message.
        self.read_paused = True
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = False


def text_frame(payload: bytes) -> bytes:
    """A final, unmasked text frame (RFC 6455 5.2), as a server sends it.

    Built here rather than through the websockets connection, whose frame objects and
    serializer cost more than the payload's JSON; nothing is ever sent fragmented.
    """
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 1 << 16:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload
