"""WS /ws: the live chat socket. Its frames are JSON objects with a "type".

Connecting. A browser is authenticated by its session cookie, and its Origin header must be one
of ALLOWED_ORIGINS (a foreign Origin is refused before the handshake completes: HTTP 403).
Other clients connect without the cookie and send {"type": "auth", "token": ACCESS_TOKEN} as
their first frame within 5 seconds. Tokens never go in the URL. The server answers
{"type": "ready", "handle": ...}.

Client to server:
  resume  {"after": {"<conversation id>": last seq held, ...}}  send first, on every connect
  send    {"conversation_id", "client_id" (<= 64 printable ASCII), "body" (<= 4000 chars)}
  typing  {"conversation_id"}                      never stored; at most one per 2 s is passed on
  read    {"conversation_id", "message_id"}        moves the member's read mark forward
  ping    {}                                       answered by pong; send one every 25 s

Server to client:
  ack      {"client_id", "message", "duplicate", "support"}  the message is committed; a
                                                   retried send (same client_id) gets the
                                                   original back; "support" holds crisis lines
                                                   when the text signals risk, else null
  message  {"message": {id, conversation_id, seq, sender, body, created_at}}
  resumed  {"conversations": {"<id>": seq}, "truncated": [ids]}  catch-up is complete
  typing   {"conversation_id", "handle"}
  read     {"conversation_id", "seq", "message_id", "handle"}  the member's own reads, and the
                                                   other member's when both allow read receipts
  conversation {"conversation_id", "event": requested | accepted | declined}  (declined goes
                                                   only to the decliner's own tabs)
  error    {"code", "detail" (in the member's language), "client_id"?}  the socket stays open
  pong, and anything else published on the member's channel (notifications) as it was sent.

Delivery. Each conversation numbers its messages 1, 2, 3... (seq), and a number commits only
after every number before it, on every backend. Per socket and conversation, the server keeps
the last seq it delivered and sends each message once, in order: a notice that skips ahead
makes it fetch the gap from the database, one it already sent is dropped. `resume` replays
everything after the client's cursors; conversations it does not list are replayed from the
member's read mark (new requests included), so nothing committed is missed across reconnects.
Until the first `resume` (or any other frame) new messages are held, not dropped. A message is
acknowledged only after it is committed; a client that got no ack sends it again with the same
client_id. Frames for one socket leave in the order the events happened: at once when
nothing waits ahead of them, else through the socket's write task.

Limits: frames up to 64 KiB; 60 frames in a burst then 20/s per socket; sends 20 in a burst then
2/s per member and worker (a refused send gets error "rate_limited" with its client_id and is
not stored: send it again later with the same client_id); 5 sockets per member and worker.

Close codes: 1008 foreign Origin (before the handshake), 1009 frame over 64 KiB, 1011 server
error, 1012 server restart, 4000 fell behind (reconnect and resume), 4401 not authenticated or
session ended (log in again), 4408 nothing received for 90 s, 4429 too many sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from fastapi import WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError

from app.chat import service as chat
from app.chat.batch import Outcome, SendJob, Sent
from app.chat.runtime import ChatRuntime, TokenBuckets
from app.chat.schemas import (
    AuthFrame,
    PingFrame,
    ReadFrame,
    ResumeFrame,
    SendFrame,
    TypingFrame,
)
from app.chat.writer import where
from app.config import Settings
from app.db import Database
from app.deps import ACCESS_COOKIE, Principal, authenticate
from app.errors import AppError
from app.i18n import translate
from app.realtime.hub import QUEUE_SIZE, Hub, Item, Listener, user_channel
from app.realtime.websocket_protocol import DIRECT
from app.safety import crisis

log = logging.getLogger(__name__)

# Answered by app.main.Samvaer ahead of routing (see there).
CHAT_SOCKET_PATH = "/ws"

MAX_FRAME_BYTES = 64 * 1024
AUTH_TIMEOUT = 5.0
IDLE_TIMEOUT = 90.0
# How often a socket re-checks its login and looks for anything the broker failed to deliver.
RECHECK_SECONDS = 60.0
TYPING_INTERVAL = 2.0
RESUME_LIMIT = 200
GAP_LIMIT = 500
# Frames of any kind per socket: a burst, then a steady rate.
FRAME_BURST = 60
FRAMES_PER_SECOND = 20.0

CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_ERROR = 1011
CLOSE_RESYNC = 4000
CLOSE_AUTH = 4401
CLOSE_IDLE = 4408
CLOSE_TOO_MANY = 4429


class _Closed(Exception):
    """The socket is gone; stop writing to it."""


async def chat_socket(websocket: WebSocket) -> None:
    app = websocket.app
    settings: Settings = app.state.settings
    origin = websocket.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in settings.allowed_origins:
        # Another site's page must not ride on the member's cookie (cross-site websocket).
        await websocket.close(code=CLOSE_POLICY)
        return
    cookie = websocket.cookies.get(ACCESS_COOKIE)
    principal = await _authenticate(app.state.db, settings, cookie) if cookie else None
    await websocket.accept()
    if principal is None and not cookie:
        principal = await _auth_frame(websocket, app.state.db, settings)
    if principal is None:
        await _close_quietly(websocket, CLOSE_AUTH)
        return
    runtime: ChatRuntime = app.state.chat
    user_id = principal.user.id
    if not runtime.open_socket(user_id):
        await _close_quietly(websocket, CLOSE_TOO_MANY)
        return
    try:
        await ChatSocket(websocket, app.state.db, app.state.hub, runtime, principal).run()
    finally:
        runtime.close_socket(user_id)


async def _authenticate(db: Database, settings: Settings, token: str) -> Principal | None:
    # Prebuilt Core reads, no ORM session: a session around one query cost a tenth of each
    # handshake.
    return await db.read(lambda conn: authenticate(conn, settings, token))


async def _auth_frame(websocket: WebSocket, db: Database, settings: Settings) -> Principal | None:
    try:
        async with asyncio.timeout(AUTH_TIMEOUT):
            msg = await websocket.receive()
    except TimeoutError:
        return None
    text = msg.get("text")
    if msg["type"] != "websocket.receive" or text is None or len(text) > MAX_FRAME_BYTES:
        return None
    try:
        frame = AuthFrame.model_validate(orjson.loads(text))
    except (orjson.JSONDecodeError, ValidationError):
        return None
    return await _authenticate(db, settings, frame.token)


async def _close_quietly(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
        await websocket.close(code=code)


class ChatSocket:
    """One member's socket: this task reads frames; a second one writes out whatever cannot
    go out at once (see `_write_now`)."""

    def __init__(
        self,
        websocket: WebSocket,
        db: Database,
        hub: Hub,
        runtime: ChatRuntime,
        principal: Principal,
    ) -> None:
        self.ws = websocket
        self.db = db
        self.hub = hub
        self.runtime = runtime
        self.user_id = principal.user.id
        self.handle = principal.user.handle
        self.lang = principal.user.language
        self.session_id = principal.session_id
        self.socket_id = secrets.token_hex(8)
        self.listener = Listener()
        self.frames = TokenBuckets(
            FRAME_BURST, FRAMES_PER_SECOND, enabled=runtime.send_budget.enabled
        )
        # Writer-side state: the last seq sent per conversation, and notices held until start.
        self.cursors: dict[int, int] = {}
        self.started = False
        self.held: list[tuple[dict[str, Any], str]] = []
        # Timers, looked at by the runtime's sweep (cheaper than a timeout on every frame).
        self.last_frame_at = time.monotonic()
        self.next_check = self.last_frame_at + RECHECK_SECONDS
        # Frames go out at once when nothing is queued or being written ahead of them and they
        # need no await (`_write_now`), where the server offers that; else the write task.
        offered = websocket.scope.get("extensions", {}).get(DIRECT, {})
        self.send_now: Callable[[str], bool] | None = offered.get("send")
        self.writing = False
        if self.send_now is not None:
            self.listener.now = self._write_now
        # Likewise a send is taken as it arrives while the read loop waits (`_take_now`).
        self.listen: Callable[[Callable[[str], bool] | None], None] | None = offered.get("listen")
        # Reader-side state.
        self.waiting = False
        self.start_requested = False
        self.typing_at: dict[int, float] = {}
        self.closed = False

    async def run(self) -> None:
        channel = user_channel(self.user_id)
        self._queue("frame", {"type": "ready", "handle": self.handle})
        await self.hub.subscribe(channel, self.listener)
        await self.runtime.presence.join(self.user_id, self.socket_id)
        writer = asyncio.create_task(self._write_loop(), name="chat-socket-writer")
        self.runtime.sockets.add(self)
        if self.listen is not None:
            self.listen(self._take_now)
        try:
            await self._read_loop()
        finally:
            if self.listen is not None:
                self.listen(None)
            self.runtime.sockets.discard(self)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            await self.hub.unsubscribe(channel, self.listener)
            await self.runtime.presence.leave(self.user_id, self.socket_id)

    async def close(self, code: int) -> None:
        if not self.closed:
            self.closed = True
            await _close_quietly(self.ws, code)

    def sweep(self, now: float) -> None:
        """Every few seconds: close a socket that has gone quiet, or queue its recheck."""
        if now - self.last_frame_at > IDLE_TIMEOUT:
            self._queue("idle", None)
        elif now >= self.next_check:
            self.next_check = now + RECHECK_SECONDS
            self._queue("recheck", None)

    def _queue(self, kind: str, payload: Any) -> None:
        self.listener.offer((kind, payload))

    def _error(self, code: str, client_id: object = None, **params: Any) -> None:
        frame: dict[str, Any] = {
            "type": "error",
            "code": code,
            "detail": translate(code, self.lang, **params),
        }
        if isinstance(client_id, str) and len(client_id) <= 64:
            frame["client_id"] = client_id
        self._queue("frame", frame)

    # Reading

    async def _read_loop(self) -> None:
        while not self.closed:
            self.waiting = True
            try:
                msg = await self.ws.receive()
            finally:
                self.waiting = False
            self.last_frame_at = time.monotonic()
            if msg["type"] == "websocket.disconnect":
                return
            text = msg.get("text")
            if text is None:
                raw = msg.get("bytes") or b""
                if len(raw) > MAX_FRAME_BYTES:
                    await self.close(CLOSE_TOO_BIG)
                    return
                try:
                    text = raw.decode()
                except UnicodeDecodeError:
                    self._error("invalid_frame_json")
                    continue
            if _too_big(text):
                await self.close(CLOSE_TOO_BIG)
                return
            if not self.frames.take(self.user_id):
                self._error("rate_limited")
                continue
            try:
                data = orjson.loads(text)
            except orjson.JSONDecodeError:
                self._error("invalid_frame_json")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("type"), str):
                self._error("invalid_frame")
                continue
            try:
                await self._dispatch(data)
            except Exception as exc:
                self._failed(exc, data)

    def _take_now(self, text: str) -> bool:
        """Take a well-formed send as it arrives, while the read loop waits for a frame; False
        leaves anything else, or anything while the loop is busy, to the loop, in order."""
        if not self.waiting or self.closed or _too_big(text):
            return False
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(data, dict) or data.get("type") != "send":
            return False
        self.last_frame_at = time.monotonic()
        if not self.frames.take(self.user_id):
            self._error("rate_limited")
            return True
        try:
            self._wants_live()
            self._on_send(_parse(SendFrame, data))
        except Exception as exc:
            self._failed(exc, data)
        return True

    def _failed(self, exc: Exception, data: dict[str, Any]) -> None:
        if isinstance(exc, AppError):
            self._error(exc.code, data.get("client_id"), **exc.params)
        else:
            # A database hiccup fails this frame only; the socket stays usable.
            log.warning("chat frame failed: %s", type(exc).__name__)
            self._error("internal_error", data.get("client_id"))

    def _wants_live(self) -> None:
        if not self.start_requested:
            # Any first frame but resume means the client wants live messages from now on.
            self.start_requested = True
            self._queue("start", None)

    async def _dispatch(self, data: dict[str, Any]) -> None:
        kind = data["type"]
        if kind == "resume":
            resume = _parse(ResumeFrame, data)
            self.start_requested = True
            self._queue("resume", resume.after)
            return
        self._wants_live()
        if kind == "send":
            self._on_send(_parse(SendFrame, data))
        elif kind == "typing":
            await self._on_typing(_parse(TypingFrame, data))
        elif kind == "read":
            frame = _parse(ReadFrame, data)
            await self.runtime.writer.mark_read(
                user_id=self.user_id,
                handle=self.handle,
                conversation_id=frame.conversation_id,
                message_id=frame.message_id,
            )
        elif kind == "ping":
            _parse(PingFrame, data)
            self._queue("frame", {"type": "pong"})
        elif kind == "auth":
            # Already authenticated (by the cookie); a client may send both.
            return
        else:
            raise AppError("unknown_frame")

    def _on_send(self, frame: SendFrame) -> None:
        if not self.runtime.send_budget.take(self.user_id):
            raise AppError("rate_limited", 429)
        client_id = frame.client_id

        def reply(outcome: Outcome) -> None:
            self._queue("sent", (client_id, outcome))

        self.runtime.writer.send(
            SendJob(
                sender_id=self.user_id,
                sender_handle=self.handle,
                conversation_id=frame.conversation_id,
                client_id=client_id,
                body=frame.body,
                reply=reply,
            )
        )

    async def _on_typing(self, frame: TypingFrame) -> None:
        now = time.monotonic()
        last = self.typing_at.get(frame.conversation_id)
        if last is not None and now - last < TYPING_INTERVAL:
            return
        if len(self.typing_at) > 100:
            self.typing_at.clear()
        self.typing_at[frame.conversation_id] = now
        async with self.db.read_sessions() as session:
            peer = await chat.typing_peer(
                session, user_id=self.user_id, conversation_id=frame.conversation_id
            )
        await self.hub.publish(
            user_channel(peer),
            {"type": "typing", "conversation_id": frame.conversation_id, "handle": self.handle},
        )

    # Writing

    async def _write_loop(self) -> None:
        try:
            while not self.closed:
                item = await self.listener.queue.get()
                self.writing = True
                try:
                    if isinstance(item, str):
                        await self._on_event(item)
                    else:
                        await self._on_local(*item)
                finally:
                    self.writing = False
                if self.listener.overflowed:
                    await self.close(CLOSE_RESYNC)
        except _Closed:
            return
        except Exception as exc:
            log.error("chat socket writer failed: %s at %s", type(exc).__name__, where(exc))
            await self.close(CLOSE_ERROR)

    async def _send(self, text: str) -> None:
        if self.closed:
            raise _Closed
        try:
            await self.ws.send_text(text)
        except (RuntimeError, OSError, WebSocketDisconnect):
            self.closed = True
            raise _Closed from None

    async def _send_json(self, frame: dict[str, Any]) -> None:
        await self._send(orjson.dumps(frame).decode())

    async def _on_event(self, raw: str) -> None:
        event = orjson.loads(raw)
        kind = event.get("type")
        if kind == "message":
            if not self.started:
                self.held.append((event["message"], raw))
                if len(self.held) > QUEUE_SIZE:
                    await self.close(CLOSE_RESYNC)
                return
            await self._deliver(event["message"], raw)
        elif kind == "session_revoked":
            sessions = event.get("sessions")
            if sessions == "all" or (isinstance(sessions, list) and self.session_id in sessions):
                await self.close(CLOSE_AUTH)
        else:
            await self._send(raw)

    def _write_now(self, item: Item) -> bool:
        """Write `item` at once if it is the plain case: the socket has started, nothing is
        ahead of it, and it needs no database read (the next message of a conversation, an
        ack in order, any other notice). False leaves it to the write task, in order."""
        if self.writing or not self.started or self.closed or self.send_now is None:
            return False
        try:
            if isinstance(item, str):
                return self._event_now(item, self.send_now)
            kind, payload = item
            if kind == "sent":
                client_id, outcome = payload
                return self._ack_now(client_id, outcome, self.send_now)
            if kind == "frame":
                return self.send_now(orjson.dumps(payload).decode())
        except Exception as exc:
            log.warning("chat socket could not write at once: %s", type(exc).__name__)
        return False

    def _event_now(self, raw: str, send_now: Callable[[str], bool]) -> bool:
        event = orjson.loads(raw)
        kind = event.get("type")
        if kind == "session_revoked":
            return False
        if kind != "message":
            return send_now(raw)
        conversation_id, seq = event["message"]["conversation_id"], event["message"]["seq"]
        cursor = self.cursors.get(conversation_id, 0)
        if seq <= cursor:
            return True
        if seq > cursor + 1 or not send_now(raw):
            return False
        self.cursors[conversation_id] = seq
        return True

    def _ack_now(self, client_id: str, outcome: Outcome, send_now: Callable[[str], bool]) -> bool:
        if not isinstance(outcome, Sent):
            return False
        conversation_id, seq = outcome.message["conversation_id"], outcome.message["seq"]
        cursor = self.cursors.get(conversation_id, 0)
        if seq > cursor + 1 or not send_now(self._ack(client_id, outcome)):
            return False
        self.cursors[conversation_id] = max(cursor, seq)
        return True

    def _ack(self, client_id: str, outcome: Sent) -> str:
        message = outcome.message
        return orjson.dumps(
            {
                "type": "ack",
                "client_id": client_id,
                "message": message,
                "duplicate": outcome.duplicate,
                # Crisis lines for the writer when the message signals risk, else null.
                "support": crisis.support_for(message["body"]),
            }
        ).decode()

    async def _on_local(self, kind: str, payload: Any) -> None:
        if kind == "frame":
            await self._send_json(payload)
        elif kind == "sent":
            client_id, outcome = payload
            await self._on_sent(client_id, outcome)
        elif kind == "start":
            await self._begin(None)
        elif kind == "resume":
            await self._begin(payload)
        elif kind == "recheck":
            await self._recheck()
        elif kind == "idle":
            await self.close(CLOSE_IDLE)
            raise _Closed

    async def _deliver(self, message: dict[str, Any], raw: str) -> None:
        conversation_id, seq = message["conversation_id"], message["seq"]
        cursor = self.cursors.get(conversation_id, 0)
        if seq <= cursor:
            return
        if seq > cursor + 1:
            # The broker lost or reordered a notice: the database has everything before it.
            await self._fill(conversation_id, cursor, seq - 1)
        await self._send(raw)
        self.cursors[conversation_id] = seq

    async def _on_sent(self, client_id: str, outcome: Outcome) -> None:
        if not isinstance(outcome, Sent):
            await self._send_json(
                {
                    "type": "error",
                    "code": outcome.code,
                    "detail": translate(outcome.code, self.lang, **outcome.params),
                    "client_id": client_id,
                }
            )
            return
        message = outcome.message
        conversation_id, seq = message["conversation_id"], message["seq"]
        cursor = self.cursors.get(conversation_id, 0)
        if seq > cursor + 1:
            await self._fill(conversation_id, cursor, seq - 1)
        await self._send(self._ack(client_id, outcome))
        self.cursors[conversation_id] = max(self.cursors.get(conversation_id, 0), seq)

    async def _fill(self, conversation_id: int, after: int, upto: int) -> None:
        async with self.db.read_sessions() as session:
            messages = await chat.messages_after(
                session,
                user_id=self.user_id,
                conversation_id=conversation_id,
                after=after,
                limit=min(upto - after, GAP_LIMIT),
            )
        for message in messages:
            await self._send_json({"type": "message", "message": message})
            self.cursors[conversation_id] = message["seq"]
        if upto - after > GAP_LIMIT:
            # Too far behind to catch up here; the client pages through history instead.
            await self.close(CLOSE_RESYNC)
            raise _Closed

    async def _begin(self, after: dict[int, int] | None) -> None:
        """Set this socket's cursors: from `resume`, or from now for a live-only client."""
        async with self.db.read_sessions() as session:
            states = await chat.conversation_states(session, user_id=self.user_id)
        replay: list[tuple[int, int]] = []
        for state in states:
            if after is not None and state.id in after:
                # A client cannot hold more than exists; trusting it would skip new messages.
                start = min(after[state.id], state.last_seq)
            elif self.started:
                continue
            elif after is not None and state.replay:
                start = min(state.read_seq, state.last_seq)
            else:
                start = state.last_seq
            if not self.started:
                self.cursors[state.id] = start
            if state.replay and state.last_seq > start:
                replay.append((state.id, start))
        truncated = []
        for conversation_id, start in replay:
            async with self.db.read_sessions() as session:
                messages = await chat.messages_after(
                    session,
                    user_id=self.user_id,
                    conversation_id=conversation_id,
                    after=start,
                    limit=RESUME_LIMIT + 1,
                )
            if len(messages) > RESUME_LIMIT:
                messages = messages[:RESUME_LIMIT]
                truncated.append(conversation_id)
            for message in messages:
                await self._send_json({"type": "message", "message": message})
            if messages:
                self.cursors[conversation_id] = max(
                    self.cursors.get(conversation_id, 0), messages[-1]["seq"]
                )
        self.started = True
        if after is not None:
            listed = {cid for cid, _ in replay} | {s.id for s in states if s.id in after}
            await self._send_json(
                {
                    "type": "resumed",
                    "conversations": {str(c): self.cursors.get(c, 0) for c in sorted(listed)},
                    "truncated": truncated,
                }
            )
        held, self.held = self.held, []
        for message, raw in held:
            await self._deliver(message, raw)

    async def _recheck(self) -> None:
        async with self.db.read_sessions() as session:
            active = await chat.session_active(
                session, session_id=self.session_id, user_id=self.user_id
            )
            states = await chat.conversation_states(session, user_id=self.user_id)
        if not active:
            await self.close(CLOSE_AUTH)
            raise _Closed
        await self.runtime.presence.join(self.user_id, self.socket_id)
        if not self.started:
            return
        for state in states:
            cursor = self.cursors.get(state.id, 0)
            if state.replay and state.last_seq > cursor:
                await self._fill(state.id, cursor, state.last_seq)


F = TypeVar("F", bound=BaseModel)


def _too_big(text: str) -> bool:
    return len(text) > MAX_FRAME_BYTES or (
        len(text) * 4 > MAX_FRAME_BYTES and len(text.encode()) > MAX_FRAME_BYTES
    )


def _parse(model: type[F], data: dict[str, Any]) -> F:
    try:
        return model.model_validate(data)
    except ValidationError:
        raise AppError("invalid_input") from None
