"""Broker backends chosen by URL: in-process memory, or Redis pub/sub across workers.

A backend only tells workers that something happened; it may drop messages (Redis pub/sub
does when a subscriber is slow or disconnected). The database stays the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

# Hands a message to this worker's listeners of a channel; never waits.
Deliver = Callable[[str, str], None]


class Backend(Protocol):
    async def connect(self, deliver: Deliver) -> None: ...
    async def disconnect(self) -> None: ...
    async def subscribe(self, channel: str) -> None: ...
    async def unsubscribe(self, channel: str) -> None: ...
    async def publish(self, channel: str, message: str) -> None: ...
    async def publish_many(self, messages: list[tuple[str, str]]) -> None: ...


class MemoryBackend:
    """Single-process delivery; publishing hands the message straight to the hub."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._channels: set[str] = set()

    async def connect(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def disconnect(self) -> None:
        self._deliver = None

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def publish(self, channel: str, message: str) -> None:
        self._hand_over(channel, message)

    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        # A plain loop: awaiting `publish` for each would make a coroutine per message.
        for channel, message in messages:
            self._hand_over(channel, message)

    def _hand_over(self, channel: str, message: str) -> None:
        if self._deliver is not None and channel in self._channels:
            self._deliver(channel, message)


class RedisBackend:
    """Redis pub/sub; one connection publishes, one listens, and a task reads."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._reader: asyncio.Task[None] | None = None

    async def connect(self, deliver: Deliver) -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(self._url, decode_responses=True)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        # A placeholder subscription lets the reader start before any socket subscribes.
        await self._pubsub.subscribe("samvaer:noop")
        self._deliver = deliver
        self._reader = asyncio.create_task(self._read(), name="redis-pubsub-reader")

    async def _read(self) -> None:
        while True:
            try:
                async for msg in self._pubsub.listen():
                    if msg.get("type") == "message":
                        self._deliver(msg["channel"], msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Subscribers catch up from their cursors; keep listening after a blip.
                log.warning("redis pub/sub reader error: %s", type(exc).__name__)
                await asyncio.sleep(0.5)

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()

    async def subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        await self._pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(channel, message)

    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel, message in messages:
                pipe.publish(channel, message)
            await pipe.execute()


def backend_for(redis_url: str) -> Backend:
    return RedisBackend(redis_url) if redis_url else MemoryBackend()
