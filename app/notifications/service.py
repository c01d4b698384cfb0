"""Creating, listing and marking notifications.

Listing applies the same visibility as the feeds: nothing about deleted or removed items, items
by members blocked either way, or posts in groups the member can no longer read. An anonymous
comment never names its writer, and its time is rounded like the comment's own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import BindParameter

from app.accounts.member import Member
from app.accounts.models import User
from app.db import utcnow
from app.groups.models import Group, GroupMembership
from app.groups.service import parse_id_cursor
from app.inline_reads import ReadConnection
from app.notifications.models import Notification
from app.posts.models import Comment, Post
from app.realtime.hub import Hub, user_channel
from app.safety.service import hidden_user_ids

ANONYMOUS_LABEL = "anonymous_member"


def minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def view(
    notification: Notification, *, post_title: str, actor_handle: str, actor_anonymous: bool
) -> dict[str, Any]:
    actor: dict[str, Any] = (
        {"anonymous": True, "label_key": ANONYMOUS_LABEL}
        if actor_anonymous
        else {"anonymous": False, "handle": actor_handle}
    )
    return {
        "id": notification.id,
        "kind": notification.kind,
        "post_id": notification.post_id,
        "post_title": post_title,
        "comment_id": notification.comment_id,
        "reaction": notification.reaction,
        "actor": actor,
        "created_at": (
            minute(notification.created_at) if actor_anonymous else notification.created_at
        ),
        "read": notification.read_at is not None,
    }


def add(
    session: AsyncSession,
    *,
    recipient_id: int,
    kind: str,
    actor_id: int,
    post_id: int,
    comment_id: int | None = None,
    reaction: str | None = None,
) -> Notification:
    """Stage a notification in the caller's transaction; the caller commits and then publishes."""
    notification = Notification(
        user_id=recipient_id,
        kind=kind,
        actor_id=actor_id,
        post_id=post_id,
        comment_id=comment_id,
        reaction=reaction,
        created_at=utcnow(),
    )
    session.add(notification)
    return notification


async def publish(hub: Hub, events: list[tuple[int, dict[str, Any]]]) -> None:
    """Tell each recipient's open tabs about their new notification. Call after commit."""
    for recipient_id, payload in events:
        await hub.publish(
            user_channel(recipient_id), {"type": "notification", "notification": payload}
        )


_actor = aliased(User, name="actor")
_parent = aliased(Comment, name="parent_comment")


# The statements below are built once and run with the member's id and whether they are a site
# moderator (who reads every group); building them per request cost more than running them.
_member: BindParameter[int] = bindparam("user_id")


def _visible(*columns: Any) -> Select[Any]:
    hidden = hidden_user_ids(_member)
    readable = or_(
        Group.kind == "open",
        GroupMembership.status == "active",
        bindparam("site_moderator", type_=Boolean),
    )
    return (
        select(*columns)
        .select_from(Notification)
        .join(Post, Post.id == Notification.post_id)
        .join(Group, Group.id == Post.group_id)
        .join(_actor, _actor.id == Notification.actor_id)
        .outerjoin(Comment, Comment.id == Notification.comment_id)
        .outerjoin(_parent, _parent.id == Comment.parent_id)
        .outerjoin(
            GroupMembership,
            and_(GroupMembership.group_id == Post.group_id, GroupMembership.user_id == _member),
        )
        .where(
            Notification.user_id == _member,
            Notification.actor_id.not_in(hidden),
            Post.deleted_at.is_(None),
            or_(Post.removed_at.is_(None), Post.author_id == _member),
            Post.author_id.not_in(hidden),
            readable,
            or_(
                Notification.comment_id.is_(None),
                and_(Comment.deleted_at.is_(None), Comment.removed_at.is_(None)),
            ),
            or_(
                _parent.id.is_(None),
                and_(
                    _parent.deleted_at.is_(None),
                    or_(_parent.removed_at.is_(None), _parent.author_id == _member),
                    _parent.author_id.not_in(hidden),
                ),
            ),
        )
    )


# Newest first; `before` is the last id of the previous page.
_PAGE = (
    _visible(Notification, Post.title, Comment.anonymous, _actor.handle)
    .where(Notification.id < bindparam("before"))
    .order_by(Notification.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
_UNREAD = _visible(func.count(Notification.id)).where(Notification.read_at.is_(None))
NO_CURSOR = 2**63 - 1


def _params(user: Member) -> dict[str, Any]:
    return {"user_id": user.id, "site_moderator": user.is_moderator}


async def list_for(
    session: AsyncSession, *, user: Member, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """My notifications, newest first."""
    cursor = parse_id_cursor(before)
    params = {
        **_params(user),
        "before": NO_CURSOR if cursor is None else cursor,
        "limit": limit + 1,
    }
    rows = (await session.execute(_PAGE, params)).all()
    items = [
        view(n, post_title=title, actor_handle=handle, actor_anonymous=bool(anonymous))
        for n, title, anonymous, handle in rows[:limit]
    ]
    next_cursor = str(rows[limit - 1][0].id) if len(rows) > limit else None
    return items, next_cursor


async def unread_count(conn: ReadConnection, *, user: Member) -> int:
    return int((await conn.execute(_UNREAD, _params(user))).scalar() or 0)


async def mark_read(
    session: AsyncSession, *, user: Member, ids: list[int] | None, everything: bool
) -> int:
    """Mark some (or all) of my notifications read; returns how many stay unread."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not everything:
        stmt = stmt.where(Notification.id.in_(ids or []))
    await session.execute(stmt)
    unread = await unread_count(await session.connection(), user=user)
    await session.commit()
    return unread
