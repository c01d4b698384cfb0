"""Reports, the review queue and moderator actions.

Every action owns its transaction: it changes the content or account, writes exactly one audit
entry, closes the reports it answers and stages notices, commits, and only then publishes the
notices. Members are told what concerns them and never who moderated (see notices) or who
reported: a reporter's identity is stored with the report and leaves the server for no one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.member import Member
from app.accounts.models import User
from app.chat.models import Conversation, Message
from app.db import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.groups.models import Group
from app.moderation import audit, cases, notices
from app.moderation.deps import Moderator
from app.moderation.models import (
    Action,
    Appeal,
    AppealStatus,
    AuditEntry,
    CaseStatus,
    Notice,
    NoticeKind,
    PostLock,
    Report,
    ReportCase,
    ReportReason,
    TargetType,
)
from app.posts import service as posts
from app.posts.models import Comment, Post
from app.realtime.hub import Hub

CASE_REPORTS_SHOWN = 100


# --- reporting ----------------------------------------------------------------------------


async def _member(session: AsyncSession, handle: str) -> User:
    user = await accounts.get_by_handle(session, handle)
    if user is None:
        raise NotFound("member_not_found")
    return user


async def _report_target(
    session: AsyncSession, *, reporter: Member, target_type: TargetType, target_id: int | str
) -> cases.Target:
    """What is reported, if the reporter can see it; 404 otherwise, as for any hidden item."""
    if target_type is TargetType.user:
        member = await _member(session, str(target_id))
        target = cases.Target(target_type, member.id, member.id, None)
    elif target_type is TargetType.post:
        post = await posts.visible_post(session, post_id=int(target_id), user=reporter)
        target = cases.Target(target_type, post.id, post.author_id, post.group_id)
    elif target_type is TargetType.comment:
        comment = await posts.visible_comment(session, comment_id=int(target_id), user=reporter)
        group_id = await session.scalar(select(Post.group_id).where(Post.id == comment.post_id))
        target = cases.Target(target_type, comment.id, comment.author_id, group_id)
    else:
        # Only a participant may report a message, and the report shares that message alone.
        row = (
            await session.execute(
                select(Message.id, Message.sender_id)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Message.id == int(target_id),
                    or_(
                        Conversation.user_low_id == reporter.id,
                        Conversation.user_high_id == reporter.id,
                    ),
                )
            )
        ).first()
        if row is None:
            raise NotFound("message_not_found")
        target = cases.Target(target_type, row[0], row[1], None)
    if target.subject_id == reporter.id:
        raise BadRequest("cannot_report_self")
    return target


async def report(
    session: AsyncSession,
    *,
    reporter: Member,
    target_type: TargetType,
    target_id: int | str,
    reason: ReportReason,
    note: str | None,
) -> tuple[dict[str, Any], bool]:
    """File a report (or get back my open one on the same target); True if it is new."""
    target = await _report_target(
        session, reporter=reporter, target_type=target_type, target_id=target_id
    )
    now = utcnow()
    row, created = await cases.add_report(
        session, target=target, reporter_id=reporter.id, reason=reason, note=note, now=now
    )
    await session.commit()
    return {
        "id": row.id,
        "target_type": target_type,
        "reason": row.reason,
        "status": CaseStatus.open.value,
        "created_at": row.created_at,
    }, created


# --- the queue ----------------------------------------------------------------------------


def _parse_queue_cursor(cursor: str | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    priority, _, case_id = cursor.partition(".")
    if not priority.isdigit() or not case_id.isdigit() or len(cursor) > 40:
        raise BadRequest("invalid_cursor")
    return int(priority), int(case_id)


def _scope(moderator: Moderator) -> ColumnElement[bool]:
    if moderator.site:
        return true()
    return ReportCase.group_id.in_(sorted(moderator.groups))


async def _contexts(
    session: AsyncSession, found: list[ReportCase]
) -> dict[tuple[str, int], dict[str, Any]]:
    """The reported items as moderators see them: one query per kind of target on the page."""
    ids: dict[str, list[int]] = defaultdict(list)
    for case in found:
        ids[case.target_type].append(case.target_id)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    if ids[TargetType.post]:
        rows = await session.execute(
            select(Post, PostLock.locked_at)
            .outerjoin(PostLock, PostLock.post_id == Post.id)
            .where(Post.id.in_(ids[TargetType.post]))
        )
        for post, locked_at in rows.all():
            out[(TargetType.post, post.id)] = {
                "title": post.title,
                "body": post.body,
                "content_warning": (
                    {"topic": post.cw_topic, "text": post.cw_text} if post.cw_topic else None
                ),
                "anonymous": post.anonymous,
                "created_at": post.created_at,
                "deleted": post.deleted_at is not None,
                "removed": post.removed_at is not None,
                "removed_reason": post.removed_reason,
                "locked": locked_at is not None,
            }
    if ids[TargetType.comment]:
        comments = await session.scalars(
            select(Comment).where(Comment.id.in_(ids[TargetType.comment]))
        )
        for comment in comments.all():
            out[(TargetType.comment, comment.id)] = {
                "post_id": comment.post_id,
                "body": comment.body,
                "anonymous": comment.anonymous,
                "created_at": comment.created_at,
                "deleted": comment.deleted_at is not None,
                "removed": comment.removed_at is not None,
                "removed_reason": comment.removed_reason,
            }
    if ids[TargetType.message]:
        messages = await session.execute(
            select(Message.id, Message.created_at).where(Message.id.in_(ids[TargetType.message]))
        )
        for message_id, created_at in messages.all():
            out[(TargetType.message, message_id)] = {"sealed": True, "created_at": created_at}
    if ids[TargetType.user]:
        users = await session.scalars(select(User).where(User.id.in_(ids[TargetType.user])))
        for user in users.all():
            out[(TargetType.user, user.id)] = {
                "handle": user.handle,
                "member_since": user.created_at,
                "suspended_until": user.suspended_until,
            }
    return out


async def _items(
    session: AsyncSession, rows: Sequence[tuple[ReportCase, str, str | None]]
) -> list[dict[str, Any]]:
    found = [case for case, _handle, _slug in rows]
    case_ids = [case.id for case in found]
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    categories: dict[int, set[str]] = defaultdict(set)
    if case_ids:
        grouped = await session.execute(
            select(Report.case_id, Report.source, Report.reason, Report.categories, func.count())
            .where(Report.case_id.in_(case_ids))
            .group_by(Report.case_id, Report.source, Report.reason, Report.categories)
        )
        for case_id, source, reason, cats, n in grouped.all():
            if source == "crisis":
                categories[case_id].update(c for c in (cats or "").split(",") if c)
            else:
                reasons[case_id][reason] = reasons[case_id].get(reason, 0) + n
    on_member: dict[int, int] = {}
    subjects = sorted({case.subject_id for case in found})
    if subjects:
        counted = await session.execute(
            select(ReportCase.subject_id, func.count(Report.id))
            .join(Report, Report.case_id == ReportCase.id)
            .where(
                ReportCase.subject_id.in_(subjects),
                Report.source == "member",
                Report.created_at >= utcnow() - cases.RECENT,
            )
            .group_by(ReportCase.subject_id)
        )
        on_member = {subject: n for subject, n in counted.all()}
    contexts = await _contexts(session, found)
    return [
        {
            "id": case.id,
            "status": case.status,
            "target_type": case.target_type,
            "target_id": case.target_id,
            "subject": {"handle": handle},
            "group": slug,
            "crisis": case.crisis,
            "crisis_categories": sorted(categories[case.id]),
            "priority": case.priority,
            "report_count": case.report_count,
            "reasons": reasons[case.id],
            "reports_against_member_30d": on_member.get(case.subject_id, 0),
            "opened_at": case.opened_at,
            "last_report_at": case.last_report_at,
            "closed_at": case.closed_at,
            "content": contexts.get((case.target_type, case.target_id)),
        }
        for case, handle, slug in rows
    ]


def _case_rows() -> Select[ReportCase, str, str]:
    return (
        select(ReportCase, User.handle, Group.slug)
        .join(User, User.id == ReportCase.subject_id)
        .outerjoin(Group, Group.id == ReportCase.group_id)
    )


def queue_query(
    moderator: Moderator, *, cursor: tuple[int, int] | None, limit: int
) -> Select[ReportCase, str, str]:
    stmt = _case_rows().where(ReportCase.status == CaseStatus.open.value, _scope(moderator))
    if cursor is not None:
        priority, case_id = cursor
        stmt = stmt.where(
            or_(
                ReportCase.priority < priority,
                and_(ReportCase.priority == priority, ReportCase.id < case_id),
            )
        )
    return stmt.order_by(ReportCase.priority.desc(), ReportCase.id.desc()).limit(limit)


async def queue(
    session: AsyncSession, *, moderator: Moderator, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Open reports grouped by target, highest priority first, within the moderator's reach.

    Priorities can rise while someone pages; an item that rises past the cursor shows up on
    the next refresh rather than twice.
    """
    rows = (
        await session.execute(
            queue_query(moderator, cursor=_parse_queue_cursor(before), limit=limit + 1)
        )
    ).all()
    page = [(r[0], r[1], r[2]) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1][0]
        next_cursor = f"{last.priority}.{last.id}"
    return await _items(session, page), next_cursor


