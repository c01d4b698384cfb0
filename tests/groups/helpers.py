"""Groups for tests: the seeded directory plus one group that takes members by request."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text, update

from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.db import utcnow
from app.groups.models import Category, Group, GroupMembership
from app.seed import seed_categories
from tests.factories import Member

OPEN = "sorg-og-tab"
OTHER_OPEN = "ensomhed"
CLOSED = "efterladte-efter-selvmord"


async def seed_groups(app: FastAPI) -> None:
    """The foundation's categories with one open group each, and one group by request."""
    async with app.state.db.sessions() as s:
        await seed_categories(s)
        category = await s.scalar(select(Category).where(Category.slug == "sorg-og-tab"))
        assert category is not None
        s.add(
            Group(
                slug=CLOSED,
                category_id=category.id,
                name_da="Efterladte efter selvmord",
                name_en="Bereaved by suicide",
                description_da="Et lukket rum. Moderatorerne godkender nye medlemmer.",
                description_en="A closed room. The moderators approve new members.",
                kind="request",
            )
        )
        await s.commit()


async def call(member: Member, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async with member.client() as c:
        return await c.request(method, url, **kwargs)


async def join(member: Member, slug: str = OPEN) -> None:
    r = await call(member, "POST", f"/api/groups/{slug}/join")
    assert r.status_code == 200, r.text
    assert r.json()["membership"]["status"] == "active", r.text


async def make_group_moderator(app: FastAPI, member: Member, slug: str) -> None:
    """Appointed the way an admin would, straight in the database (admins need 2FA set up)."""
    async with app.state.db.sessions() as s:
        user_id = await s.scalar(
            select(User.id).where(User.handle_key == handle_key(member.handle))
        )
        group_id = await s.scalar(select(Group.id).where(Group.slug == slug))
        assert user_id is not None and group_id is not None
        existing = await s.get(GroupMembership, (group_id, user_id))
        if existing is None:
            s.add(GroupMembership(group_id=group_id, user_id=user_id, role="moderator"))
            await s.execute(
                update(Group)
                .where(Group.id == group_id)
                .values(member_count=Group.member_count + 1)
            )
        else:
            existing.role, existing.status = "moderator", "active"
        await s.commit()


async def start_user_ids_at(app: FastAPI, start: int) -> None:
    """Make the next member's numeric id distinctive, so a test can search JSON for it."""
    async with app.state.db.sessions() as s:
        if s.get_bind().dialect.name == "postgresql":
            await s.execute(
                text("SELECT setval(pg_get_serial_sequence('users', 'id'), :n)"), {"n": start}
            )
        else:
            # SQLite hands out max(id) + 1, so a placeholder row sets where counting resumes.
            now = utcnow()
            s.add(
                User(
                    id=start,
                    handle="placeholder",
                    handle_key="placeholder",
                    password_hash="!",
                    language="da",
                    role="member",
                    consent_at=now,
                    consent_version="test",
                    adult_confirmed_at=now,
                    created_at=now,
                    password_changed_at=now,
                )
            )
        await s.commit()
