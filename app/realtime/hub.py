"""Local subscribers per channel, refcounted onto one backend subscription each.

Every socket owns a bounded queue. Events are serialised once per publish and the same string
goes to every listener; a listener whose queue is full is marked overflowed so its socket can
close and the client resume from its cursor, rather than the whole worker buffering without end.
A socket may also queue its own frames (tuples) so that one task writes everything in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from app.realtime.backends import Backend

log = logging.getLogger(__name__)

QUEUE_SIZE = 256

# A broker message (str), or a frame the socket queued for itself: (kind, payload).
Item = str | tuple[str, Any]


@dataclass(eq=False)
class Listener:
    """One socket's inbox. When nothing waits in it, `now` may take an item at once (True)
    instead: a socket that can write it without waiting."""

    queue: asyncio.Queue[Item] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    overflowed: bool = False
    now: Callable[[Item], bool] | None = None

    def offer(self, message: Item) -> None:
        if self.now is not None and self.queue.empty() and self.now(message):
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True


class Hub:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._listeners: dict[str, set[Listener]] = {}
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self.backend.connect(self._deliver)

    async def stop(self) -> None:
        await self.backend.disconnect()

    def _deliver(self, channel: str, message: str) -> None:
        for listener in tuple(self._listeners.get(channel, ())):
            listener.offer(message)

    async def subscribe(self, channel: str, listener: Listener) -> None:
        async with self._lock:
            members = self._listeners.get(channel)
            if members is None:
                self._listeners[channel] = {listener}
                await self.backend.subscribe(channel)
            else:
                members.add(listener)

    async def unsubscribe(self, channel: str, listener: Listener) -> None:
        async with self._lock:
            members = self._listeners.get(channel)
            if not members:
                return
            members.discard(listener)
            if not members:
                del self._listeners[channel]
                await self.backend.unsubscribe(channel)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Send an event to every listener of `channel` on every worker. Call after commit."""
        try:
            await self.backend.publish(channel, orjson.dumps(event).decode())
        except Exception as exc:
            # The write is committed; a lost notice is recovered by resume, so never fail it.
            log.warning("publish to broker failed: %s", type(exc).__name__)

    async def publish_many(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Several events in one round trip to the broker. Call after commit."""
        if not events:
            return
        try:
            # A message goes to both members' channels as one event: serialise it once.
            texts: dict[int, str] = {}
            messages = []
            for channel, event in events:
                text = texts.get(id(event))
                if text is None:
                    text = texts[id(event)] = orjson.dumps(event).decode()
                messages.append((channel, text))
            await self.backend.publish_many(messages)
        except Exception as exc:
            log.warning("publish to broker failed: %s", type(exc).__name__)

    def local_listener_count(self, channel: str) -> int:
        return len(self._listeners.get(channel, ()))


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"
