"""Moderators, reports and the audit log, set up the way people would use them."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.passwords import handle_key
from tests.factories import Member, MemberFactory, enable_two_factor
from tests.groups.helpers import call, join, make_group_moderator


async def user_id(app: FastAPI, handle: str) -> int:
    async with app.state.db.sessions() as s:
        found = await s.scalar(select(User.id).where(User.handle_key == handle_key(handle)))
        assert found is not None
        return found


async def group_moderator(
    app: FastAPI, members: MemberFactory, handle: str, slug: str, *, two_factor: bool = True
) -> Member:
    """A member appointed moderator of one group, with two-step login turned on."""
    member = await members.create(handle)
    await join(member, slug)
    await make_group_moderator(app, member, slug)
    if two_factor:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as c:
            await enable_two_factor(c, member.handle, member.password)
    return member


async def report(
    member: Member, target_type: str, target_id: int | str, reason: str = "harassment", **extra: Any
) -> dict[str, Any]:
    r = await call(
        member,
        "POST",
        "/api/reports",
        json={"target_type": target_type, "target_id": target_id, "reason": reason, **extra},
    )
    assert r.status_code in (200, 201), r.text
    body: dict[str, Any] = r.json()
    return body


async def queue(moderator: Member) -> list[dict[str, Any]]:
    r = await call(moderator, "GET", "/api/mod/reports", params={"limit": 100})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def queue_item(moderator: Member, target_type: str, target_id: int) -> dict[str, Any]:
    for item in await queue(moderator):
        if item["target_type"] == target_type and item["target_id"] == target_id:
            return item
    raise AssertionError(f"no open report on {target_type} {target_id}")


async def act(moderator: Member, url: str, **body: Any) -> dict[str, Any]:
    r = await call(moderator, "POST", url, json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


async def notices(member: Member) -> list[dict[str, Any]]:
    r = await call(member, "GET", "/api/moderation/notices")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def audit_log(admin: Member, **params: Any) -> list[dict[str, Any]]:
    r = await call(admin, "GET", "/api/mod/log", params={"limit": 100, **params})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items