async def _case(session: AsyncSession, moderator: Moderator, case_id: int) -> ReportCase:
    case = await session.get(ReportCase, case_id)
    if case is None:
        raise NotFound("report_not_found")
    moderator.require(case.group_id)
    return case


async def get_case(session: AsyncSession, *, moderator: Moderator, case_id: int) -> dict[str, Any]:
    """One queue item (open or closed) with its individual reports, never their senders."""
    case = await _case(session, moderator, case_id)
    row = (await session.execute(_case_rows().where(ReportCase.id == case.id))).one()
    item = (await _items(session, [(row[0], row[1], row[2])]))[0]
    reports = await session.scalars(
        select(Report)
        .where(Report.case_id == case.id)
        .order_by(Report.id.desc())
        .limit(CASE_REPORTS_SHOWN)
    )
    item["reports"] = [
        {
            "id": r.id,
            "source": r.source,
            "reason": r.reason,
            "note": r.note,
            "created_at": r.created_at,
        }
        for r in reports.all()
    ]
    return item


async def open_message(
    session: AsyncSession, *, moderator: Moderator, case_id: int
) -> dict[str, Any]:
    """The reported chat message, and only it; every opening is written to the audit log."""
    case = await _case(session, moderator, case_id)
    if case.target_type != TargetType.message:
        raise BadRequest("not_a_message_report")
    row = (
        await session.execute(
            select(Message, User.handle)
            .join(User, User.id == Message.sender_id)
            .where(Message.id == case.target_id)
        )
    ).first()
    if row is None:
        raise NotFound("message_not_found")
    message, sender = row
    audit.record(
        session,
        actor_id=moderator.id,
        action=Action.message_viewed,
        target_type=TargetType.message,
        target_id=message.id,
        subject_id=message.sender_id,
        case_id=case.id,
        now=utcnow(),
    )
    await session.commit()
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender": sender,
        "body": message.body,
        "created_at": message.created_at,
    }


