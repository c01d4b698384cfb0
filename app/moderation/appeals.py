"""Appeals: the author of removed content, or a suspended member, asks once for a second look.

A moderator other than the one who acted decides (and never the appellant). Overturning
restores the content or lifts the suspension; the member is told the decision either way.

A suspended member cannot log in, so a suspension appeal needs no session: the member sends
their handle and password (and second factor, when it is on) with the appeal itself. The
endpoint is rate-limited like login, answers an unknown handle and a wrong password alike, and
can do nothing but file that one appeal; no token is issued.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts import twofactor
from app.accounts.member import Member
from app.accounts.models import User
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.groups.models import Group
from app.groups.service import parse_id_cursor
from app.moderation import audit, notices
from app.moderation.deps import Moderator
from app.moderation.models import (
    Action,
    Appeal,
    AppealStatus,
    AuditEntry,
    NoticeKind,
    TargetType,
)
from app.posts.models import Comment, Post
from app.realtime.hub import Hub
from app.security import verify_password

SUSPENSION = "suspension"


def _member_view(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "target_type": appeal.target_type,
        "target_id": None if appeal.target_type == SUSPENSION else appeal.target_id,
        "status": appeal.status,
        "created_at": appeal.created_at,
    }


async def _last_action(
    session: AsyncSession, *, actions: tuple[Action, ...], target_type: str, target_id: int
) -> AuditEntry | None:
    return await session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action.in_([a.value for a in actions]),
            AuditEntry.target_type == target_type,
            AuditEntry.target_id == target_id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


async def _file(session: AsyncSession, appeal: Appeal) -> dict[str, Any]:
    """Store the appeal; a second appeal on the same thing is refused."""
    exists = await session.scalar(
        select(Appeal.id).where(
            Appeal.appellant_id == appeal.appellant_id,
            Appeal.target_type == appeal.target_type,
            Appeal.target_id == appeal.target_id,
        )
    )
    if exists is not None:
        raise Conflict("appeal_exists")
    session.add(appeal)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("appeal_exists") from None
    return _member_view(appeal)


async def appeal_content(
    session: AsyncSession,
    *,
    user: Member,
    target_type: Literal["post", "comment"],
    target_id: int,
    text: str,
) -> dict[str, Any]:
    """The author of a removed post or comment appeals its removal."""
    item: Post | Comment | None
    if target_type == TargetType.post:
        item = await session.get(Post, target_id)
        group_id = item.group_id if item else None
        missing = "post_not_found"
    else:
        item = await session.get(Comment, target_id)
        group_id = (
            await session.scalar(select(Post.group_id).where(Post.id == item.post_id))
            if item
            else None
        )
        missing = "comment_not_found"
    if item is None or item.deleted_at is not None or item.author_id != user.id:
        raise NotFound(missing)
    if item.removed_at is None:
        raise Conflict("not_removed")
    removal = await _last_action(
        session,
        actions=(Action.post_removed if target_type == "post" else Action.comment_removed,),
        target_type=target_type,
        target_id=item.id,
    )
    return await _file(
        session,
        Appeal(
            appellant_id=user.id,
            target_type=target_type,
            target_id=item.id,
            group_id=group_id,
            acted_by_id=removal.actor_id if removal else None,
            action_reason=item.removed_reason,
            text=text,
            status=AppealStatus.open.value,
            created_at=utcnow(),
        ),
    )


async def appeal_suspension(
    session: AsyncSession,
    settings: Settings,
    *,
    handle: str,
    password: str,
    totp_code: str | None,
    recovery_code: str | None,
    text: str,
) -> dict[str, Any]:
    """A suspended member appeals their current suspension, proving who they are as at login."""
    user = await accounts.get_by_handle(session, handle)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("invalid_credentials")
    if not user.is_suspended():
        raise Conflict("not_suspended")
    if user.has_two_factor:
        await twofactor.verify_second_factor(
            session, settings, user=user, code=totp_code, recovery_code=recovery_code
        )
    suspension = await _last_action(
        session,
        actions=(Action.user_suspended, Action.user_banned),
        target_type=TargetType.user,
        target_id=user.id,
    )
    if suspension is None:
        raise Conflict("not_suspended")
    return await _file(
        session,
        Appeal(
            appellant_id=user.id,
            target_type=SUSPENSION,
            target_id=suspension.id,
            group_id=None,
            acted_by_id=suspension.actor_id,
            action_reason=suspension.reason,
            text=text,
            status=AppealStatus.open.value,
            created_at=utcnow(),
        ),
    )


async def _contexts(
    session: AsyncSession, found: list[Appeal]
) -> dict[tuple[str, int], dict[str, Any]]:
    ids: dict[str, list[int]] = defaultdict(list)
    for appeal in found:
        ids[appeal.target_type].append(appeal.target_id)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    if ids["post"]:
        for post in (await session.scalars(select(Post).where(Post.id.in_(ids["post"])))).all():
            out[("post", post.id)] = {
                "title": post.title,
                "body": post.body,
                "removed": post.removed_at is not None,
            }
    if ids["comment"]:
        rows = await session.scalars(select(Comment).where(Comment.id.in_(ids["comment"])))
        for comment in rows.all():
            out[("comment", comment.id)] = {
                "post_id": comment.post_id,
                "body": comment.body,
                "removed": comment.removed_at is not None,
            }
    return out


async def list_appeals(
    session: AsyncSession,
    *,
    moderator: Moderator,
    status: AppealStatus,
    limit: int,
    before: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Appeals within the moderator's reach, newest first; suspensions for site moderators."""
    cursor = parse_id_cursor(before)
    stmt = (
        select(Appeal, User.handle, Group.slug)
        .join(User, User.id == Appeal.appellant_id)
        .outerjoin(Group, Group.id == Appeal.group_id)
        .where(Appeal.status == status.value)
    )
    if not moderator.site:
        stmt = stmt.where(Appeal.group_id.in_(sorted(moderator.groups)))
    if cursor is not None:
        stmt = stmt.where(Appeal.id < cursor)
    rows = (await session.execute(stmt.order_by(Appeal.id.desc()).limit(limit + 1))).all()
    page = rows[:limit]
    contexts = await _contexts(session, [r[0] for r in page])
    items = [
        {
            "id": appeal.id,
            "target_type": appeal.target_type,
            "target_id": appeal.target_id,
            "appellant": {"handle": handle},
            "group": slug,
            "text": appeal.text,
            "action_reason": appeal.action_reason,
            "acted_by_me": appeal.acted_by_id == moderator.id,
            "status": appeal.status,
            "decision_note": appeal.decision_note,
            "created_at": appeal.created_at,
            "decided_at": appeal.decided_at,
            "content": contexts.get((appeal.target_type, appeal.target_id)),
        }
        for appeal, handle, slug in page
    ]
    next_cursor = str(page[-1][0].id) if len(rows) > limit else None
    return items, next_cursor


