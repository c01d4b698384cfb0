"""Posts, comments and reactions: who may read and write them, and what each viewer sees.

Reading follows the group (see app.groups.service). Anonymous items show an anonymous author to
everyone but site moderators and the group's moderators (who also get `revealed_author`); their
times are rounded to the minute so they cannot be matched to a member's activity. Content by a
member blocked either way is left out of every list and is "not found" on its own. Each feed page
costs the same few queries however many posts it holds: the viewer's personal filters, the rows
with their authors, then one query each for reaction counts and comment counts.

Personal safety settings (app.safety) shape lists for the viewer alone: muted members' posts and
comments are left out (never anonymous ones, which would give their authors away), posts with a
hard-day topic are left out of feeds, and content matching a personal filter comes marked
`filtered` so the client folds it. Text that signals risk of suicide or self-harm is published,
flagged for moderators, and answered with `support` (crisis lines) in the writer's response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, and_, case, delete, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.db import utcnow
from app.errors import BadRequest, Forbidden, NotFound
from app.groups import service as groups
from app.groups.models import Group, GroupMembership
from app.moderation import cases
from app.moderation.models import PostLock, TargetType
from app.notifications import service as notifications
from app.notifications.models import Notification
from app.posts.models import Comment, Post, Reaction, ReactionKind
from app.profiles.models import Profile
from app.profiles.rules import Audience, can_see_field, field_level
from app.realtime.hub import Hub
from app.safety import crisis, crisis_lines, filters, mutes
from app.safety import service as safety

ANONYMOUS_LABEL = notifications.ANONYMOUS_LABEL
REACTION_KINDS = tuple(k.value for k in ReactionKind)


@dataclass(frozen=True)
class Viewer:
    """The member reading, and the groups whose anonymous and removed items they may see."""

    id: int
    site_moderator: bool
    moderated_groups: frozenset[int]
    lens: filters.Lens = filters.NO_LENS

    def moderates(self, group_id: int) -> bool:
        return self.site_moderator or group_id in self.moderated_groups

    @classmethod
    def in_group(cls, user: User, standing: groups.Standing) -> Viewer:
        mine = standing.active and standing.role == "moderator"
        return cls(user.id, user.is_moderator, frozenset({standing.group_id} if mine else ()))


@dataclass(frozen=True)
class ContentWarning:
    topic: str
    text: str | None


# --- what a viewer sees -------------------------------------------------------------------


def _stamp(at: datetime | None, anonymous: bool) -> datetime | None:
    if at is None or not anonymous:
        return at
    return notifications.minute(at)


def _author(
    *,
    anonymous: bool,
    handle: str,
    display_name: str | None,
    visibility: dict[str, Any] | None,
    mine: bool,
) -> dict[str, Any]:
    if anonymous:
        return {"anonymous": True, "label_key": ANONYMOUS_LABEL}
    shown = mine or can_see_field(field_level(visibility or {}, "display_name"), Audience.member)
    return {"anonymous": False, "handle": handle, "display_name": display_name if shown else None}


def _private_marks(
    out: dict[str, Any],
    *,
    viewer: Viewer,
    group_id: int,
    author_id: int,
    anonymous: bool,
    handle: str,
    removed_at: datetime | None,
    removed_reason: str | None,
) -> dict[str, Any]:
    """Fields only some viewers get; for everyone else the keys are absent, not null."""
    if author_id == viewer.id:
        out["is_mine"] = True
    if anonymous and viewer.moderates(group_id):
        out["revealed_author"] = {"handle": handle}
    if removed_at is not None:
        out["removed"] = True
        out["removed_reason"] = removed_reason
    return out


def _filter_marks(out: dict[str, Any], reason: dict[str, str] | None) -> dict[str, Any]:
    if reason is not None:
        out["filtered"] = True
        out["filter_reason"] = reason
    return out


# Columns loaded with every post: the post, its group's names, its author's handle and profile,
# and when a moderator locked its thread.
PostRow = tuple[Post, str, str, str, str, str | None, dict[str, Any] | None, datetime | None]


def _post_view(
    row: PostRow,
    viewer: Viewer,
    counts: dict[int, dict[str, int]],
    mine: dict[int, list[str]],
    comment_counts: dict[int, int],
) -> dict[str, Any]:
    post, slug, name_da, name_en, handle, display_name, visibility, locked_at = row
    is_mine = post.author_id == viewer.id
    out: dict[str, Any] = {
        "id": post.id,
        "group": {"slug": slug, "name_da": name_da, "name_en": name_en},
        "title": post.title,
        "body": post.body,
        "content_warning": (
            {"topic": post.cw_topic, "text": post.cw_text} if post.cw_topic else None
        ),
        "anonymous": post.anonymous,
        "author": _author(
            anonymous=post.anonymous,
            handle=handle,
            display_name=display_name,
            visibility=visibility,
            mine=is_mine,
        ),
        "created_at": _stamp(post.created_at, post.anonymous),
        "edited_at": _stamp(post.edited_at, post.anonymous),
        "reactions": {k: counts.get(post.id, {}).get(k, 0) for k in REACTION_KINDS},
        "my_reactions": mine.get(post.id, []),
        "comment_count": comment_counts.get(post.id, 0),
        "locked": locked_at is not None,
    }
    if not is_mine:
        _filter_marks(
            out,
            viewer.lens.post_reason(title=post.title, body=post.body, cw_topic=post.cw_topic),
        )
    return _private_marks(
        out,
        viewer=viewer,
        group_id=post.group_id,
        author_id=post.author_id,
        anonymous=post.anonymous,
        handle=handle,
        removed_at=post.removed_at,
        removed_reason=post.removed_reason,
    )


CommentRow = tuple[Comment, str, str | None, dict[str, Any] | None]


def _post_row(row: Row[Any]) -> PostRow:
    return cast(PostRow, tuple(row)[:8])


def _comment_row(row: Row[Any]) -> CommentRow:
    return cast(CommentRow, tuple(row))


def _comment_view(row: CommentRow, viewer: Viewer, group_id: int) -> dict[str, Any]:
    comment, handle, display_name, visibility = row
    out: dict[str, Any] = {
        "id": comment.id,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "body": comment.body,
        "anonymous": comment.anonymous,
        "author": _author(
            anonymous=comment.anonymous,
            handle=handle,
            display_name=display_name,
            visibility=visibility,
            mine=comment.author_id == viewer.id,
        ),
        "created_at": _stamp(comment.created_at, comment.anonymous),
        "edited_at": _stamp(comment.edited_at, comment.anonymous),
    }
    if comment.author_id != viewer.id:
        _filter_marks(out, viewer.lens.comment_reason(comment.body))
    return _private_marks(
        out,
        viewer=viewer,
        group_id=group_id,
        author_id=comment.author_id,
        anonymous=comment.anonymous,
        handle=handle,
        removed_at=comment.removed_at,
        removed_reason=comment.removed_reason,
    )


# --- queries ------------------------------------------------------------------------------


def _post_rows(viewer_id: int) -> Select[Any]:
    """Posts not deleted, not by anyone blocked either way, with what a view needs."""
    return (
        select(
            Post,
            Group.slug,
            Group.name_da,
            Group.name_en,
            User.handle,
            Profile.display_name,
            Profile.field_visibility,
            PostLock.locked_at,
        )
        .join(Group, Group.id == Post.group_id)
        .join(User, User.id == Post.author_id)
        .outerjoin(Profile, Profile.user_id == Post.author_id)
        .outerjoin(PostLock, PostLock.post_id == Post.id)
        .where(Post.deleted_at.is_(None), Post.author_id.not_in(safety.hidden_user_ids(viewer_id)))
    )


def _removed_posts_filter(viewer: Viewer) -> ColumnElement[bool]:
    """Removed posts stay visible to their author and to those who moderate their group."""
    if viewer.site_moderator:
        return true()
    shown = [Post.removed_at.is_(None), Post.author_id == viewer.id]
    if viewer.moderated_groups:
        shown.append(Post.group_id.in_(viewer.moderated_groups))
    return or_(*shown)


def _personal_filter(viewer: Viewer) -> ColumnElement[bool]:
    """Feeds leave out muted members' posts (not anonymous ones) and hard-day topics; a
    viewer's own posts always stay."""
    conds: list[ColumnElement[bool]] = [
        or_(Post.anonymous, Post.author_id.not_in(mutes.muted_ids(viewer.id)))
    ]
    if viewer.lens.hidden_topics:
        conds.append(
            or_(Post.cw_topic.is_(None), Post.cw_topic.not_in(sorted(viewer.lens.hidden_topics)))
        )
    return or_(Post.author_id == viewer.id, and_(*conds))


