"""Posts, comments and reactions: who may read and write them, and what each viewer sees.

Reading follows the group (see app.groups.service). Anonymous items show an anonymous author to
everyone but site moderators and the group's moderators (who also get `revealed_author`); their
times are rounded to the minute so they cannot be matched to a member's activity. Content by a
member blocked either way is left out of every list and is "not found" on its own. A group feed
page costs three prebuilt queries however many posts it holds: the group with the viewer's
standing and personal filters, the rows with their authors, then the page's reaction and
comment counts together.

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
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import BindParameter, CompoundSelect

from app.accounts.member import Member
from app.accounts.models import User
from app.db import utcnow
from app.errors import BadRequest, Forbidden, NotFound
from app.groups import service as groups
from app.groups.models import Group, GroupMembership
from app.inline_reads import ReadConnection
from app.moderation import cases
from app.moderation.models import PostLock, TargetType
from app.notifications import service as notifications
from app.notifications.models import Notification
from app.posts.models import Comment, ContentWarningTopic, Post, Reaction, ReactionKind
from app.profiles.models import Profile
from app.profiles.rules import Audience, can_see_field, field_level
from app.realtime.hub import Hub
from app.safety import crisis, crisis_lines, filters, mutes
from app.safety import service as safety
from app.safety.models import PersonalFilter

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
    def in_group(cls, user: Member, standing: groups.Standing) -> Viewer:
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


def _post_view(
    post: Row[Any],
    viewer: Viewer,
    counts: Counts,
) -> dict[str, Any]:
    # Unpacked once: a row's attributes are looked up by name on every access.
    (
        post_id,
        group_id,
        author_id,
        title,
        body,
        cw_topic,
        cw_text,
        anonymous,
        created_at,
        edited_at,
        removed_at,
        removed_reason,
        slug,
        name_da,
        name_en,
        handle,
        display_name,
        visibility,
        locked_at,
    ) = post[: len(_POST_COLUMNS)]
    is_mine = author_id == viewer.id
    kinds = counts.reactions.get(post_id, {})
    out: dict[str, Any] = {
        "id": post_id,
        "group": {"slug": slug, "name_da": name_da, "name_en": name_en},
        "title": title,
        "body": body,
        "content_warning": {"topic": cw_topic, "text": cw_text} if cw_topic else None,
        "anonymous": anonymous,
        "author": _author(
            anonymous=anonymous,
            handle=handle,
            display_name=display_name,
            visibility=visibility,
            mine=is_mine,
        ),
        "created_at": _stamp(created_at, anonymous),
        "edited_at": _stamp(edited_at, anonymous),
        "reactions": {k: kinds.get(k, 0) for k in REACTION_KINDS},
        "my_reactions": counts.mine.get(post_id, []),
        "comment_count": counts.comments.get(post_id, 0),
        "locked": locked_at is not None,
    }
    if not is_mine:
        _filter_marks(out, viewer.lens.post_reason(title=title, body=body, cw_topic=cw_topic))
    return _private_marks(
        out,
        viewer=viewer,
        group_id=group_id,
        author_id=author_id,
        anonymous=anonymous,
        handle=handle,
        removed_at=removed_at,
        removed_reason=removed_reason,
    )


def _comment_view(comment: Row[Any], viewer: Viewer, group_id: int) -> dict[str, Any]:
    """`comment` is a row of _COMMENT_COLUMNS."""
    out: dict[str, Any] = {
        "id": comment.id,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "body": comment.body,
        "anonymous": comment.anonymous,
        "author": _author(
            anonymous=comment.anonymous,
            handle=comment.handle,
            display_name=comment.display_name,
            visibility=comment.field_visibility,
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
        handle=comment.handle,
        removed_at=comment.removed_at,
        removed_reason=comment.removed_reason,
    )


# --- queries ------------------------------------------------------------------------------
#
# Every read statement is built once, here, and run with bound values: building SQL
# expressions on each request cost more than running them. `viewer_id` is the member reading.

_viewer: BindParameter[int] = bindparam("viewer_id")
# "No cursor" is a bound upper bound too, so one statement serves every page.
NO_CURSOR = 2**63 - 1

# What a view of a post needs: the post, its group's names, its author's handle and profile,
# and when a moderator locked its thread.
_POST_COLUMNS = (
    Post.id,
    Post.group_id,
    Post.author_id,
    Post.title,
    Post.body,
    Post.cw_topic,
    Post.cw_text,
    Post.anonymous,
    Post.created_at,
    Post.edited_at,
    Post.removed_at,
    Post.removed_reason,
    Group.slug,
    Group.name_da,
    Group.name_en,
    User.handle,
    Profile.display_name,
    Profile.field_visibility,
    PostLock.locked_at,
)


def _posts(*extra: Any) -> Select[Any]:
    """Posts not deleted, not by anyone blocked either way, with what a view needs."""
    return (
        select(*_POST_COLUMNS, *extra)
        .join(Group, Group.id == Post.group_id)
        .join(User, User.id == Post.author_id)
        .outerjoin(Profile, Profile.user_id == Post.author_id)
        .outerjoin(PostLock, PostLock.post_id == Post.id)
        .where(Post.deleted_at.is_(None), Post.author_id.not_in(safety.hidden_user_ids(_viewer)))
    )


# The group behind a slug, the viewer's standing in it and their personal filters: one read.
_GROUP_CONTEXT = (
    select(
        Group.id,
        Group.kind,
        GroupMembership.status,
        GroupMembership.role,
        *filters.LENS_COLUMNS,
    )
    .select_from(Group)
    .outerjoin(
        GroupMembership,
        and_(GroupMembership.group_id == Group.id, GroupMembership.user_id == _viewer),
    )
    .outerjoin(PersonalFilter, PersonalFilter.user_id == _viewer)
    .where(Group.slug == bindparam("slug"))
)
_my_groups = select(GroupMembership.group_id).where(
    GroupMembership.user_id == _viewer, GroupMembership.status == "active"
)
_groups_i_moderate = _my_groups.where(GroupMembership.role == "moderator")

# The viewer's hard-day topics, one slot per topic there is; the empty ones hold a topic no
# post has. Slots rather than a list of any length: see _SLOTS below.
_TOPIC_SLOTS = tuple(f"hidden_topic_{i}" for i in range(len(ContentWarningTopic)))
_hidden_topics: list[BindParameter[str]] = [bindparam(slot, type_=String) for slot in _TOPIC_SLOTS]
NO_TOPIC = ""

# What a feed shows the viewer: removed posts only to their author and to those who moderate
# their group; not muted members' posts (anonymous ones stay: hiding them would give their
# authors away) nor hard-day topics, except that the viewer's own posts always stay.
_FEED_FILTER = and_(
    or_(
        Post.removed_at.is_(None),
        Post.author_id == _viewer,
        bindparam("site_moderator", type_=Boolean),
        Post.group_id.in_(_groups_i_moderate),
    ),
    or_(
        Post.author_id == _viewer,
        and_(
            or_(Post.anonymous, Post.author_id.not_in(mutes.muted_ids(_viewer))),
            or_(Post.cw_topic.is_(None), Post.cw_topic.not_in(_hidden_topics)),
        ),
    ),
    Post.id < bindparam("before"),
)
# Newest first, keyset on id: each post appears once however many arrive meanwhile.
GROUP_FEED = (
    _posts()
    .where(Post.group_id == bindparam("group_id"), _FEED_FILTER)
    .order_by(Post.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
MY_FEED = (
    _posts()
    .where(Post.group_id.in_(_my_groups), _FEED_FILTER)
    .order_by(Post.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
# One post with the viewer's standing in its group.
_POST_BY_ID = (
    _posts(Group.kind, GroupMembership.status, GroupMembership.role)
    .outerjoin(
        GroupMembership,
        and_(GroupMembership.group_id == Post.group_id, GroupMembership.user_id == _viewer),
    )
    .where(Post.id == bindparam("post_id"))
)
_MY_MEMBERSHIPS = select(GroupMembership.group_id, GroupMembership.role).where(
    GroupMembership.user_id == _viewer, GroupMembership.status == "active"
)

_parent = aliased(Comment, name="parent")


def _comment_visible(c: Any, *, counting: bool) -> ColumnElement[bool]:
    """A comment the viewer sees (when counting, as the post's readers all see it)."""
    conds: list[ColumnElement[bool]] = [
        c.deleted_at.is_(None),
        c.author_id.not_in(safety.hidden_user_ids(_viewer)),
        or_(c.anonymous, c.author_id == _viewer, c.author_id.not_in(mutes.muted_ids(_viewer))),
    ]
    if counting:
        conds.append(c.removed_at.is_(None))
    else:
        # Removed comments stay visible to their author and to the group's moderators.
        conds.append(
            or_(
                c.removed_at.is_(None),
                c.author_id == _viewer,
                bindparam("moderates", type_=Boolean),
            )
        )
    return and_(*conds)


def _visible_comments(*, counting: bool) -> ColumnElement[bool]:
    """A reply goes with its parent when that is hidden."""
    return and_(
        _comment_visible(Comment, counting=counting),
        or_(Comment.parent_id.is_(None), _comment_visible(_parent, counting=counting)),
    )


# The most posts a page holds, and the longest `before` cursor taken (a post id).
MAX_PAGE = 50
CURSOR_MAX_LENGTH = 20
# A page's post ids go in one slot each, repeating the last to fill them. An expanding IN
# (a list of any length) has its SQL rendered again on every call, and app.inline_reads
# runs only statements whose SQL is fixed.
_SLOTS = tuple(f"post_{i}" for i in range(MAX_PAGE))
_page_ids: list[BindParameter[int]] = [bindparam(slot, type_=Integer) for slot in _SLOTS]
# For a page of posts, in one statement: reaction counts per kind (members blocked either way
# left out) with whether one of them is mine, then comment counts (the rows with no kind).
_COUNTS: CompoundSelect[Any] = union_all(
    select(
        Reaction.post_id,
        Reaction.kind,
        func.count(),
        func.max(case((Reaction.user_id == _viewer, 1), else_=0)),
    )
    .where(
        Reaction.post_id.in_(_page_ids),
        # Checked per reaction (a list of the viewer's blocks built for each page cost more
        # than the counting itself), and only for a viewer in any block at all.
        or_(~safety.in_any_block(_viewer), ~safety.block_between(_viewer, Reaction.user_id)),
    )
    .group_by(Reaction.post_id, Reaction.kind),
    select(Comment.post_id, null(), func.count(), null())
    .outerjoin(_parent, _parent.id == Comment.parent_id)
    .where(Comment.post_id.in_(_page_ids), _visible_comments(counting=True))
    .group_by(Comment.post_id),
)


@dataclass(frozen=True)
class Counts:
    """Reaction counts per post and kind, my own kinds per post, comment counts per post."""

    reactions: dict[int, dict[str, int]]
    mine: dict[int, list[str]]
    comments: dict[int, int]


NO_COUNTS = Counts({}, {}, {})

_COMMENT_COLUMNS = (
    Comment.id,
    Comment.post_id,
    Comment.parent_id,
    Comment.author_id,
    Comment.body,
    Comment.anonymous,
    Comment.created_at,
    Comment.edited_at,
    Comment.removed_at,
    Comment.removed_reason,
    User.handle,
    Profile.display_name,
    Profile.field_visibility,
)


def _comments() -> Select[Any]:
    return (
        select(*_COMMENT_COLUMNS)
        .join(User, User.id == Comment.author_id)
        .outerjoin(Profile, Profile.user_id == Comment.author_id)
    )


# Oldest first; `after` is the last comment id of the previous page.
COMMENTS_PAGE = (
    _comments()
    .outerjoin(_parent, _parent.id == Comment.parent_id)
    .where(
        Comment.post_id == bindparam("post_id"),
        Comment.id > bindparam("after"),
        _visible_comments(counting=False),
    )
    .order_by(Comment.id)
    .limit(bindparam("limit", type_=Integer))
)
_COMMENT_BY_ID = _comments().where(Comment.id == bindparam("comment_id"))


def feed_params(viewer: Viewer, *, before: str | None, limit: int) -> dict[str, Any]:
    """Bound values for GROUP_FEED and MY_FEED."""
    cursor = groups.parse_id_cursor(before)
    topics = sorted(viewer.lens.hidden_topics)
    if len(topics) > len(_TOPIC_SLOTS):
        raise ValueError("more hard-day topics than there are topics")
    topics += [NO_TOPIC] * (len(_TOPIC_SLOTS) - len(topics))
    return {
        "viewer_id": viewer.id,
        "site_moderator": viewer.site_moderator,
        **dict(zip(_TOPIC_SLOTS, topics, strict=True)),
        "before": NO_CURSOR if cursor is None else cursor,
        "limit": limit,
    }


def _slots(post_ids: list[int]) -> dict[str, int]:
    if len(post_ids) > MAX_PAGE:
        raise ValueError("more posts than a page holds")
    last = len(post_ids) - 1
    return {slot: post_ids[min(i, last)] for i, slot in enumerate(_SLOTS)}


async def _counts(conn: ReadConnection, post_ids: list[int], viewer: Viewer) -> Counts:
    if not post_ids:
        return NO_COUNTS
    counts = Counts({}, {}, {})
    rows = await conn.execute(_COUNTS, {**_slots(post_ids), "viewer_id": viewer.id})
    for post_id, kind, n, is_mine in rows.all():
        if kind is None:
            counts.comments[post_id] = n
            continue
        counts.reactions.setdefault(post_id, {})[kind] = n
        if is_mine:
            counts.mine.setdefault(post_id, []).append(kind)
    for kinds in counts.mine.values():
        kinds.sort(key=REACTION_KINDS.index)
    return counts


async def _views(
    conn: ReadConnection, rows: Sequence[Row[Any]], viewer: Viewer
) -> list[dict[str, Any]]:
    """Views of post rows, with their reaction and comment counts from one more query."""
    counts = await _counts(conn, [row.id for row in rows], viewer)
    return [_post_view(row, viewer, counts) for row in rows]


async def _page(
    conn: ReadConnection, stmt: Select[Any], params: dict[str, Any], viewer: Viewer
) -> tuple[list[dict[str, Any]], str | None]:
    """One more row than the page holds tells whether another page follows."""
    limit = params["limit"]
    rows = (await conn.execute(stmt, {**params, "limit": limit + 1})).all()
    page = rows[:limit]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return await _views(conn, page, viewer), next_cursor


async def _visible_post(
    session: AsyncSession, post_id: int, user: Member
) -> tuple[Row[Any], Viewer, groups.Standing]:
    """The post (a row of _POST_COLUMNS) with the viewer's standing in its group, or 404 if
    they may not see it."""
    conn = await session.connection()
    post = (await conn.execute(_POST_BY_ID, {"post_id": post_id, "viewer_id": user.id})).first()
    if post is None:
        raise NotFound("post_not_found")
    standing = groups.Standing(
        group_id=post.group_id,
        kind=post.kind,
        status=post.status,
        role=post.role,
        site_moderator=user.is_moderator,
    )
    viewer = Viewer.in_group(user, standing)
    if not standing.can_read:
        raise NotFound("post_not_found")
    if post.removed_at is not None and post.author_id != user.id and not standing.moderates:
        raise NotFound("post_not_found")
    return post, viewer, standing


async def visible_post(session: AsyncSession, *, post_id: int, user: Member) -> Post:
    """The post if `user` may see it (e.g. to report it), else not found."""
    await _visible_post(session, post_id, user)
    return await _post(session, post_id)


async def _post(session: AsyncSession, post_id: int) -> Post:
    """The post itself, to change it (after _visible_post has said it may be seen)."""
    post = await session.get(Post, post_id)
    if post is None:
        raise NotFound("post_not_found")
    return post


async def visible_comment(session: AsyncSession, *, comment_id: int, user: Member) -> Comment:
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


def _require_writer(removed_at: datetime | None, standing: groups.Standing) -> None:
    """Only active members write in a post's thread, and not once the post was removed."""
    if not standing.active:
        raise Forbidden("not_group_member")
    if removed_at is not None:
        raise Forbidden("post_removed")


# --- posts --------------------------------------------------------------------------------


async def group_feed(
    conn: ReadConnection, *, slug: str, user: Member, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    row = (await conn.execute(_GROUP_CONTEXT, {"slug": slug, "viewer_id": user.id})).first()
    if row is None:
        raise NotFound("group_not_found")
    group_id, kind, status, role = row[:4]
    standing = groups.Standing(group_id, kind, status, role, site_moderator=user.is_moderator)
    if not standing.can_read:
        raise Forbidden("group_members_only")
    viewer = replace(Viewer.in_group(user, standing), lens=filters.lens_of(*row[4:]))
    params = feed_params(viewer, before=before, limit=limit)
    return await _page(conn, GROUP_FEED, {**params, "group_id": standing.group_id}, viewer)


async def my_feed(
    session: AsyncSession, *, user: Member, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Posts from every group I am an active member of."""
    conn = await session.connection()
    memberships = (await conn.execute(_MY_MEMBERSHIPS, {"viewer_id": user.id})).all()
    if not memberships:
        return [], None
    viewer = Viewer(
        user.id,
        user.is_moderator,
        frozenset(gid for gid, role in memberships if role == "moderator"),
        await filters.lens_for(session, user.id),
    )
    return await _page(conn, MY_FEED, feed_params(viewer, before=before, limit=limit), viewer)


async def get_post(session: AsyncSession, *, post_id: int, user: Member) -> dict[str, Any]:
    """One post; opened directly it is never left out, only marked `filtered` if it matches."""
    post, viewer, _standing = await _visible_post(session, post_id, user)
    viewer = replace(viewer, lens=await filters.lens_for(session, user.id))
    return (await _views(await session.connection(), [post], viewer))[0]


async def create_post(
    session: AsyncSession,
    *,
    slug: str,
    user: Member,
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
    user: Member,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Change title, body or content warning; the post is marked edited."""
    seen, _viewer, standing = await _visible_post(session, post_id, user)
    if seen.author_id != user.id:
        raise Forbidden("not_author")
    _require_writer(seen.removed_at, standing)
    post = await _post(session, post_id)
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


async def delete_post(session: AsyncSession, *, post_id: int, user: Member) -> None:
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


async def list_comments(
    session: AsyncSession, *, post_id: int, user: Member, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Oldest first; a reply always comes after its parent. `before` is the previous page's
    `next_cursor` (the list continues after it)."""
    post, viewer, standing = await _visible_post(session, post_id, user)
    viewer = replace(viewer, lens=await filters.lens_for(session, user.id))
    cursor = groups.parse_id_cursor(before)
    conn = await session.connection()
    rows = (
        await conn.execute(
            COMMENTS_PAGE,
            {
                "post_id": post_id,
                "viewer_id": user.id,
                "moderates": standing.moderates,
                "after": 0 if cursor is None else cursor,
                "limit": limit + 1,
            },
        )
    ).all()
    items = [_comment_view(r, viewer, post.group_id) for r in rows[:limit]]
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return items, next_cursor


async def _comment_view_by_id(
    session: AsyncSession, comment_id: int, viewer: Viewer, group_id: int
) -> dict[str, Any]:
    conn = await session.connection()
    row = (await conn.execute(_COMMENT_BY_ID, {"comment_id": comment_id})).one()
    return _comment_view(row, viewer, group_id)


async def create_comment(
    session: AsyncSession,
    hub: Hub,
    *,
    post_id: int,
    user: Member,
    body: str,
    parent_id: int | None,
    anonymous: bool | None,
) -> dict[str, Any]:
    post, viewer, standing = await _visible_post(session, post_id, user)
    _require_writer(post.removed_at, standing)
    if post.locked_at is not None and not standing.moderates:
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


async def _own_comment(session: AsyncSession, comment_id: int, user: Member) -> Comment:
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
    session: AsyncSession, *, comment_id: int, user: Member, body: str
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


async def delete_comment(session: AsyncSession, *, comment_id: int, user: Member) -> None:
    """Authors may always delete their own comment; its replies go with it."""
    comment = await _own_comment(session, comment_id, user)
    comment.deleted_at = utcnow()
    await session.commit()


# --- reactions ----------------------------------------------------------------------------


async def _summary(session: AsyncSession, post_id: int, viewer: Viewer) -> dict[str, Any]:
    counts = await _counts(await session.connection(), [post_id], viewer)
    kinds = counts.reactions.get(post_id, {})
    return {
        "reactions": {k: kinds.get(k, 0) for k in REACTION_KINDS},
        "my_reactions": counts.mine.get(post_id, []),
    }


async def react(
    session: AsyncSession, hub: Hub, *, post_id: int, user: Member, kind: str
) -> dict[str, Any]:
    """Add my reaction of one kind (once per kind; repeating it changes nothing)."""
    post, viewer, standing = await _visible_post(session, post_id, user)
    _require_writer(post.removed_at, standing)
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


async def unreact(
    session: AsyncSession, *, post_id: int, user: Member, kind: str
) -> dict[str, Any]:
    """Take my reaction back; the notification it caused goes too."""
    _seen, viewer, _standing = await _visible_post(session, post_id, user)
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
    out = await _summary(session, post_id, viewer)
    await session.commit()
    return out


async def list_reactors(
    session: AsyncSession, *, post_id: int, user: Member, limit: int, before: str | None
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
