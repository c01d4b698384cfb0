"""Who may moderate what: site moderators everything, group moderators their own groups.

Both need two-factor login. A member with neither role gets 403 from every moderation endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select

from app.accounts.member import Member
from app.deps import CurrentUser, SessionDep, require_admin, require_moderator
from app.errors import Forbidden
from app.groups.models import GroupMembership


@dataclass(frozen=True)
class Moderator:
    user: Member
    site: bool
    groups: frozenset[int]

    @property
    def id(self) -> int:
        return self.user.id

    def covers(self, group_id: int | None) -> bool:
        """Content outside any group (messages, members) is for site moderators only."""
        return self.site or (group_id is not None and group_id in self.groups)

    def require(self, group_id: int | None) -> None:
        if not self.covers(group_id):
            raise Forbidden("group_moderators_only" if group_id is not None else "moderators_only")


async def require_any_moderator(user: CurrentUser, session: SessionDep) -> Moderator:
    if user.is_moderator:
        groups: frozenset[int] = frozenset()
    else:
        groups = frozenset(
            (
                await session.scalars(
                    select(GroupMembership.group_id).where(
                        GroupMembership.user_id == user.id,
                        GroupMembership.role == "moderator",
                        GroupMembership.status == "active",
                    )
                )
            ).all()
        )
        if not groups:
            raise Forbidden("moderators_only")
    if not user.has_two_factor:
        raise Forbidden("two_factor_required")
    return Moderator(user=user, site=user.is_moderator, groups=groups)


async def require_site_moderator(user: Annotated[Member, Depends(require_moderator)]) -> Moderator:
    return Moderator(user=user, site=True, groups=frozenset())


async def require_admin_moderator(user: Annotated[Member, Depends(require_admin)]) -> Moderator:
    return Moderator(user=user, site=True, groups=frozenset())


AnyModerator = Annotated[Moderator, Depends(require_any_moderator)]
SiteModerator = Annotated[Moderator, Depends(require_site_moderator)]
AdminModerator = Annotated[Moderator, Depends(require_admin_moderator)]