# --- actions ------------------------------------------------------------------------------


async def _close_cases(
    session: AsyncSession,
    *,
    where: ColumnElement[bool],
    moderator: Moderator,
    status: CaseStatus,
    now: datetime,
) -> tuple[list[int], list[Notice]]:
    """Close the open cases matching `where`; each member who reported learns the outcome."""
    found = list(
        (
            await session.scalars(
                select(ReportCase).where(ReportCase.status == CaseStatus.open.value, where)
            )
        ).all()
    )
    for case in found:
        case.status = status.value
        case.open_marker = None
        case.closed_at = now
        case.closed_by_id = moderator.id
    ids = [case.id for case in found]
    if not ids:
        return [], []
    reporters = await session.execute(
        select(Report.id, Report.reporter_id).where(
            Report.case_id.in_(ids), Report.source == "member", Report.reporter_id.is_not(None)
        )
    )
    outcome = "action_taken" if status is CaseStatus.actioned else "no_action"
    staged = [
        notices.add(
            session,
            user_id=reporter_id,
            kind=NoticeKind.report_outcome,
            target_type="report",
            target_id=report_id,
            outcome=outcome,
        )
        for report_id, reporter_id in reporters.all()
        if reporter_id is not None
    ]
    return ids, staged


def _target_is(target_type: TargetType, target_id: int) -> ColumnElement[bool]:
    return and_(ReportCase.target_type == target_type.value, ReportCase.target_id == target_id)


async def _flush_views(
    session: AsyncSession, staged: list[Notice]
) -> list[tuple[int, dict[str, Any]]]:
    await session.flush()
    return [(n.user_id, notices.view(n)) for n in staged]


async def _finish(session: AsyncSession, hub: Hub, staged: list[Notice]) -> None:
    views = await _flush_views(session, staged)
    await session.commit()
    await notices.publish(hub, views)


def _result(entry: AuditEntry, closed: list[int]) -> dict[str, Any]:
    return {
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "audit_id": entry.id,
        "closed_reports": closed,
    }


async def dismiss(
    session: AsyncSession, hub: Hub, *, moderator: Moderator, case_id: int, note: str | None
) -> dict[str, Any]:
    """No action needed: the reports on this target are closed and their senders told so."""
    case = await _case(session, moderator, case_id)
    if case.status != CaseStatus.open.value:
        raise Conflict("report_closed")
    now = utcnow()
    closed, staged = await _close_cases(
        session,
        where=ReportCase.id == case.id,
        moderator=moderator,
        status=CaseStatus.dismissed,
        now=now,
    )
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=Action.report_dismissed,
        target_type=case.target_type,
        target_id=case.target_id,
        subject_id=case.subject_id,
        group_id=case.group_id,
        case_id=case.id,
        reason=note,
        now=now,
    )
    await _finish(session, hub, staged)
    return _result(entry, closed)


