"""The websocket protocol given to uvicorn pauses a socket's reading only once its app lags,
writes a text frame at once only when the socket is open and has room, and hands text to a
listening app only when nothing waits ahead of it."""

from __future__ import annotations

from uvicorn.config import Config
from uvicorn.server import ServerState
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from app.realtime.websocket_protocol import ChatWebSocketsProtocol, text_frame


class FakeTransport:
    def __init__(self) -> None:
        self.paused = False
        self.pauses = 0

    def pause_reading(self) -> None:
        self.paused = True
        self.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False


def _protocol() -> tuple[ChatWebSocketsProtocol, FakeTransport]:
    config = Config(app="app.main:create_app", ws_max_size=64 * 1024)
    protocol = ChatWebSocketsProtocol(config, ServerState(), {})
    transport = FakeTransport()
    protocol.transport = transport  # type: ignore[assignment]
    return protocol, transport


def _arrive(protocol: ChatWebSocketsProtocol, text: str) -> None:
    protocol.curr_msg_data_type = "text"
    protocol.frames = [text.encode()]
    protocol.send_receive_event_to_app()


async def test_reading_goes_on_while_the_app_keeps_up() -> None:
    protocol, transport = _protocol()
    for i in range(50):
        _arrive(protocol, f"frame {i}")
        assert (await protocol.receive())["text"] == f"frame {i}"
    assert transport.pauses == 0 and not transport.paused


async def test_reading_pauses_once_the_app_lags_and_resumes_when_it_caught_up() -> None:
    protocol, transport = _protocol()
    limit = ChatWebSocketsProtocol.MAX_UNREAD
    for i in range(limit - 1):
        _arrive(protocol, f"frame {i}")
        assert not transport.paused
    _arrive(protocol, "one too many")
    assert transport.paused and protocol.queue.qsize() == limit
    # Nothing is lost, and reading resumes once the app has taken everything waiting.
    got = [(await protocol.receive())["text"] for _ in range(limit)]
    assert got == [f"frame {i}" for i in range(limit - 1)] + ["one too many"]
    assert not transport.paused


class WritingTransport(FakeTransport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.closing


def _open_protocol() -> tuple[ChatWebSocketsProtocol, WritingTransport]:
    protocol, _ = _protocol()
    transport = WritingTransport()
    protocol.transport = transport  # type: ignore[assignment]
    protocol.conn.state = State.OPEN
    protocol.handshake_complete = True
    return protocol, transport


def test_a_text_frame_is_written_at_once_on_an_open_socket() -> None:
    protocol, transport = _open_protocol()
    assert protocol.send_text_now("hej")
    # An unmasked final text frame (server to client), three bytes of payload.
    assert transport.written == [b"\x81\x03hej"]


def test_nothing_is_written_at_once_unless_the_socket_is_open_and_has_room() -> None:
    cases = {
        "before the handshake": lambda p, t: setattr(p, "handshake_complete", False),
        "buffer over its high-water mark": lambda p, t: p.pause_writing(),
        "close sent": lambda p, t: setattr(p, "close_sent", True),
        "transport closing": lambda p, t: setattr(t, "closing", True),
        "client gone": lambda p, t: setattr(p, "disconnected", True),
    }
    for name, make in cases.items():
        protocol, transport = _open_protocol()
        make(protocol, transport)
        assert not protocol.send_text_now("hej"), name
        assert transport.written == [], name


def test_frames_are_built_as_the_websockets_library_builds_them() -> None:
    for size in (0, 1, 125, 126, 127, 65535, 65536, 70000):
        payload = ("é" * size).encode()[:size]
        assert text_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False), size


async def test_a_listening_app_takes_text_as_it_arrives_and_declines_into_the_queue() -> None:
    protocol, transport = _protocol()
    taken: list[str] = []
    protocol.listen(lambda text: text.startswith("send") and not taken.append(text))
    _arrive(protocol, "send 1")
    _arrive(protocol, "resume")
    assert taken == ["send 1"] and protocol.queue.qsize() == 1
    # While the app has not read what waits, the next message queues behind it, in order.
    _arrive(protocol, "send 2")
    assert taken == ["send 1"]
    assert [(await protocol.receive())["text"] for _ in range(2)] == ["resume", "send 2"]
    _arrive(protocol, "send 3")
    protocol.listen(None)
    _arrive(protocol, "send 4")
    assert taken == ["send 1", "send 3"]
    assert (await protocol.receive())["text"] == "send 4"
    assert transport.pauses == 0
