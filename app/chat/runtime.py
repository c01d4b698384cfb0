"""Per-process chat state: the batching writer, presence, socket counts and send budgets."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol

from app.chat.writer import MessageWriter
from app.config import Settings
from app.db import Database
from app.realtime.hub import Hub
from app.realtime.presence import presence_for

MAX_SOCKETS_PER_MEMBER = 5
# Per member and worker: a burst of 20 messages, then one every half second.
SEND_BURST = 20
SENDS_PER_SECOND = 2.0
# How often open sockets are looked over for idleness and their periodic login check.
SWEEP_SECONDS = 5.0


class Swept(Protocol):
    def sweep(self, now: float) -> None: ...


class TokenBuckets:
    """In-process token buckets keyed by member; cheap enough to consult on every message."""

    def __init__(self, capacity: float, per_second: float, *, enabled: bool = True) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.enabled = enabled
        self._state: dict[int, tuple[float, float]] = {}

    def take(self, key: int) -> bool:
        if not self.enabled:
            return True
        now = time.monotonic()
        tokens, at = self._state.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.per_second)
        allowed = tokens >= 1
        self._state[key] = (tokens - 1 if allowed else tokens, now)
        if len(self._state) > 50_000:
            self._forget_full(now)
        return allowed

    def _forget_full(self, now: float) -> None:
        # A full bucket holds no information; dropping it keeps memory bounded.
        self._state = {
            k: (t, at)
            for k, (t, at) in self._state.items()
            if t + (now - at) * self.per_second < self.capacity
        }


class ChatRuntime:
    def __init__(self, settings: Settings, db: Database, hub: Hub) -> None:
        self.writer = MessageWriter(db, hub, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        self.presence = presence_for(settings.redis_url)
        self.send_budget = TokenBuckets(
            SEND_BURST, SENDS_PER_SECOND, enabled=settings.rate_limits_enabled
        )
        self._sockets: dict[int, int] = {}
        # Open sockets, swept by one task rather than each running timers per frame.
        self.sockets: set[Swept] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.presence.start()
        await self.writer.start()
        self._sweeper = asyncio.create_task(self._sweep(), name="chat-sweeper")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.writer.stop()
        await self.presence.stop()

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = time.monotonic()
            for socket in tuple(self.sockets):
                socket.sweep(now)

    def open_socket(self, user_id: int) -> bool:
        """Count a socket in; False when the member already has as many as allowed here."""
        count = self._sockets.get(user_id, 0)
        if count >= MAX_SOCKETS_PER_MEMBER:
            return False
        self._sockets[user_id] = count + 1
        return True

    def close_socket(self, user_id: int) -> None:
        count = self._sockets.get(user_id, 0) - 1
        if count > 0:
            self._sockets[user_id] = count
        else:
            self._sockets.pop(user_id, None)
