"""Rate limits shared across workers (Redis when configured, memory otherwise)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from app.config import Settings
from app.errors import TooManyRequests

# Per-IP limits are loose enough for a shared NAT (a library, a treatment centre);
# per-handle limits protect one account from password guessing.
LOGIN_PER_IP = parse("30/minute")
LOGIN_PER_HANDLE = parse("8/5minute")
REGISTER_PER_IP = parse("10/hour")
REFRESH_PER_SESSION = parse("30/minute")
# Per-member writes in groups: generous for a person, a wall for a script flooding a group.
CONTENT_WRITES_PER_MEMBER = parse("20/minute")
REACTIONS_PER_MEMBER = parse("60/minute")
GROUP_ACTIONS_PER_MEMBER = parse("20/minute")


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        storage: Storage
        if settings.redis_url:
            uri = "async+" + settings.redis_url
            storage = RedisStorage(uri, implementation="redispy", key_prefix="samvaer-rl")
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)

    async def hit(self, item: RateLimitItem, *identifiers: str) -> None:
        """Count one attempt; raise 429 with Retry-After when the window is full."""
        if not self.enabled:
            return
        if not await self.limiter.hit(item, *identifiers):
            stats = await self.limiter.get_window_stats(item, *identifiers)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            raise TooManyRequests(retry_after=retry)

    async def reset(self) -> None:
        await self.storage.reset()
