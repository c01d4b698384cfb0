"""Browsing groups, joining and leaving, join requests, and group moderators.

Who may read a group: any logged-in member reads an open group; a group that takes members by
request is read by its active members and by site moderators only. Only active members write.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.member import Member
from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.errors import BadRequest, Forbidden, NotFound
from app.groups.models import Category, Group, GroupMembership

MAX_SEARCH_WORDS = 5


@dataclass(frozen=True)
class Standing:
    """How one member stands to one group."""

    group_id: int
    kind: str
    status: str | None
    role: str | None
    site_moderator: bool

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def moderates(self) -> bool:
        return self.site_moderator or (self.active and self.role == "moderator")

    @property
    def can_read(self) -> bool:
        return self.kind == "open" or self.active or self.site_moderator


def standing_of(group: Group, membership: GroupMembership | None, user: Member) -> Standing:
    return Standing(
        group_id=group.id,
        kind=group.kind,
        status=membership.status if membership else None,
        role=membership.role if membership else None,
        site_moderator=user.is_moderator,
    )


def parse_id_cursor(cursor: str | None) -> int | None:
    """The id behind a `next_cursor` from an earlier page; anything else is a 400."""
    if cursor is None:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise BadRequest("invalid_cursor")
    return int(cursor)


def _pair_cursor(at: datetime, key: str) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}\n{key}".encode()).decode()


def _parse_pair_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        at, key = base64.urlsafe_b64decode(cursor.encode()).decode().split("\n", 1)
        return datetime.fromisoformat(at), key
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("invalid_cursor") from None


def group_view(
    group: Group, category: Category, membership: GroupMembership | None, viewer: Member
) -> dict[str, Any]:
    standing = standing_of(group, membership, viewer)
    return {
        "slug": group.slug,
        "category": {
            "slug": category.slug,
            "name_da": category.name_da,
            "name_en": category.name_en,
        },
        "name_da": group.name_da,
        "name_en": group.name_en,
        "description_da": group.description_da,
        "description_en": group.description_en,
        "rules_da": group.rules_da,
        "rules_en": group.rules_en,
        "kind": group.kind,
        "member_count": group.member_count,
        "membership": (
            {"status": membership.status, "role": membership.role} if membership else None
        ),
        "can_read": standing.can_read,
        "can_post": standing.active,
        "can_moderate": standing.moderates,
    }


async def list_categories(session: AsyncSession) -> list[Category]:
    rows = await session.scalars(select(Category).order_by(Category.sort_order, Category.id))
    return list(rows.all())


async def list_groups(
    session: AsyncSession,
    *,
    viewer: Member,
    category: str | None,
    q: str | None,
    limit: int,
    before: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The directory in its curated order, with the viewer's membership in each group."""
    after = parse_id_cursor(before)
    stmt = (
        select(Group, Category, GroupMembership)
        .join(Category, Category.id == Group.category_id)
        .outerjoin(
            GroupMembership,
            and_(GroupMembership.group_id == Group.id, GroupMembership.user_id == viewer.id),
        )
    )
    if category:
        stmt = stmt.where(Category.slug == category)
    for word in (q or "").casefold().split()[:MAX_SEARCH_WORDS]:
        stmt = stmt.where(Group.search_text.contains(word, autoescape=True))
    if after is not None:
        stmt = stmt.where(Group.id > after)
    rows = (await session.execute(stmt.order_by(Group.id).limit(limit + 1))).all()
    items = [group_view(g, c, m, viewer) for g, c, m in rows[:limit]]
    next_cursor = str(rows[limit - 1][0].id) if len(rows) > limit else None
    return items, next_cursor


