"""Blocks: who has shut whom out. A block applies both ways."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnExpressionArgument,
    Exists,
    and_,
    bindparam,
    delete,
    exists,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import CompoundSelect

from app.accounts.member import Member
from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.errors import BadRequest, NotFound
from app.safety.models import Block


def block_between(a: ColumnExpressionArgument[int], b: ColumnExpressionArgument[int]) -> Exists:
    """Whether a block stands between two members (either way), inside a statement."""
    return exists().where(
        or_(
            and_(Block.blocker_id == a, Block.blocked_id == b),
            and_(Block.blocker_id == b, Block.blocked_id == a),
        )
    )


def in_any_block(member: ColumnExpressionArgument[int]) -> Exists:
    """Whether the member has blocked anyone or been blocked by anyone.

    It does not depend on the rows around it, so a database works it out once per statement:
    `~in_any_block(viewer) | ~block_between(viewer, x)` spares most viewers, who block no
    one, a lookup per row.
    """
    return exists().where(or_(Block.blocker_id == member, Block.blocked_id == member))


_BLOCKED_EITHER_WAY = select(block_between(bindparam("a"), bindparam("b")))


async def blocked_either_way(session: AsyncSession, a: int, b: int) -> bool:
    conn = await session.connection()
    return bool((await conn.execute(_BLOCKED_EITHER_WAY, {"a": a, "b": b})).scalar())


def hidden_user_ids(viewer_id: ColumnExpressionArgument[int] | int) -> CompoundSelect[int]:
    """A subquery of everyone the viewer has blocked or been blocked by, for list filters."""
    return (
        select(Block.blocked_id)
        .where(Block.blocker_id == viewer_id)
        .union(select(Block.blocker_id).where(Block.blocked_id == viewer_id))
    )


async def _target(session: AsyncSession, handle: str) -> User:
    user = await session.scalar(select(User).where(User.handle_key == handle_key(handle)))
    if user is None:
        raise NotFound("member_not_found")
    return user


async def block(session: AsyncSession, *, blocker: Member, handle: str) -> Block:
    """Block a member (idempotent); returns the block, old or new."""
    target = await _target(session, handle)
    if target.id == blocker.id:
        raise BadRequest("cannot_block_self")
    existing = await session.get(Block, (blocker.id, target.id))
    if existing is not None:
        return existing
    row = Block(blocker_id=blocker.id, blocked_id=target.id)
    session.add(row)
    try:
        await session.commit()
    except IntegrityError:
        # A concurrent identical block won; the outcome is the same.
        await session.rollback()
        found = await session.get(Block, (blocker.id, target.id))
        if found is None:
            raise
        return found
    return row


async def unblock(session: AsyncSession, *, blocker: Member, handle: str) -> None:
    target = await _target(session, handle)
    await session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == target.id)
    )
    await session.commit()


async def list_blocks(session: AsyncSession, *, blocker: Member) -> list[tuple[str, datetime]]:
    rows = await session.execute(
        select(User.handle, Block.created_at)
        .join(User, User.id == Block.blocked_id)
        .where(Block.blocker_id == blocker.id)
        .order_by(Block.created_at.desc())
        .limit(1000)
    )
    return [(h, c) for h, c in rows.all()]
