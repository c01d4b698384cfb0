"""The websocket protocol `python -m app.cli serve` gives uvicorn."""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class ChatWebSocketsProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets protocol, pausing a socket's reads only once its app falls behind.

    uvicorn pauses reading after every message and resumes it at the app's next receive: two
    epoll_ctl calls per message, about an eighth of the event loop's work in a busy chat. Here
    reading pauses once MAX_UNREAD messages wait for the app, which bounds what one socket can
    make the server hold just the same (each message is at most 64 KiB).
    """

    MAX_UNREAD = 8

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
