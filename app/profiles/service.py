"""Reading and changing profiles and privacy settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.db import utcnow
from app.errors import NotFound
from app.profiles.models import Profile
from app.profiles.rules import PROFILE_FIELDS, Audience, visible_fields
from app.safety import service as safety


async def get_profile(session: AsyncSession, user_id: int) -> Profile:
    profile = await session.get(Profile, user_id)
    if profile is None:
        raise NotFound("member_not_found")
    return profile


def project(handle: str, profile: Profile, audience: Audience) -> dict[str, Any]:
    """The profile reduced to what `audience` may see; hidden fields do not appear at all."""
    out: dict[str, Any] = {"handle": handle}
    for field in visible_fields(profile.field_visibility or {}, audience):
        value = getattr(profile, field)
        if value is not None and value != []:
            out[field] = value
    return out


async def view_profile(
    session: AsyncSession, *, handle: str, viewer: User | None
) -> dict[str, Any]:
    """`GET /api/users/{handle}`: privacy applied; blocked either way looks like not found."""
    row = (
        await session.execute(
            select(User.id, User.handle, Profile)
            .join(Profile, Profile.user_id == User.id)
            .where(User.handle_key == handle_key(handle))
        )
    ).first()
    if row is None:
        raise NotFound("member_not_found")
    user_id, real_handle, profile = row
    if viewer is None:
        audience = Audience.visitor
    elif viewer.id == user_id:
        audience = Audience.owner
    else:
        if await safety.blocked_either_way(session, viewer.id, user_id):
            raise NotFound("member_not_found")
        audience = Audience.member
    return project(real_handle, profile, audience)


async def update_profile(
    session: AsyncSession, *, user_id: int, changes: dict[str, Any]
) -> Profile:
    profile = await get_profile(session, user_id)
    for field, value in changes.items():
        if field in PROFILE_FIELDS:
            setattr(profile, field, value)
    profile.updated_at = utcnow()
    await session.commit()
    return profile


async def update_privacy(
    session: AsyncSession, *, user_id: int, changes: dict[str, Any]
) -> Profile:
    profile = await get_profile(session, user_id)
    visibility = changes.pop("field_visibility", None)
    if visibility:
        # Assign a new dict: in-place changes to a JSON column are not tracked.
        profile.field_visibility = {**(profile.field_visibility or {}), **visibility}
    for field in ("who_can_message", "show_online", "read_receipts"):
        if changes.get(field) is not None:
            setattr(profile, field, changes[field])
    profile.updated_at = utcnow()
    await session.commit()
    return profile


def profile_dict(profile: Profile) -> dict[str, Any]:
    return {f: getattr(profile, f) for f in PROFILE_FIELDS}


def privacy_dict(profile: Profile) -> dict[str, Any]:
    vis = profile.field_visibility or {}
    return {
        "field_visibility": {f: vis.get(f, "nobody") for f in PROFILE_FIELDS},
        "who_can_message": profile.who_can_message,
        "show_online": profile.show_online,
        "read_receipts": profile.read_receipts,
    }
