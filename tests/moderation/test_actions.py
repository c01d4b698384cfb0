"""Moderator actions as members see them, and the audit log that records each one once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import orjson
from fastapi import FastAPI

from app.realtime.hub import Listener, user_channel
from tests.factories import Member, MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups
from tests.moderation.helpers import (
    act,
    audit_log,
    group_moderator,
    notices,
    queue,
    queue_item,
    report,
    user_id,
)
from tests.posts.helpers import feed_ids, write_comment, write_post

MOD = "mod_sara"


async def _cast(app: FastAPI, members: MemberFactory, *handles: str) -> list[Member]:
    await seed_groups(app)
    out = []
    for handle in handles:
        member = await members.create(handle)
        await join(member)
        out.append(member)
    return out


async def test_a_removed_post_disappears_for_everyone_but_its_author_and_moderators(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna = await _cast(app, members, "maja", "jonas", "anna")
    post = await write_post(maja, title="Fjernes snart")
    kept = await write_post(anna, title="Bliver")
    await write_comment(jonas, post["id"])
    await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "kram"})
    await report(anna, "post", post["id"])
    mod = await members.create(MOD, role="moderator")
    await join(mod)
    listener = Listener()
    channel = user_channel(await user_id(app, "maja"))
    await app.state.hub.subscribe(channel, listener)
    try:
        out = await act(
            mod, f"/api/mod/posts/{post['id']}/remove", reason="Deler private oplysninger"
        )
        frames = [orjson.loads(listener.queue.get_nowait()) for _ in range(listener.queue.qsize())]
    finally:
        await app.state.hub.unsubscribe(channel, listener)
    assert out["action"] == "post_removed" and len(out["closed_reports"]) == 1

    for viewer in (jonas, anna):
        for url in (f"/api/groups/{OPEN}/posts", "/api/feed"):
            assert await feed_ids(viewer, url) == [kept["id"]]
        assert (await call(viewer, "GET", f"/api/posts/{post['id']}")).status_code == 404
        r = await call(viewer, "GET", f"/api/posts/{post['id']}/comments")
        assert r.status_code == 404
        r = await call(viewer, "GET", "/api/notifications")
        assert "Fjernes snart" not in r.text
        r = await call(viewer, "GET", "/api/groups", params={"q": "Fjernes"})
        assert "Fjernes snart" not in r.text
    # Maja still sees it, marked removed with the reason, and was told the same way.
    mine = (await call(maja, "GET", f"/api/posts/{post['id']}")).json()
    assert mine["removed"] is True and mine["removed_reason"] == "Deler private oplysninger"
    assert post["id"] in await feed_ids(maja, f"/api/groups/{OPEN}/posts")
    [notice] = await notices(maja)
    assert notice["kind"] == "content_removed"
    assert notice["reason"] == "Deler private oplysninger"
    assert (notice["target_type"], notice["target_id"]) == ("post", post["id"])
    assert notice["actor"] == "Moderator"
    assert [f["notice"]["id"] for f in frames] == [notice["id"]]
    for text in (
        orjson.dumps(frames).decode(),
        (await call(maja, "GET", "/api/moderation/notices")).text,
    ):
        assert MOD not in text
    # Moderators still see it; the stored post is kept for appeal and audit.
    assert (await call(mod, "GET", f"/api/posts/{post['id']}")).json()["removed"] is True

    await act(mod, f"/api/mod/posts/{post['id']}/restore")
    assert post["id"] in await feed_ids(jonas, "/api/feed")
    restored = (await call(jonas, "GET", f"/api/posts/{post['id']}")).json()
    assert "removed" not in restored and "removed_reason" not in restored
    assert [n["kind"] for n in await notices(maja)] == ["content_restored", "content_removed"]


async def test_removing_twice_or_restoring_what_stands_is_refused(
    app: FastAPI, members: MemberFactory
) -> None:
    (maja,) = await _cast(app, members, "maja")
    post = await write_post(maja)
    mod = await members.create(MOD, role="moderator")
    r = await call(mod, "POST", f"/api/mod/posts/{post['id']}/restore")
    assert r.status_code == 409 and r.json()["code"] == "not_removed"
    await act(mod, f"/api/mod/posts/{post['id']}/remove", reason="Spam")
    r = await call(mod, "POST", f"/api/mod/posts/{post['id']}/remove", json={"reason": "Igen"})
    assert r.status_code == 409 and r.json()["code"] == "already_removed"
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "a\x00"}):
        r = await call(mod, "POST", "/api/mod/comments/1/remove", json=body)
        assert r.status_code == 422, body
    r = await call(mod, "POST", "/api/mod/posts/999999/remove", json={"reason": "Spam"})
    assert r.status_code == 404 and r.json()["code"] == "post_not_found"


async def test_a_removed_comment_is_hidden_but_kept_for_its_author(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    post = await write_post(maja)
    comment = await write_comment(jonas, post["id"], body="Grim kommentar")
    mod = await members.create(MOD, role="moderator")
    await act(mod, f"/api/mod/comments/{comment['id']}/remove", reason="Hånlig tone")
    r = await call(maja, "GET", f"/api/posts/{post['id']}/comments")
    assert r.json()["items"] == []
    assert (await call(maja, "GET", f"/api/posts/{post['id']}")).json()["comment_count"] == 0
    assert "Grim kommentar" not in (await call(maja, "GET", "/api/notifications")).text
    own = (await call(jonas, "GET", f"/api/posts/{post['id']}/comments")).json()["items"]
    assert own[0]["removed"] is True and own[0]["removed_reason"] == "Hånlig tone"
    [notice] = await notices(jonas)
    assert (notice["kind"], notice["target_type"]) == ("content_removed", "comment")
    await act(mod, f"/api/mod/comments/{comment['id']}/restore")
    r = await call(maja, "GET", f"/api/posts/{post['id']}/comments")
    assert [c["id"] for c in r.json()["items"]] == [comment["id"]]


async def test_a_locked_thread_refuses_new_comments(app: FastAPI, members: MemberFactory) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    post = await write_post(maja)
    mod = await members.create(MOD, role="moderator")
    await join(mod)
    await act(mod, f"/api/mod/posts/{post['id']}/lock")
    assert (await call(jonas, "GET", f"/api/posts/{post['id']}")).json()["locked"] is True
    for member in (jonas, maja):
        r = await call(member, "POST", f"/api/posts/{post['id']}/comments", json={"body": "Hej"})
        assert r.status_code == 403 and r.json()["code"] == "thread_locked"
    # Moderators can still write in it, e.g. to explain why it was locked.
    r = await call(mod, "POST", f"/api/posts/{post['id']}/comments", json={"body": "Låst"})
    assert r.status_code == 201
    r = await call(mod, "POST", f"/api/mod/posts/{post['id']}/lock")
    assert r.status_code == 409 and r.json()["code"] == "already_locked"
    await act(mod, f"/api/mod/posts/{post['id']}/unlock")
    await write_comment(jonas, post["id"])
    r = await call(mod, "POST", f"/api/mod/posts/{post['id']}/unlock")
    assert r.status_code == 409 and r.json()["code"] == "not_locked"


async def test_a_suspended_members_token_is_refused_at_once(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    await report(jonas, "user", "maja")
    mod = await members.create(MOD, role="moderator")
    assert (await call(maja, "GET", "/api/me")).status_code == 200
    out = await act(mod, "/api/mod/users/maja/suspend", reason="Chikane", days=7)
    assert out["action"] == "user_suspended" and len(out["closed_reports"]) == 1
    r = await call(maja, "GET", "/api/me")
    assert r.status_code == 401
    r = await call(maja, "POST", "/api/auth/refresh", json={"refresh_token": maja.refresh_token})
    assert r.status_code == 401
    r = await call(
        maja,
        "POST",
        "/api/auth/login",
        json={"handle": "maja", "password": maja.password, "use_cookies": False},
    )
    assert r.status_code == 403 and r.json()["code"] == "account_suspended"
    until = datetime.fromisoformat(r.json()["detail"].rsplit(" ", 1)[-1].rstrip("."))
    assert timedelta(days=6) < until - datetime.now(UTC) <= timedelta(days=7)
    # Jonas, who reported, hears that something was done; the others' sessions are untouched.
    assert [n["outcome"] for n in await notices(jonas)] == ["action_taken"]

    await act(mod, "/api/mod/users/maja/unsuspend")
    r = await call(
        maja,
        "POST",
        "/api/auth/login",
        json={"handle": "maja", "password": maja.password, "use_cookies": False},
    )
    assert r.status_code == 200
    maja.token = r.json()["access_token"]
    kinds = [n["kind"] for n in await notices(maja)]
    assert kinds == ["unsuspended", "suspended"]
    r = await call(mod, "POST", "/api/mod/users/maja/unsuspend")
    assert r.status_code == 409 and r.json()["code"] == "not_suspended"


async def test_a_ban_has_no_end_and_moderators_are_protected_from_each_other(
    app: FastAPI, members: MemberFactory
) -> None:
    (maja,) = await _cast(app, members, "maja")
    mod = await members.create(MOD, role="moderator")
    other = await members.create("mod_ib", role="moderator")
    admin = await members.create("admin_ole", role="admin")
    out = await act(mod, "/api/mod/users/maja/suspend", reason="Trusler", days=None)
    assert out["action"] == "user_banned"
    r = await call(
        maja,
        "POST",
        "/api/auth/login",
        json={"handle": "maja", "password": maja.password, "use_cookies": False},
    )
    assert r.status_code == 403 and "9999" in r.json()["detail"]
    r = await call(mod, "POST", "/api/mod/users/mod_ib/suspend", json={"reason": "x", "days": 1})
    assert r.status_code == 403 and r.json()["code"] == "cannot_moderate_moderator"
    r = await call(mod, "POST", f"/api/mod/users/{MOD}/warn", json={"reason": "x"})
    assert r.status_code == 400 and r.json()["code"] == "cannot_moderate_self"
    r = await call(mod, "POST", "/api/mod/users/maja/suspend", json={"reason": "x"})
    assert r.status_code == 422
    await act(admin, "/api/mod/users/mod_ib/warn", reason="Husk at begrunde")
    assert other.handle == "mod_ib"


async def test_a_warning_reaches_the_member_signed_moderator(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    post = await write_post(maja)
    await report(jonas, "post", post["id"])
    mod = await members.create(MOD, role="moderator")
    item = await queue_item(mod, "post", post["id"])
    out = await act(
        mod, "/api/mod/users/maja/warn", reason="Hold en venlig tone", report_id=item["id"]
    )
    assert out["closed_reports"] == [item["id"]]
    [notice] = await notices(maja)
    assert notice["kind"] == "warning" and notice["reason"] == "Hold en venlig tone"
    assert notice["actor"] == "Moderator"
    r = await call(
        mod, "POST", "/api/mod/users/jonas/warn", json={"reason": "x", "report_id": item["id"]}
    )
    assert r.status_code == 400 and r.json()["code"] == "report_not_about_member"


async def test_every_moderator_action_is_in_the_audit_log_exactly_once(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna = await _cast(app, members, "maja", "jonas", "anna")
    post = await write_post(maja)
    other = await write_post(anna)
    comment = await write_comment(jonas, post["id"])
    await report(anna, "post", post["id"])
    mod = await members.create(MOD, role="moderator")
    admin = await members.create("admin_ole", role="admin")
    item = await queue_item(mod, "post", post["id"])
    await act(mod, f"/api/mod/reports/{item['id']}/dismiss")
    await act(mod, f"/api/mod/posts/{other['id']}/remove", reason="r1")
    await act(mod, f"/api/mod/posts/{other['id']}/restore")
    await act(mod, f"/api/mod/comments/{comment['id']}/remove", reason="r2")
    await act(mod, f"/api/mod/comments/{comment['id']}/restore")
    await act(mod, f"/api/mod/posts/{post['id']}/lock")
    await act(mod, f"/api/mod/posts/{post['id']}/unlock")
    await act(mod, "/api/mod/users/jonas/warn", reason="r3")
    await act(mod, "/api/mod/users/jonas/suspend", reason="r4", days=1)
    await act(mod, "/api/mod/users/jonas/unsuspend")
    await act(mod, "/api/mod/users/anna/suspend", reason="r5", days=None)
    # Refused actions leave no trace.
    await call(mod, "POST", f"/api/mod/posts/{post['id']}/unlock")
    await call(mod, "POST", f"/api/mod/reports/{item['id']}/dismiss")

    log = await audit_log(admin)
    counts = Counter(e["action"] for e in log)
    assert counts == {
        "report_dismissed": 1,
        "post_removed": 1,
        "post_restored": 1,
        "comment_removed": 1,
        "comment_restored": 1,
        "post_locked": 1,
        "post_unlocked": 1,
        "user_warned": 1,
        "user_suspended": 1,
        "user_unsuspended": 1,
        "user_banned": 1,
    }
    assert {e["moderator"]["handle"] for e in log} == {MOD}
    removed = next(e for e in log if e["action"] == "comment_removed")
    assert removed["subject"] == {"handle": "jonas"} and removed["reason"] == "r2"
    assert removed["group"] == OPEN

    # Filters: by moderator, action, target and time.
    assert len(await audit_log(admin, moderator=MOD)) == 11
    assert await audit_log(admin, moderator="admin_ole") == []
    assert [e["action"] for e in await audit_log(admin, action="user_warned")] == ["user_warned"]
    on_post = await audit_log(admin, target_type="post", target_id=post["id"])
    assert sorted(e["action"] for e in on_post) == [
        "post_locked",
        "post_unlocked",
        "report_dismissed",
    ]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await audit_log(admin, since=future) == []
    assert len(await audit_log(admin, until=future)) == 11
    r = await call(admin, "GET", "/api/mod/log", params={"since": "2026-01-01T00:00:00"})
    assert r.status_code == 422
    page = await call(admin, "GET", "/api/mod/log", params={"limit": 4})
    assert len(page.json()["items"]) == 4 and page.json()["next_cursor"]
    # Site moderators who are not admins cannot read it.
    r = await call(mod, "GET", "/api/mod/log")
    assert r.status_code == 403 and r.json()["code"] == "admins_only"


async def test_the_public_log_counts_actions_and_names_nobody(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    post = await write_post(maja)
    await report(jonas, "post", post["id"])
    mod = await members.create(MOD, role="moderator")
    await act(mod, f"/api/mod/posts/{post['id']}/remove", reason="Hemmelig begrundelse")
    r = await call(jonas, "GET", "/api/moderation/log")
    assert r.status_code == 200
    body = r.json()
    assert body["actor"] == "Moderator" and len(body["days"]) == 30
    assert body["days"][-1]["actions"]["post_removed"] == 1
    assert "message_viewed" not in body["days"][-1]["actions"]
    for secret in (MOD, "jonas", "maja", "Hemmelig"):
        assert secret not in r.text


async def test_the_dashboard_shows_open_reports_speed_and_actions(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    posts = [await write_post(maja, title=f"{i}") for i in range(3)]
    for post in posts:
        await report(jonas, "post", post["id"])
    mod = await members.create(MOD, role="moderator")
    await act(mod, f"/api/mod/posts/{posts[0]['id']}/remove", reason="<script>alert(1)</script>")
    r = await call(mod, "GET", "/api/mod/dashboard")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["open_reports"] == 2 and data["open_crisis_reports"] == 0
    assert data["median_seconds_to_first_action"] is not None
    assert data["median_seconds_to_first_action"] >= 0
    assert len(data["actions_by_day"]) == 30
    assert data["actions_by_day"][-1]["actions"]["post_removed"] == 1

    svg = await call(mod, "GET", "/api/mod/dashboard.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and svg.text.count("<rect") > 30
    assert "<script" not in svg.text and "alert" not in svg.text
    assert "Open reports: 2" in svg.text


async def test_group_moderators_are_shown_as_moderator_too(
    app: FastAPI, members: MemberFactory
) -> None:
    (maja,) = await _cast(app, members, "maja")
    lars = await group_moderator(app, members, "lars_gruppe", OPEN)
    post = await write_post(maja)
    await act(lars, f"/api/mod/posts/{post['id']}/remove", reason="Off topic")
    text = (await call(maja, "GET", "/api/moderation/notices")).text
    assert "lars" not in text and "Moderator" in text
    assert await queue(lars) == []