async def _moderated_post(session: AsyncSession, moderator: Moderator, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        raise NotFound("post_not_found")
    moderator.require(post.group_id)
    return post


async def _moderated_comment(
    session: AsyncSession, moderator: Moderator, comment_id: int
) -> tuple[Comment, int]:
    row = (
        await session.execute(
            select(Comment, Post.group_id)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.id == comment_id)
        )
    ).first()
    if row is None or row[0].deleted_at is not None:
        raise NotFound("comment_not_found")
    comment, group_id = row
    moderator.require(group_id)
    return comment, group_id


async def set_removed(
    session: AsyncSession,
    hub: Hub,
    *,
    moderator: Moderator,
    target_type: TargetType,
    target_id: int,
    reason: str | None,
) -> dict[str, Any]:
    """Remove (with a reason) or, with `reason` None, restore a post or comment.

    Removed content stays stored for appeal and audit; only its author and moderators see it.
    """
    item: Post | Comment
    if target_type is TargetType.post:
        item = await _moderated_post(session, moderator, target_id)
        group_id = item.group_id
    else:
        item, group_id = await _moderated_comment(session, moderator, target_id)
    removing = reason is not None
    if removing and item.removed_at is not None:
        raise Conflict("already_removed")
    if not removing and item.removed_at is None:
        raise Conflict("not_removed")
    now = utcnow()
    item.removed_at = now if removing else None
    item.removed_reason = reason
    closed: list[int] = []
    staged: list[Notice] = []
    if removing:
        closed, staged = await _close_cases(
            session,
            where=_target_is(target_type, item.id),
            moderator=moderator,
            status=CaseStatus.actioned,
            now=now,
        )
    action = {
        (TargetType.post, True): Action.post_removed,
        (TargetType.post, False): Action.post_restored,
        (TargetType.comment, True): Action.comment_removed,
        (TargetType.comment, False): Action.comment_restored,
    }[(target_type, removing)]
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=action,
        target_type=target_type,
        target_id=item.id,
        subject_id=item.author_id,
        group_id=group_id,
        case_id=closed[0] if closed else None,
        reason=reason,
        now=now,
    )
    staged.append(
        notices.add(
            session,
            user_id=item.author_id,
            kind=NoticeKind.content_removed if removing else NoticeKind.content_restored,
            target_type=target_type,
            target_id=item.id,
            reason=reason,
        )
    )
    await _finish(session, hub, staged)
    return _result(entry, closed)


async def set_locked(
    session: AsyncSession, *, moderator: Moderator, post_id: int, locked: bool
) -> dict[str, Any]:
    """Lock a thread (no new comments) or unlock it."""
    post = await _moderated_post(session, moderator, post_id)
    lock = await session.get(PostLock, post.id)
    if locked and lock is not None:
        raise Conflict("already_locked")
    if not locked and lock is None:
        raise Conflict("not_locked")
    now = utcnow()
    if locked:
        session.add(PostLock(post_id=post.id, locked_by_id=moderator.id, locked_at=now))
    else:
        await session.delete(lock)
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=Action.post_locked if locked else Action.post_unlocked,
        target_type=TargetType.post,
        target_id=post.id,
        subject_id=post.author_id,
        group_id=post.group_id,
        now=now,
    )
    await session.commit()
    return _result(entry, [])


async def _member_cases(
    session: AsyncSession, member: User, report_id: int | None
) -> ColumnElement[bool]:
    """Reports about the member themself, plus one report on their content if named."""
    about_member = _target_is(TargetType.user, member.id)
    if report_id is None:
        return about_member
    named = await session.get(ReportCase, report_id)
    if named is None or named.subject_id != member.id:
        raise BadRequest("report_not_about_member")
    return or_(about_member, ReportCase.id == named.id)


async def _target_member(session: AsyncSession, moderator: Moderator, handle: str) -> User:
    member = await _member(session, handle)
    if member.id == moderator.id:
        raise BadRequest("cannot_moderate_self")
    if member.is_moderator and moderator.user.role != "admin":
        raise Forbidden("cannot_moderate_moderator")
    return member


