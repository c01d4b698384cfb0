"""Who reaches the moderation tools: members never, group moderators only in their groups."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.accounts.models import User
from tests.factories import Member, MemberFactory
from tests.groups.helpers import OPEN, OTHER_OPEN, call, join, seed_groups
from tests.moderation.helpers import act, group_moderator, queue, report
from tests.posts.helpers import write_comment, write_post

METHODS = ("get", "post", "put", "patch", "delete")


def _moderation_endpoints(app: FastAPI) -> list[tuple[str, str]]:
    """Every method and path under /api/mod, from the OpenAPI document, params filled in."""
    out = []
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/mod/"):
            continue
        url = re.sub(r"\{handle\}", "someone", path)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        out += [(method.upper(), url) for method in operations if method in METHODS]
    return out


def test_the_moderation_api_is_all_there(app: FastAPI) -> None:
    endpoints = set(_moderation_endpoints(app))
    for expected in (
        ("GET", "/api/mod/reports"),
        ("GET", "/api/mod/reports/1"),
        ("POST", "/api/mod/reports/1/dismiss"),
        ("POST", "/api/mod/reports/1/message"),
        ("POST", "/api/mod/posts/1/remove"),
        ("POST", "/api/mod/posts/1/restore"),
        ("POST", "/api/mod/posts/1/lock"),
        ("POST", "/api/mod/posts/1/unlock"),
        ("POST", "/api/mod/comments/1/remove"),
        ("POST", "/api/mod/comments/1/restore"),
        ("POST", "/api/mod/users/someone/warn"),
        ("POST", "/api/mod/users/someone/suspend"),
        ("POST", "/api/mod/users/someone/unsuspend"),
        ("GET", "/api/mod/appeals"),
        ("POST", "/api/mod/appeals/1/decide"),
        ("GET", "/api/mod/log"),
        ("GET", "/api/mod/dashboard"),
        ("GET", "/api/mod/dashboard.svg"),
    ):
        assert expected in endpoints


async def test_a_member_gets_403_from_every_moderation_endpoint(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await members.create("someone")
    await join(maja)
    post = await write_post(maja)
    await write_comment(maja, post["id"])
    endpoints = _moderation_endpoints(app)
    assert len(endpoints) >= 18
    for method, url in endpoints:
        body = {} if method != "GET" else None
        r = await call(maja, method, url, json=body)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["code"] in ("moderators_only", "admins_only"), (method, url)
    # And nobody logged out gets anywhere.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as visitor:
        for method, url in endpoints:
            r = await visitor.request(method, url, json={} if method != "GET" else None)
            assert r.status_code == 401, (method, url)


async def test_group_moderators_need_two_step_login(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    lars = await group_moderator(app, members, "lars", OPEN, two_factor=False)
    r = await call(lars, "GET", "/api/mod/reports")
    assert r.status_code == 403 and r.json()["code"] == "two_factor_required"


async def test_a_site_moderator_without_two_step_login_is_refused(
    app: FastAPI, members: MemberFactory
) -> None:
    mod = await members.create("mod_sara", role="moderator")
    async with app.state.db.sessions() as s:
        await s.execute(update(User).where(User.handle == "mod_sara").values(totp_enabled_at=None))
        await s.commit()
    r = await call(mod, "GET", "/api/mod/reports")
    assert r.status_code == 403 and r.json()["code"] == "two_factor_required"


async def _content(
    members: MemberFactory, slug: str, handle: str
) -> tuple[Member, dict[str, Any], dict[str, Any]]:
    author = await members.create(handle)
    await join(author, slug)
    post = await write_post(author, slug, title=f"Indlæg i {slug}")
    comment = await write_comment(author, post["id"])
    return author, post, comment


async def test_a_group_moderator_acts_only_in_their_own_groups(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    lars = await group_moderator(app, members, "lars", OPEN)
    _mine_author, mine, mine_comment = await _content(members, OPEN, "anna")
    theirs_author, theirs, theirs_comment = await _content(members, OTHER_OPEN, "bobby")
    reporter = await members.create("rita")
    await join(reporter, OPEN)
    await join(reporter, OTHER_OPEN)
    await report(reporter, "post", mine["id"])
    await report(reporter, "post", theirs["id"])
    await report(reporter, "comment", theirs_comment["id"])
    await report(reporter, "user", "bobby")

    # The queue shows reports on content in Lars' group only.
    assert [(i["target_type"], i["target_id"]) for i in await queue(lars)] == [("post", mine["id"])]
    site = await members.create("mod_sara", role="moderator")
    assert len(await queue(site)) == 4
    others = [i for i in await queue(site) if i["target_id"] != mine["id"]]

    for item in others:
        for method, suffix in (("GET", ""), ("POST", "/dismiss")):
            r = await call(lars, method, f"/api/mod/reports/{item['id']}{suffix}")
            assert r.status_code == 403, (item, suffix)
    refused = [
        (f"/api/mod/posts/{theirs['id']}/remove", {"reason": "Nej"}),
        (f"/api/mod/posts/{theirs['id']}/lock", {}),
        (f"/api/mod/comments/{theirs_comment['id']}/remove", {"reason": "Nej"}),
        ("/api/mod/users/bobby/warn", {"reason": "Nej"}),
        ("/api/mod/users/bobby/suspend", {"reason": "Nej", "days": 1}),
    ]
    for url, body in refused:
        r = await call(lars, "POST", url, json=body)
        assert r.status_code == 403, url
    for url in ("/api/mod/log", "/api/mod/dashboard"):
        assert (await call(lars, "GET", url)).status_code == 403

    # In his own group he can act.
    await act(lars, f"/api/mod/posts/{mine['id']}/remove", reason="Bryder gruppens regler")
    await act(lars, f"/api/mod/comments/{mine_comment['id']}/remove", reason="Udhængning")
    await act(lars, f"/api/mod/posts/{mine['id']}/lock")
    # Nothing outside it changed.
    r = await call(theirs_author, "GET", f"/api/posts/{theirs['id']}")
    assert "removed" not in r.json() and r.json()["locked"] is False


@pytest.mark.parametrize("role", ["moderator", "admin"])
async def test_site_moderators_reach_every_group(
    app: FastAPI, members: MemberFactory, role: str
) -> None:
    await seed_groups(app)
    _author, post, _comment = await _content(members, OTHER_OPEN, "bobby")
    site = await members.create(f"site_{role}", role=role)
    await act(site, f"/api/mod/posts/{post['id']}/remove", reason="Spam")
