"""New accounts get lower limits for a week; older ones only the everyday limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from limits import parse
from sqlalchemy import update

from app.accounts.models import User
from app.posts import router as posts_router
from app.safety.newcomers import is_new_account
from tests.factories import Member, MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups


async def _age(app: FastAPI, handle: str, days: int) -> None:
    async with app.state.db.sessions() as s:
        await s.execute(
            update(User)
            .where(User.handle == handle)
            .values(created_at=datetime.now(UTC) - timedelta(days=days))
        )
        await s.commit()


async def _post_codes(member: Member, n: int) -> list[int]:
    codes = []
    for i in range(n):
        r = await call(
            member, "POST", f"/api/groups/{OPEN}/posts", json={"title": f"{i}", "body": "b"}
        )
        codes.append(r.status_code)
    return codes


async def test_new_accounts_post_fewer_times_an_hour(
    app: FastAPI, members: MemberFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lift the everyday per-minute limit so only the new-account limit is in play.
    monkeypatch.setattr(posts_router, "CONTENT_WRITES_PER_MEMBER", parse("1000/minute"))
    await seed_groups(app)
    fresh = await members.create("nyhed")
    settled = await members.create("stamgast")
    await join(fresh)
    await join(settled)
    await _age(app, "stamgast", 8)
    assert await _post_codes(fresh, 21) == [201] * 20 + [429]
    assert await _post_codes(settled, 21) == [201] * 21


def test_an_account_is_new_for_seven_days() -> None:
    now = datetime.now(UTC)
    user = User(handle="x", created_at=now - timedelta(days=6, hours=23))
    assert is_new_account(user, now)
    user.created_at = now - timedelta(days=7, minutes=1)
    assert not is_new_account(user, now)


async def test_settled_accounts_report_more_than_new_ones(
    app: FastAPI, members: MemberFactory
) -> None:
    handles = [f"anmeldt{i}" for i in range(6)]
    for handle in handles:
        await members.create(handle)
    fresh = await members.create("nyhed")
    settled = await members.create("stamgast")
    await _age(app, "stamgast", 30)

    async def codes(member: Member) -> list[int]:
        out = []
        for handle in handles:
            r = await call(
                member,
                "POST",
                "/api/reports",
                json={"target_type": "user", "target_id": handle, "reason": "spam"},
            )
            out.append(r.status_code)
        return out

    assert await codes(fresh) == [201] * 5 + [429]
    assert await codes(settled) == [201] * 6
