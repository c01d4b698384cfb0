"""Who is online: one entry per open socket that expires unless refreshed (memory or Redis)."""

from __future__ import annotations

import logging
import time
from typing import Protocol

log = logging.getLogger(__name__)

# A socket refreshes its entry well within this; a crashed worker's entries lapse after it.
TTL_SECONDS = 150


class Presence(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def join(self, user_id: int, socket_id: str) -> None: ...
    async def leave(self, user_id: int, socket_id: str) -> None: ...
    async def online(self, user_ids: list[int]) -> set[int]: ...


class MemoryPresence:
    """One process: a socket counts as long as it is registered."""

    def __init__(self) -> None:
        self._sockets: dict[int, set[str]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._sockets.clear()

    async def join(self, user_id: int, socket_id: str) -> None:
        self._sockets.setdefault(user_id, set()).add(socket_id)

    async def leave(self, user_id: int, socket_id: str) -> None:
        sockets = self._sockets.get(user_id)
        if sockets is not None:
            sockets.discard(socket_id)
            if not sockets:
                del self._sockets[user_id]

    async def online(self, user_ids: list[int]) -> set[int]:
        return {u for u in user_ids if u in self._sockets}


class RedisPresence:
    """Across workers: a sorted set per member, socket id scored by when its entry expires."""

    def __init__(self, url: str) -> None:
        self._url = url

    async def start(self) -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(self._url, decode_responses=True)

    async def stop(self) -> None:
        await self._redis.aclose()

    @staticmethod
    def _key(user_id: int) -> str:
        return f"samvaer:online:{user_id}"

    async def join(self, user_id: int, socket_id: str) -> None:
        """Add or refresh a socket's entry."""
        key = self._key(user_id)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(key, {socket_id: time.time() + TTL_SECONDS})
                pipe.expire(key, TTL_SECONDS)
                await pipe.execute()
        except Exception as exc:
            # Presence is a courtesy; chat works without it.
            log.warning("presence update failed: %s", type(exc).__name__)

    async def leave(self, user_id: int, socket_id: str) -> None:
        try:
            await self._redis.zrem(self._key(user_id), socket_id)
        except Exception as exc:
            log.warning("presence update failed: %s", type(exc).__name__)

    async def online(self, user_ids: list[int]) -> set[int]:
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in user_ids:
                    pipe.zcount(self._key(user_id), now, "+inf")
                counts = await pipe.execute()
        except Exception as exc:
            log.warning("presence read failed: %s", type(exc).__name__)
            return set()
        return {u for u, n in zip(user_ids, counts, strict=True) if n}


def presence_for(redis_url: str) -> Presence:
    return RedisPresence(redis_url) if redis_url else MemoryPresence()
