"""Mutes: a member stops seeing another member's posts and comments; nobody else is affected.

Unlike a block, a mute is one-way and invisible to the muted member. It never hides anonymous
items: if it did, a member could mute someone and watch which anonymous posts disappear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnExpressionArgument, Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.member import Member
from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.errors import BadRequest, NotFound
from app.groups.service import parse_id_cursor
from app.safety.models import Mute


def muted_ids(muter_id: ColumnExpressionArgument[int] | int) -> Select[int]:
    """A subquery of everyone the member has muted, for list filters."""
    return select(Mute.muted_id).where(Mute.muter_id == muter_id)


async def _target(session: AsyncSession, handle: str) -> User:
    user = await session.scalar(select(User).where(User.handle_key == handle_key(handle)))
    if user is None:
        raise NotFound("member_not_found")
    return user


async def mute(session: AsyncSession, *, muter: Member, handle: str) -> tuple[str, datetime]:
    """Mute a member (idempotent); returns their handle and when the mute began."""
    target = await _target(session, handle)
    if target.id == muter.id:
        raise BadRequest("cannot_mute_self")
    existing = await session.get(Mute, (muter.id, target.id))
    if existing is not None:
        return target.handle, existing.created_at
    row = Mute(muter_id=muter.id, muted_id=target.id)
    session.add(row)
    try:
        await session.commit()
    except IntegrityError:
        # The same mute sent twice at once; the first one stands.
        await session.rollback()
        found = await session.get(Mute, (muter.id, target.id))
        if found is None:
            raise
        return target.handle, found.created_at
    return target.handle, row.created_at


async def unmute(session: AsyncSession, *, muter: Member, handle: str) -> None:
    target = await _target(session, handle)
    await session.execute(delete(Mute).where(Mute.muter_id == muter.id, Mute.muted_id == target.id))
    await session.commit()


async def list_mutes(
    session: AsyncSession, *, muter: Member, limit: int, before: str | None
) -> tuple[list[tuple[str, datetime]], str | None]:
    """Whom I muted, most recently muted member id first."""
    cursor = parse_id_cursor(before)
    stmt = (
        select(Mute.muted_id, User.handle, Mute.created_at)
        .join(User, User.id == Mute.muted_id)
        .where(Mute.muter_id == muter.id)
    )
    if cursor is not None:
        stmt = stmt.where(Mute.muted_id < cursor)
    rows = (await session.execute(stmt.order_by(Mute.muted_id.desc()).limit(limit + 1))).all()
    items = [(h, at) for _id, h, at in rows[:limit]]
    next_cursor = str(rows[limit - 1][0]) if len(rows) > limit else None
    return items, next_cursor


async def export_mutes(session: AsyncSession, *, user_id: int) -> list[dict[str, str]]:
    rows = await session.execute(
        select(User.handle, Mute.created_at)
        .join(User, User.id == Mute.muted_id)
        .where(Mute.muter_id == user_id)
        .order_by(Mute.created_at)
    )
    return [{"handle": h, "created_at": at.isoformat()} for h, at in rows.all()]