async def warn(
    session: AsyncSession,
    hub: Hub,
    *,
    moderator: Moderator,
    handle: str,
    reason: str,
    report_id: int | None,
) -> dict[str, Any]:
    member = await _target_member(session, moderator, handle)
    now = utcnow()
    closed, staged = await _close_cases(
        session,
        where=await _member_cases(session, member, report_id),
        moderator=moderator,
        status=CaseStatus.actioned,
        now=now,
    )
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=Action.user_warned,
        target_type=TargetType.user,
        target_id=member.id,
        subject_id=member.id,
        case_id=closed[0] if closed else None,
        reason=reason,
        now=now,
    )
    staged.append(notices.add(session, user_id=member.id, kind=NoticeKind.warning, reason=reason))
    await _finish(session, hub, staged)
    return _result(entry, closed)


async def suspend(
    session: AsyncSession,
    hub: Hub,
    *,
    moderator: Moderator,
    handle: str,
    reason: str,
    days: int | None,
    report_id: int | None,
) -> dict[str, Any]:
    """Suspend for `days`, or ban (None). The member's sessions end and sockets close at once."""
    member = await _target_member(session, moderator, handle)
    now = utcnow()
    until = now + timedelta(days=days) if days is not None else None
    closed, staged = await _close_cases(
        session,
        where=await _member_cases(session, member, report_id),
        moderator=moderator,
        status=CaseStatus.actioned,
        now=now,
    )
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=Action.user_suspended if days is not None else Action.user_banned,
        target_type=TargetType.user,
        target_id=member.id,
        subject_id=member.id,
        case_id=closed[0] if closed else None,
        reason=reason,
        detail={"days": days},
        now=now,
    )
    staged.append(
        notices.add(
            session,
            user_id=member.id,
            kind=NoticeKind.suspended if days is not None else NoticeKind.banned,
            reason=reason,
            until=until,
        )
    )
    views = await _flush_views(session, staged)
    await accounts.suspend(session, hub, user=member, until=until)
    await notices.publish(hub, views)
    return _result(entry, closed)


async def unsuspend(
    session: AsyncSession, hub: Hub, *, moderator: Moderator, handle: str
) -> dict[str, Any]:
    member = await _target_member(session, moderator, handle)
    now = utcnow()
    if not member.is_suspended(now):
        raise Conflict("not_suspended")
    member.suspended_until = None
    entry = audit.record(
        session,
        actor_id=moderator.id,
        action=Action.user_unsuspended,
        target_type=TargetType.user,
        target_id=member.id,
        subject_id=member.id,
        now=now,
    )
    staged = [notices.add(session, user_id=member.id, kind=NoticeKind.unsuspended)]
    await _finish(session, hub, staged)
    return _result(entry, [])


# --- dashboard ----------------------------------------------------------------------------


async def dashboard(session: AsyncSession, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    open_counts = (
        await session.execute(
            select(ReportCase.crisis, func.count())
            .where(ReportCase.status == CaseStatus.open.value)
            .group_by(ReportCase.crisis)
        )
    ).all()
    open_appeals = await session.scalar(
        select(func.count(Appeal.id)).where(Appeal.status == AppealStatus.open.value)
    )
    return {
        "open_reports": sum(n for _crisis, n in open_counts),
        "open_crisis_reports": sum(n for crisis, n in open_counts if crisis),
        "open_appeals": int(open_appeals or 0),
        "median_seconds_to_first_action": await audit.median_first_action_seconds(session, now=now),
        "actions_by_day": await audit.actions_by_day(session, now=now),
    }


# --- the member's own data ----------------------------------------------------------------


async def export_member(session: AsyncSession, *, user_id: int) -> dict[str, Any]:
    """Reports I sent, my appeals and the notices I was sent; never reports about me."""
    mine = await session.execute(
        select(Report, ReportCase.target_type, ReportCase.status)
        .join(ReportCase, ReportCase.id == Report.case_id)
        .where(Report.reporter_id == user_id)
        .order_by(Report.id)
    )
    appeals = await session.scalars(
        select(Appeal).where(Appeal.appellant_id == user_id).order_by(Appeal.id)
    )
    return {
        "reports_sent": [
            {
                "id": r.id,
                "target_type": target_type,
                "reason": r.reason,
                "note": r.note,
                "status": status,
                "created_at": r.created_at.isoformat(),
            }
            for r, target_type, status in mine.all()
        ],
        "appeals": [
            {
                "id": a.id,
                "target_type": a.target_type,
                "text": a.text,
                "status": a.status,
                "decision_note": a.decision_note,
                "created_at": a.created_at.isoformat(),
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
            }
            for a in appeals.all()
        ],
        "notices": await notices.export_notices(session, user_id=user_id),
    }