async def decide(
    session: AsyncSession,
    hub: Hub,
    *,
    moderator: Moderator,
    appeal_id: int,
    decision: Literal["uphold", "overturn"],
    note: str,
) -> dict[str, Any]:
    """Uphold or overturn; overturning restores the content or lifts the suspension."""
    appeal = await session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("appeal_not_found")
    moderator.require(appeal.group_id)
    if appeal.status != AppealStatus.open.value:
        raise Conflict("appeal_decided")
    if moderator.id in (appeal.acted_by_id, appeal.appellant_id):
        raise Forbidden("appeal_needs_other_moderator")
    overturn = decision == "overturn"
    now = utcnow()
    target_type: str = appeal.target_type
    target_id = appeal.target_id
    if appeal.target_type == SUSPENSION:
        target_type, target_id = TargetType.user, appeal.appellant_id
        member = await session.get(User, appeal.appellant_id)
        latest = await _last_action(
            session,
            actions=(Action.user_suspended, Action.user_banned),
            target_type=TargetType.user,
            target_id=appeal.appellant_id,
        )
        # Lift only the suspension appealed against, not a later one for something else.
        if overturn and member is not None and latest is not None and latest.id == appeal.target_id:
            member.suspended_until = None
    else:
        item: Post | Comment | None = (
            await session.get(Post, target_id)
            if appeal.target_type == "post"
            else await session.get(Comment, target_id)
        )
        if overturn and item is not None:
            item.removed_at = None
            item.removed_reason = None
    appeal.status = (AppealStatus.overturned if overturn else AppealStatus.upheld).value
    appeal.decided_by_id = moderator.id
    appeal.decision_note = note
    appeal.decided_at = now
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=Action.appeal_overturned if overturn else Action.appeal_upheld,
        target_type=target_type,
        target_id=target_id,
        subject_id=appeal.appellant_id,
        group_id=appeal.group_id,
        reason=note,
        detail={"appeal_id": appeal.id},
        now=now,
    )
    staged = [
        notices.add(
            session,
            user_id=appeal.appellant_id,
            kind=NoticeKind.appeal_decided,
            target_type=appeal.target_type,
            target_id=None if appeal.target_type == SUSPENSION else appeal.target_id,
            reason=note,
            outcome=appeal.status,
        )
    ]
    await session.flush()
    views = [(n.user_id, notices.view(n)) for n in staged]
    await session.commit()
    await notices.publish(hub, views)
    return {
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "audit_id": entry.id,
        "closed_reports": [],
    }
