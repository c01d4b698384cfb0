"""Reading and changing profiles and privacy settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.member import Member
from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.db import utcnow
from app.errors import NotFound
from app.inline_reads import ReadConnection
from app.profiles.models import Profile
from app.profiles.rules import PROFILE_FIELDS, Audience, visible_fields
from app.safety import service as safety


async def get_profile(session: AsyncSession, user_id: int) -> Profile:
    profile = await session.get(Profile, user_id)
    if profile is None:
        raise NotFound("member_not_found")
    return profile


def project(
    handle: str,
    values: Mapping[Any, Any],
    field_visibility: dict[str, Any] | None,
    audience: Audience,
) -> dict[str, Any]:
    """The profile reduced to what `audience` may see; hidden fields do not appear at all."""
    out: dict[str, Any] = {"handle": handle}
    for field in visible_fields(field_visibility or {}, audience):
        value = values[field]
        if value is not None and value != []:
            out[field] = value
    return out


# The profile behind a handle, and whether a block stands between its owner and the viewer,
# in one statement. A visitor's viewer_id is NULL, which matches no block.
_PROFILE_BY_HANDLE = (
    select(
        User.id,
        User.handle,
        Profile.field_visibility,
        *(getattr(Profile, field) for field in PROFILE_FIELDS),
        safety.block_between(bindparam("viewer_id"), User.id).label("blocked"),
    )
    .join(Profile, Profile.user_id == User.id)
    .where(User.handle_key == bindparam("handle_key"))
)


async def view_profile(
    conn: ReadConnection, *, handle: str, viewer: Member | None
) -> dict[str, Any]:
    """`GET /api/users/{handle}`: privacy applied; blocked either way looks like not found."""
    row = (
        await conn.execute(
            _PROFILE_BY_HANDLE,
            {"handle_key": handle_key(handle), "viewer_id": viewer.id if viewer else None},
        )
    ).first()
    if row is None:
        raise NotFound("member_not_found")
    if viewer is None:
        audience = Audience.visitor
    elif viewer.id == row.id:
        audience = Audience.owner
    elif row.blocked:
        raise NotFound("member_not_found")
    else:
        audience = Audience.member
    return project(row.handle, row._asdict(), row.field_visibility, audience)


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