def _comment_visible(
    c: type[Comment], viewer: Viewer, moderates: bool, *, counting: bool = False
) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = [
        c.deleted_at.is_(None),
        c.author_id.not_in(safety.hidden_user_ids(viewer.id)),
        or_(c.anonymous, c.author_id == viewer.id, c.author_id.not_in(mutes.muted_ids(viewer.id))),
    ]
    if counting:
        conds.append(c.removed_at.is_(None))
    elif not moderates:
        conds.append(or_(c.removed_at.is_(None), c.author_id == viewer.id))
    return and_(*conds)


def _visible_comments(
    viewer: Viewer, moderates: bool, *, counting: bool = False
) -> tuple[Any, ColumnElement[bool]]:
    """Conditions for comments a viewer sees; a reply goes with its parent when that is hidden."""
    parent = aliased(Comment)
    return parent, and_(
        _comment_visible(Comment, viewer, moderates, counting=counting),
        or_(
            Comment.parent_id.is_(None),
            _comment_visible(parent, viewer, moderates, counting=counting),
        ),
    )


async def _reaction_stats(
    session: AsyncSession, post_ids: list[int], viewer: Viewer
) -> tuple[dict[int, dict[str, int]], dict[int, list[str]]]:
    """Counts per kind (members blocked either way left out) and my own kinds, in one query."""
    if not post_ids:
        return {}, {}
    rows = await session.execute(
        select(
            Reaction.post_id,
            Reaction.kind,
            func.count(),
            func.max(case((Reaction.user_id == viewer.id, 1), else_=0)),
        )
        .where(
            Reaction.post_id.in_(post_ids),
            Reaction.user_id.not_in(safety.hidden_user_ids(viewer.id)),
        )
        .group_by(Reaction.post_id, Reaction.kind)
    )
    counts: dict[int, dict[str, int]] = {}
    mine: dict[int, list[str]] = {}
    for post_id, kind, n, is_mine in rows.all():
        counts.setdefault(post_id, {})[kind] = n
        if is_mine:
            mine.setdefault(post_id, []).append(kind)
    for kinds in mine.values():
        kinds.sort(key=REACTION_KINDS.index)
    return counts, mine


