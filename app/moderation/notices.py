"""Notices to members about moderation that concerns them, always signed "Moderator".

A removed item's author learns the reason, a warned or suspended member learns why, a reporter
learns whether action was taken (never what, nor anything about the other member), and an
appellant learns the decision. Live tabs get `{"type": "moderation_notice", "notice": {...}}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.member import Member
from app.db import utcnow
from app.groups.service import parse_id_cursor
from app.moderation.models import Notice, NoticeKind
from app.realtime.hub import Hub, user_channel

# Moderators are never named to members, to protect them from retaliation.
MODERATOR_LABEL = "Moderator"


def add(
    session: AsyncSession,
    *,
    user_id: int,
    kind: NoticeKind,
    target_type: str | None = None,
    target_id: int | None = None,
    reason: str | None = None,
    outcome: str | None = None,
    until: datetime | None = None,
) -> Notice:
    """Stage a notice in the caller's transaction; the caller commits and then publishes."""
    notice = Notice(
        user_id=user_id,
        kind=kind.value,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        outcome=outcome,
        until=until,
        created_at=utcnow(),
    )
    session.add(notice)
    return notice


def view(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "kind": notice.kind,
        "target_type": notice.target_type,
        "target_id": notice.target_id,
        "reason": notice.reason,
        "outcome": notice.outcome,
        "until": notice.until,
        "actor": MODERATOR_LABEL,
        "created_at": notice.created_at,
        "read": notice.read_at is not None,
    }


def _json(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in payload.items()}


async def publish(hub: Hub, staged: list[tuple[int, dict[str, Any]]]) -> None:
    """Tell each member's open tabs about their new notice. Call after commit."""
    await hub.publish_many(
        [
            (user_channel(user_id), {"type": "moderation_notice", "notice": _json(payload)})
            for user_id, payload in staged
        ]
    )


async def list_for(
    session: AsyncSession, *, user: Member, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """My notices, newest first."""
    cursor = parse_id_cursor(before)
    stmt = select(Notice).where(Notice.user_id == user.id)
    if cursor is not None:
        stmt = stmt.where(Notice.id < cursor)
    rows = list((await session.scalars(stmt.order_by(Notice.id.desc()).limit(limit + 1))).all())
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return [view(n) for n in rows[:limit]], next_cursor


async def unread_count(session: AsyncSession, *, user: Member) -> int:
    count = await session.scalar(
        select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(
    session: AsyncSession, *, user: Member, ids: list[int] | None, everything: bool
) -> int:
    """Mark some (or all) of my notices read; returns how many stay unread."""
    stmt = (
        update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not everything:
        stmt = stmt.where(Notice.id.in_(ids or []))
    await session.execute(stmt)
    unread = await unread_count(session, user=user)
    await session.commit()
    return unread


async def export_notices(session: AsyncSession, *, user_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Notice).where(Notice.user_id == user_id).order_by(Notice.id)
    )
    return [_json(view(n)) for n in rows.all()]