async def _load(
    session: AsyncSession, slug: str, viewer: Member
) -> tuple[Group, Category, GroupMembership | None]:
    row = (
        await session.execute(
            select(Group, Category, GroupMembership)
            .join(Category, Category.id == Group.category_id)
            .outerjoin(
                GroupMembership,
                and_(GroupMembership.group_id == Group.id, GroupMembership.user_id == viewer.id),
            )
            .where(Group.slug == slug)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        raise NotFound("group_not_found")
    group, category, membership = row
    return group, category, membership


async def group_and_standing(
    session: AsyncSession, *, slug: str, viewer: Member
) -> tuple[Group, Standing]:
    group, _category, membership = await _load(session, slug, viewer)
    return group, standing_of(group, membership, viewer)


async def get_group(session: AsyncSession, *, slug: str, viewer: Member) -> dict[str, Any]:
    return group_view(*await _load(session, slug, viewer), viewer)


async def _change_count(session: AsyncSession, group_id: int, delta: int) -> None:
    await session.execute(
        update(Group)
        .where(Group.id == group_id)
        .values(member_count=Group.member_count + delta)
        .execution_options(synchronize_session=False)
    )


async def join(session: AsyncSession, *, slug: str, user: Member) -> dict[str, Any]:
    """Open groups take the member at once; other groups record a request for moderators."""
    group, _category, membership = await _load(session, slug, user)
    if membership is None:
        status = "active" if group.kind == "open" else "pending"
        session.add(GroupMembership(group_id=group.id, user_id=user.id, status=status))
        try:
            await session.flush()
            if status == "active":
                await _change_count(session, group.id, 1)
            await session.commit()
        except IntegrityError:
            # The same member joined twice at once; the first one counted.
            await session.rollback()
    return await get_group(session, slug=slug, viewer=user)


async def leave(session: AsyncSession, *, slug: str, user: Member) -> dict[str, Any]:
    """Leave a group or withdraw a request; leaving twice is harmless."""
    group, _category, _membership = await _load(session, slug, user)
    removed = await session.execute(
        delete(GroupMembership)
        .where(GroupMembership.group_id == group.id, GroupMembership.user_id == user.id)
        .returning(GroupMembership.status)
    )
    # The status as it was when deleted, so a concurrent approval cannot skew the count.
    if removed.scalar_one_or_none() == "active":
        await _change_count(session, group.id, -1)
    await session.commit()
    return await get_group(session, slug=slug, viewer=user)


async def _moderated_group(session: AsyncSession, *, slug: str, viewer: Member) -> Group:
    group, standing = await group_and_standing(session, slug=slug, viewer=viewer)
    if not standing.moderates:
        raise Forbidden("group_moderators_only")
    return group


async def list_requests(
    session: AsyncSession, *, slug: str, viewer: Member, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Pending join requests, oldest first, for the group's moderators."""
    group = await _moderated_group(session, slug=slug, viewer=viewer)
    cursor = _parse_pair_cursor(before)
    stmt = (
        select(User.handle, User.handle_key, GroupMembership.created_at)
        .join(User, User.id == GroupMembership.user_id)
        .where(GroupMembership.group_id == group.id, GroupMembership.status == "pending")
    )
    if cursor is not None:
        at, key = cursor
        stmt = stmt.where(
            or_(
                GroupMembership.created_at > at,
                and_(GroupMembership.created_at == at, User.handle_key > key),
            )
        )
    rows = (
        await session.execute(
            stmt.order_by(GroupMembership.created_at, User.handle_key).limit(limit + 1)
        )
    ).all()
    items = [{"handle": h, "requested_at": at} for h, _k, at in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        _h, key, at = rows[limit - 1]
        next_cursor = _pair_cursor(at, key)
    return items, next_cursor


async def _member_by_handle(session: AsyncSession, handle: str) -> User:
    user = await session.scalar(select(User).where(User.handle_key == handle_key(handle)))
    if user is None:
        raise NotFound("member_not_found")
    return user


async def decide_request(
    session: AsyncSession, *, slug: str, viewer: Member, handle: str, approve: bool
) -> None:
    group = await _moderated_group(session, slug=slug, viewer=viewer)
    target = await _member_by_handle(session, handle)
    pending = and_(
        GroupMembership.group_id == group.id,
        GroupMembership.user_id == target.id,
        GroupMembership.status == "pending",
    )
    if approve:
        result = await session.execute(
            update(GroupMembership)
            .where(pending)
            .values(status="active")
            .execution_options(synchronize_session=False)
        )
    else:
        result = await session.execute(delete(GroupMembership).where(pending))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        raise NotFound("join_request_not_found")
    if approve:
        await _change_count(session, group.id, 1)
    await session.commit()


async def set_moderator(
    session: AsyncSession, *, slug: str, handle: str, moderator: bool
) -> dict[str, Any]:
    """Appoint (or step down) a group moderator; appointing makes them an active member."""
    group = await session.scalar(select(Group).where(Group.slug == slug))
    if group is None:
        raise NotFound("group_not_found")
    target = await _member_by_handle(session, handle)
    key = and_(GroupMembership.group_id == group.id, GroupMembership.user_id == target.id)
    if not moderator:
        stepped_down = await session.execute(
            update(GroupMembership)
            .where(key, GroupMembership.role == "moderator")
            .values(role="member")
            .execution_options(synchronize_session=False)
        )
        if stepped_down.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            raise NotFound("not_group_moderator")
        await session.commit()
        return {"handle": target.handle, "role": "member", "status": "active"}
    activated = await session.execute(
        update(GroupMembership)
        .where(key, GroupMembership.status == "pending")
        .values(status="active")
        .execution_options(synchronize_session=False)
    )
    if activated.rowcount == 1:  # type: ignore[attr-defined]
        await _change_count(session, group.id, 1)
    appointed = await session.execute(
        update(GroupMembership)
        .where(key)
        .values(role="moderator")
        .execution_options(synchronize_session=False)
    )
    if appointed.rowcount == 0:  # type: ignore[attr-defined]
        session.add(GroupMembership(group_id=group.id, user_id=target.id, role="moderator"))
        await session.flush()
        await _change_count(session, group.id, 1)
    await session.commit()
    return {"handle": target.handle, "role": "moderator", "status": "active"}