async def _comment_counts(
    session: AsyncSession, post_ids: list[int], viewer: Viewer
) -> dict[int, int]:
    if not post_ids:
        return {}
    parent, visible = _visible_comments(viewer, False, counting=True)
    rows = await session.execute(
        select(Comment.post_id, func.count())
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.post_id.in_(post_ids), visible)
        .group_by(Comment.post_id)
    )
    return {post_id: n for post_id, n in rows.all()}


async def _views(
    session: AsyncSession, rows: Sequence[PostRow], viewer: Viewer
) -> list[dict[str, Any]]:
    ids = [row[0].id for row in rows]
    counts, mine = await _reaction_stats(session, ids, viewer)
    comment_counts = await _comment_counts(session, ids, viewer)
    return [_post_view(row, viewer, counts, mine, comment_counts) for row in rows]


async def _page(
    session: AsyncSession, stmt: Select[Any], viewer: Viewer, *, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first, keyset on id: each post appears once however many arrive meanwhile."""
    cursor = groups.parse_id_cursor(before)
    if cursor is not None:
        stmt = stmt.where(Post.id < cursor)
    rows = (await session.execute(stmt.order_by(Post.id.desc()).limit(limit + 1))).all()
    page = [_post_row(r) for r in rows[:limit]]
    next_cursor = str(page[-1][0].id) if len(rows) > limit else None
    return await _views(session, page, viewer), next_cursor


async def _visible_post(
    session: AsyncSession, post_id: int, user: User
) -> tuple[PostRow, Viewer, groups.Standing]:
    """The post with the viewer's standing in its group, or 404 if they may not see it."""
    row = (
        await session.execute(
            _post_rows(user.id)
            .add_columns(Group.kind, GroupMembership.status, GroupMembership.role)
            .outerjoin(
                GroupMembership,
                and_(GroupMembership.group_id == Post.group_id, GroupMembership.user_id == user.id),
            )
            .where(Post.id == post_id)
        )
    ).first()
    if row is None:
        raise NotFound("post_not_found")
    post = row[0]
    standing = groups.Standing(
        group_id=post.group_id,
        kind=row[8],
        status=row[9],
        role=row[10],
        site_moderator=user.is_moderator,
    )
    viewer = Viewer.in_group(user, standing)
    if not standing.can_read:
        raise NotFound("post_not_found")
    if post.removed_at is not None and post.author_id != user.id and not standing.moderates:
        raise NotFound("post_not_found")
    return _post_row(row), viewer, standing


async def visible_post(session: AsyncSession, *, post_id: int, user: User) -> Post:
    """The post if `user` may see it (e.g. to report it), else not found."""
    row, _viewer, _standing = await _visible_post(session, post_id, user)
    return row[0]


async def visible_comment(session: AsyncSession, *, comment_id: int, user: User) -> Comment:
    """The comment if `user` may see it (e.g. to report it), else not found."""
    comment = await session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise NotFound("comment_not_found")
    try:
        _row, _viewer, standing = await _visible_post(session, comment.post_id, user)
    except NotFound:
        raise NotFound("comment_not_found") from None
    hidden = comment.removed_at is not None and comment.author_id != user.id
    if (hidden and not standing.moderates) or await safety.blocked_either_way(
        session, user.id, comment.author_id
    ):
        raise NotFound("comment_not_found")
    return comment


async def _crisis_check(
    session: AsyncSession,
    text: str,
    *,
    target_type: TargetType,
    target_id: int,
    author_id: int,
    group_id: int,
) -> bool:
    """Flag risky text for moderators in the caller's transaction; True if it signals risk."""
    assessment = crisis.assess(text)
    if assessment.risk:
        await cases.flag_crisis(
            session,
            target_type=target_type,
            target_id=target_id,
            subject_id=author_id,
            group_id=group_id,
            categories=tuple(c.value for c in assessment.categories),
            now=utcnow(),
        )
    return assessment.risk


def _with_support(out: dict[str, Any], risk: bool) -> dict[str, Any]:
    """The writer's response carries crisis lines (open ones first) when their text was risky."""
    if risk:
        out["support"] = crisis_lines.support_payload(utcnow())
    return out


def _require_writer(post: Post, standing: groups.Standing) -> None:
    if not standing.active:
        raise Forbidden("not_group_member")
    if post.removed_at is not None:
        raise Forbidden("post_removed")


# --- posts --------------------------------------------------------------------------------


async def group_feed(
    session: AsyncSession, *, slug: str, user: User, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    group, standing = await groups.group_and_standing(session, slug=slug, viewer=user)
    if not standing.can_read:
        raise Forbidden("group_members_only")
    viewer = replace(Viewer.in_group(user, standing), lens=await filters.lens_for(session, user.id))
    stmt = _post_rows(user.id).where(
        Post.group_id == group.id, _removed_posts_filter(viewer), _personal_filter(viewer)
    )
    return await _page(session, stmt, viewer, limit=limit, before=before)


async def my_feed(
    session: AsyncSession, *, user: User, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Posts from every group I am an active member of."""
    memberships = (
        await session.execute(
            select(GroupMembership.group_id, GroupMembership.role).where(
                GroupMembership.user_id == user.id, GroupMembership.status == "active"
            )
        )
    ).all()
    if not memberships:
        return [], None
    viewer = Viewer(
        user.id,
        user.is_moderator,
        frozenset(gid for gid, role in memberships if role == "moderator"),
        await filters.lens_for(session, user.id),
    )
    stmt = _post_rows(user.id).where(
        Post.group_id.in_([gid for gid, _role in memberships]),
        _removed_posts_filter(viewer),
        _personal_filter(viewer),
    )
    return await _page(session, stmt, viewer, limit=limit, before=before)


async def get_post(session: AsyncSession, *, post_id: int, user: User) -> dict[str, Any]:
    """One post; opened directly it is never left out, only marked `filtered` if it matches."""
    row, viewer, _standing = await _visible_post(session, post_id, user)
    viewer = replace(viewer, lens=await filters.lens_for(session, user.id))
    return (await _views(session, [row], viewer))[0]


async def create_post(
    session: AsyncSession,
    *,
    slug: str,
    user: User,
    title: str,
    body: str,
    content_warning: ContentWarning | None,
    anonymous: bool,
) -> dict[str, Any]:
    group, standing = await groups.group_and_standing(session, slug=slug, viewer=user)
    if not standing.active:
        raise Forbidden("not_group_member")
    post = Post(
        group_id=group.id,
        author_id=user.id,
        title=title,
        body=body,
        cw_topic=content_warning.topic if content_warning else None,
        cw_text=content_warning.text if content_warning else None,
        anonymous=anonymous,
        created_at=utcnow(),
    )
    session.add(post)
    await session.flush()
    risk = await _crisis_check(
        session,
        f"{title}\n{body}",
        target_type=TargetType.post,
        target_id=post.id,
        author_id=user.id,
        group_id=group.id,
    )
    out = await get_post(session, post_id=post.id, user=user)
    await session.commit()
    return _with_support(out, risk)


async def edit_post(
    session: AsyncSession,
    *,
    post_id: int,
    user: User,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Change title, body or content warning; the post is marked edited."""
    row, _viewer, standing = await _visible_post(session, post_id, user)
    post = row[0]
    if post.author_id != user.id:
        raise Forbidden("not_author")
    _require_writer(post, standing)
    if changes.get("title") is not None:
        post.title = changes["title"]
    if changes.get("body") is not None:
        post.body = changes["body"]
    if "content_warning" in changes:
        cw: ContentWarning | None = changes["content_warning"]
        post.cw_topic = cw.topic if cw else None
        post.cw_text = cw.text if cw else None
    if changes:
        post.edited_at = utcnow()
    await session.flush()
    risk = False
    if changes.get("title") is not None or changes.get("body") is not None:
        risk = await _crisis_check(
            session,
            f"{post.title}\n{post.body}",
            target_type=TargetType.post,
            target_id=post.id,
            author_id=user.id,
            group_id=post.group_id,
        )
    out = await get_post(session, post_id=post.id, user=user)
    await session.commit()
    return _with_support(out, risk)


async def delete_post(session: AsyncSession, *, post_id: int, user: User) -> None:
    """Authors may always delete their own post, even after leaving the group."""
    post = await session.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        raise NotFound("post_not_found")
    if post.author_id != user.id:
        await _visible_post(session, post_id, user)
        raise Forbidden("not_author")
    post.deleted_at = utcnow()
    await session.commit()


# --- comments -----------------------------------------------------------------------------


def _comment_rows() -> Select[Any]:
    return (
        select(Comment, User.handle, Profile.display_name, Profile.field_visibility)
        .join(User, User.id == Comment.author_id)
        .outerjoin(Profile, Profile.user_id == Comment.author_id)
    )


async def list_comments(
    session: AsyncSession, *, post_id: int, user: User, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Oldest first; a reply always comes after its parent. `before` is the previous page's
    `next_cursor` (the list continues after it)."""
    row, viewer, standing = await _visible_post(session, post_id, user)
    viewer = replace(viewer, lens=await filters.lens_for(session, user.id))
    group_id = row[0].group_id
    cursor = groups.parse_id_cursor(before)
    parent, visible = _visible_comments(viewer, standing.moderates)
    stmt = (
        _comment_rows()
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.post_id == post_id, visible)
    )
    if cursor is not None:
        stmt = stmt.where(Comment.id > cursor)
    rows = (await session.execute(stmt.order_by(Comment.id).limit(limit + 1))).all()
    items = [_comment_view(_comment_row(r), viewer, group_id) for r in rows[:limit]]
    next_cursor = str(rows[limit - 1][0].id) if len(rows) > limit else None
    return items, next_cursor


async def _comment_view_by_id(
    session: AsyncSession, comment_id: int, viewer: Viewer, group_id: int
) -> dict[str, Any]:
    row = (await session.execute(_comment_rows().where(Comment.id == comment_id))).one()
    return _comment_view(_comment_row(row), viewer, group_id)


async def create_comment(
    session: AsyncSession,
    hub: Hub,
    *,
    post_id: int,
    user: User,
    body: str,
    parent_id: int | None,
    anonymous: bool | None,
) -> dict[str, Any]:
    row, viewer, standing = await _visible_post(session, post_id, user)
    post, locked_at = row[0], row[7]
    _require_writer(post, standing)
    if locked_at is not None and not standing.moderates:
        raise Forbidden("thread_locked")
    parent: Comment | None = None
    if parent_id is not None:
        parent = await session.get(Comment, parent_id)
        if (
            parent is None
            or parent.post_id != post.id
            or parent.deleted_at is not None
            or parent.removed_at is not None
            or await safety.blocked_either_way(session, user.id, parent.author_id)
        ):
            raise NotFound("comment_not_found")
        if parent.parent_id is not None:
            raise BadRequest("reply_too_deep")
    if anonymous is None:
        # The writer of an anonymous post stays anonymous in its thread unless they choose not to.
        anonymous = post.anonymous and post.author_id == user.id
    comment = Comment(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        author_id=user.id,
        body=body,
        anonymous=anonymous,
        created_at=utcnow(),
    )
    session.add(comment)
    await session.flush()
    staged = []
    if parent is not None and parent.author_id != user.id:
        staged.append(
            notifications.add(
                session,
                recipient_id=parent.author_id,
                kind="reply",
                actor_id=user.id,
                post_id=post.id,
                comment_id=comment.id,
            )
        )
    notify_post_author = post.author_id != user.id and (
        parent is None or parent.author_id != post.author_id
    )
    if notify_post_author:
        staged.append(
            notifications.add(
                session,
                recipient_id=post.author_id,
                kind="comment",
                actor_id=user.id,
                post_id=post.id,
                comment_id=comment.id,
            )
        )
    await session.flush()
    risk = await _crisis_check(
        session,
        body,
        target_type=TargetType.comment,
        target_id=comment.id,
        author_id=user.id,
        group_id=post.group_id,
    )
    out = await _comment_view_by_id(session, comment.id, viewer, post.group_id)
    events = [
        (
            n.user_id,
            notifications.view(
                n, post_title=post.title, actor_handle=user.handle, actor_anonymous=anonymous
            ),
        )
        for n in staged
    ]
    await session.commit()
    await notifications.publish(hub, events)
    return _with_support(out, risk)


async def _own_comment(session: AsyncSession, comment_id: int, user: User) -> Comment:
    comment = await session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise NotFound("comment_not_found")
    if comment.author_id != user.id:
        # Someone else's comment: refuse in a way that says nothing about hidden content.
        await _visible_post(session, comment.post_id, user)
        if await safety.blocked_either_way(session, user.id, comment.author_id):
            raise NotFound("comment_not_found")
        raise Forbidden("not_author")
    return comment


async def edit_comment(
    session: AsyncSession, *, comment_id: int, user: User, body: str
) -> dict[str, Any]:
    comment = await _own_comment(session, comment_id, user)
    _row, viewer, standing = await _visible_post(session, comment.post_id, user)
    if not standing.active:
        raise Forbidden("not_group_member")
    if comment.removed_at is not None:
        raise Forbidden("comment_removed")
    comment.body = body
    comment.edited_at = utcnow()
    await session.flush()
    risk = await _crisis_check(
        session,
        body,
        target_type=TargetType.comment,
        target_id=comment.id,
        author_id=user.id,
        group_id=standing.group_id,
    )
    out = await _comment_view_by_id(session, comment.id, viewer, standing.group_id)
    await session.commit()
    return _with_support(out, risk)


async def delete_comment(session: AsyncSession, *, comment_id: int, user: User) -> None:
    """Authors may always delete their own comment; its replies go with it."""
    comment = await _own_comment(session, comment_id, user)
    comment.deleted_at = utcnow()
    await session.commit()


# --- reactions ----------------------------------------------------------------------------


async def _summary(session: AsyncSession, post_id: int, viewer: Viewer) -> dict[str, Any]:
    counts, mine = await _reaction_stats(session, [post_id], viewer)
    return {
        "reactions": {k: counts.get(post_id, {}).get(k, 0) for k in REACTION_KINDS},
        "my_reactions": mine.get(post_id, []),
    }


async def react(
    session: AsyncSession, hub: Hub, *, post_id: int, user: User, kind: str
) -> dict[str, Any]:
    """Add my reaction of one kind (once per kind; repeating it changes nothing)."""
    row, viewer, standing = await _visible_post(session, post_id, user)
    post = row[0]
    _require_writer(post, standing)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(Reaction)
        .values(post_id=post.id, user_id=user.id, kind=kind, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["post_id", "user_id", "kind"])
    )
    staged = None
    if result.rowcount == 1 and post.author_id != user.id:  # type: ignore[attr-defined]
        staged = notifications.add(
            session,
            recipient_id=post.author_id,
            kind="reaction",
            actor_id=user.id,
            post_id=post.id,
            reaction=kind,
        )
        await session.flush()
    out = await _summary(session, post.id, viewer)
    events = []
    if staged is not None:
        payload = notifications.view(
            staged, post_title=post.title, actor_handle=user.handle, actor_anonymous=False
        )
        events.append((staged.user_id, payload))
    await session.commit()
    await notifications.publish(hub, events)
    return out


async def unreact(session: AsyncSession, *, post_id: int, user: User, kind: str) -> dict[str, Any]:
    """Take my reaction back; the notification it caused goes too."""
    row, viewer, _standing = await _visible_post(session, post_id, user)
    removed = await session.execute(
        delete(Reaction).where(
            Reaction.post_id == post_id, Reaction.user_id == user.id, Reaction.kind == kind
        )
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        await session.execute(
            delete(Notification).where(
                Notification.kind == "reaction",
                Notification.post_id == post_id,
                Notification.actor_id == user.id,
                Notification.reaction == kind,
            )
        )
    out = await _summary(session, row[0].id, viewer)
    await session.commit()
    return out


async def list_reactors(
    session: AsyncSession, *, post_id: int, user: User, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Who reacted, newest first, by handle only; members blocked either way are left out."""
    await _visible_post(session, post_id, user)
    cursor = groups.parse_id_cursor(before)
    stmt = (
        select(Reaction.id, Reaction.kind, User.handle)
        .join(User, User.id == Reaction.user_id)
        .where(
            Reaction.post_id == post_id,
            Reaction.user_id.not_in(safety.hidden_user_ids(user.id)),
        )
    )
    if cursor is not None:
        stmt = stmt.where(Reaction.id < cursor)
    rows = (await session.execute(stmt.order_by(Reaction.id.desc()).limit(limit + 1))).all()
    items = [{"handle": handle, "kind": kind} for _id, kind, handle in rows[:limit]]
    next_cursor = str(rows[limit - 1][0]) if len(rows) > limit else None
    return items, next_cursor


# --- the member's own data ----------------------------------------------------------------


async def export_member(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """My posts, comments and reactions (anonymous ones included: they are mine)."""
    posts = await session.execute(
        select(Post, Group.slug)
        .join(Group, Group.id == Post.group_id)
        .where(Post.author_id == user_id)
        .order_by(Post.id)
    )
    comments = await session.scalars(
        select(Comment).where(Comment.author_id == user_id).order_by(Comment.id)
    )
    reactions = await session.execute(
        select(Reaction.post_id, Reaction.kind, Reaction.created_at)
        .where(Reaction.user_id == user_id)
        .order_by(Reaction.id)
    )

    def at(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "posts": [
            {
                "id": p.id,
                "group": slug,
                "title": p.title,
                "body": p.body,
                "content_warning": {"topic": p.cw_topic, "text": p.cw_text} if p.cw_topic else None,
                "anonymous": p.anonymous,
                "created_at": at(p.created_at),
                "edited_at": at(p.edited_at),
                "deleted_at": at(p.deleted_at),
                "removed_at": at(p.removed_at),
            }
            for p, slug in posts.all()
        ],
        "comments": [
            {
                "id": c.id,
                "post_id": c.post_id,
                "parent_id": c.parent_id,
                "body": c.body,
                "anonymous": c.anonymous,
                "created_at": at(c.created_at),
                "edited_at": at(c.edited_at),
                "deleted_at": at(c.deleted_at),
                "removed_at": at(c.removed_at),
            }
            for c in comments.all()
        ],
        "reactions": [
            {"post_id": post_id, "kind": kind, "created_at": at(created)}
            for post_id, kind, created in reactions.all()
        ],
    }
