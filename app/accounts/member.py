"""The signed-in member as a request sees them: a small frozen snapshot, not an ORM object.

Authentication reads it with one prebuilt statement on every request; loading an ORM `User`
there cost more than the rest of a small read. Code that changes the account (password, email,
two-factor, deletion...) loads the `User` itself with `session.get(User, member.id)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.models import MODERATOR_ROLES
from app.db import utcnow


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    handle: str
    language: str
    role: str
    created_at: datetime
    suspended_until: datetime | None
    totp_enabled_at: datetime | None

    # The same rules, under the same names, as on app.accounts.models.User.
    @property
    def is_moderator(self) -> bool:
        return self.role in MODERATOR_ROLES

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())
