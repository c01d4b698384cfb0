"""A member's own data, gathered from every domain for `GET /api/me/export`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.member import Member
from app.accounts.models import AuthSession
from app.chat import service as chat
from app.db import utcnow
from app.groups.models import Group, GroupMembership
from app.moderation import service as moderation
from app.posts import service as posts
from app.profiles import service as profiles
from app.safety import filters as safety_filters
from app.safety import mutes as safety_mutes
from app.safety import plan as safety_plan
from app.safety import service as safety


async def export_member(session: AsyncSession, member: Member) -> dict[str, Any]:
    user = await accounts.account_of(session, member)
    profile = await profiles.get_profile(session, user.id)
    sessions = await session.execute(
        select(AuthSession.created_at, AuthSession.expires_at, AuthSession.revoked_at)
        .where(AuthSession.user_id == user.id)
        .order_by(AuthSession.created_at)
    )
    groups = await session.execute(
        select(Group.slug, GroupMembership.role, GroupMembership.status, GroupMembership.created_at)
        .join(Group, Group.id == GroupMembership.group_id)
        .where(GroupMembership.user_id == user.id)
    )
    return {
        "exported_at": utcnow().isoformat(),
        "account": {
            "handle": user.handle,
            "email": user.email,
            "language": user.language,
            "role": user.role,
            "created_at": user.created_at.isoformat(),
            "consent_at": user.consent_at.isoformat(),
            "consent_version": user.consent_version,
            "adult_confirmed_at": user.adult_confirmed_at.isoformat(),
        },
        "profile": profiles.profile_dict(profile),
        "privacy": profiles.privacy_dict(profile),
        "sessions": [
            {
                "created_at": c.isoformat(),
                "expires_at": e.isoformat(),
                "revoked_at": r.isoformat() if r else None,
            }
            for c, e, r in sessions.all()
        ],
        "groups": [
            {"group": slug, "role": role, "status": status, "joined_at": at.isoformat()}
            for slug, role, status, at in groups.all()
        ],
        "blocks": [
            {"handle": h, "created_at": c.isoformat()}
            for h, c in await safety.list_blocks(session, blocker=member)
        ],
        "group_content": await posts.export_member(session, user.id),
        "safety_plan": await safety_plan.export_plan(session, user_id=user.id),
        "chat": await chat.export_member(session, user_id=user.id),
        "mutes": await safety_mutes.export_mutes(session, user_id=user.id),
        "personal_filters": await safety_filters.export_filters(session, user_id=user.id),
        "moderation": await moderation.export_member(session, user_id=user.id),
    }
