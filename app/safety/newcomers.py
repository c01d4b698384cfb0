"""Lower limits for accounts younger than a week, where spam and harassment usually start."""

from __future__ import annotations

from datetime import datetime, timedelta

from limits import RateLimitItem, parse

from app.accounts.member import Member
from app.db import utcnow
from app.ratelimit import RateLimiter

NEW_ACCOUNT_AGE = timedelta(days=7)

# On top of everyone's per-minute limits: a person settling in stays well under these.
NEW_ACCOUNT_POSTS = parse("20/hour")
NEW_ACCOUNT_COMMENTS = parse("60/hour")
NEW_ACCOUNT_REPORTS = parse("5/hour")
# For chat's first-contact requests (app.chat calls `is_new_account` and uses this limit).
NEW_ACCOUNT_CHAT_REQUESTS = parse("5/day")


def is_new_account(user: Member, now: datetime | None = None) -> bool:
    return user.created_at > (now or utcnow()) - NEW_ACCOUNT_AGE


async def limit_new_account(
    limiter: RateLimiter, user: Member, item: RateLimitItem, what: str
) -> None:
    """Count one `what` against a new account's lower limit (429 when full); others pass."""
    if is_new_account(user):
        await limiter.hit(item, f"new-account-{what}", str(user.id))
