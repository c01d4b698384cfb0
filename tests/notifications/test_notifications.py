"""The bell: replies to my posts and comments and reactions to my posts, read and unread."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from sqlalchemy import select

from app.accounts.models import User
from app.notifications.models import Notification
from app.realtime.hub import Listener, user_channel
from tests.factories import Member, MemberFactory
from tests.groups.helpers import CLOSED, call, join, make_group_moderator, seed_groups
from tests.posts.helpers import write_comment, write_post


async def _notes(member: Member, **params: Any) -> list[dict[str, Any]]:
    r = await call(member, "GET", "/api/notifications", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def _unread(member: Member) -> int:
    r = await call(member, "GET", "/api/notifications/unread-count")
    assert r.status_code == 200
    unread: int = r.json()["unread"]
    return unread


async def _user_id(app: FastAPI, handle: str) -> int:
    async with app.state.db.sessions() as s:
        found = await s.scalar(select(User.id).where(User.handle == handle))
        assert found is not None
        return found


async def test_comments_replies_and_reactions_notify_me(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    anna = await members.create("anna")
    for m in (maja, jonas, anna):
        await join(m)
    post = await write_post(maja, title="Min første uge")
    comment = await write_comment(jonas, post["id"])
    await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "kram"})
    reply = await write_comment(anna, post["id"], parent_id=comment["id"])
    # My own activity never notifies me.
    await write_comment(maja, post["id"])
    await call(maja, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "tak"})

    notes = await _notes(maja)
    assert [(n["kind"], n["actor"]) for n in notes] == [
        ("comment", {"anonymous": False, "handle": "anna"}),
        ("reaction", {"anonymous": False, "handle": "jonas"}),
        ("comment", {"anonymous": False, "handle": "jonas"}),
    ]
    assert all(n["post_id"] == post["id"] and n["post_title"] == "Min første uge" for n in notes)
    assert notes[0]["comment_id"] == reply["id"] and notes[1]["reaction"] == "kram"
    assert not any(n["read"] for n in notes)
    assert await _unread(maja) == 3

    jonas_notes = await _notes(jonas)
    assert [(n["kind"], n["comment_id"]) for n in jonas_notes] == [("reply", reply["id"])]
    assert await _notes(anna) == []


async def test_marking_notifications_read(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    for _ in range(3):
        await write_comment(jonas, post["id"])
    jonas_post = await write_post(jonas)
    await write_comment(maja, jonas_post["id"])
    notes = await _notes(maja)
    first = notes[0]["id"]
    jonas_note = (await _notes(jonas))[0]["id"]

    r = await call(maja, "POST", "/api/notifications/read", json={"ids": [first, jonas_note]})
    assert r.status_code == 200 and r.json() == {"unread": 2}
    assert [n["read"] for n in await _notes(maja)] == [True, False, False]
    # Someone else's notification is untouched.
    assert await _unread(jonas) == 1
    r = await call(maja, "POST", "/api/notifications/read", json={"all": True})
    assert r.json() == {"unread": 0}
    assert all(n["read"] for n in await _notes(maja))
    assert await _unread(jonas) == 1


async def test_bad_mark_read_requests_are_4xx(app: FastAPI, members: MemberFactory) -> None:
    maja = await members.create("maja")
    for body in (
        {},
        {"ids": []},
        {"all": False},
        {"all": True, "ids": [1]},
        {"ids": list(range(1, 102))},
        {"ids": ["en"]},
        {"ids": [0]},
        {"everything": True},
        [1, 2],
    ):
        r = await call(maja, "POST", "/api/notifications/read", json=body)
        assert r.status_code == 422, body
    r = await call(maja, "GET", "/api/notifications", params={"before": "x1"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


async def test_visitors_have_no_notifications(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/notifications")).status_code == 401
    assert (await client.get("/api/notifications/unread-count")).status_code == 401
    r = await client.post("/api/notifications/read", json={"all": True})
    assert r.status_code == 401


async def test_notifications_page_newest_first(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    ids = [(await write_comment(jonas, post["id"], body=f"{i}"))["id"] for i in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["before"] = cursor
        r = await call(maja, "GET", "/api/notifications", params=params)
        seen += [n["comment_id"] for n in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


async def test_anonymous_comment_notification_does_not_name_the_writer(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas", profile={"display_name": "Jonas J"})
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    await write_comment(jonas, post["id"], anonymous=True)
    r = await call(maja, "GET", "/api/notifications")
    note = r.json()["items"][0]
    assert note["actor"] == {"anonymous": True, "label_key": "anonymous_member"}
    assert "jonas" not in r.text.casefold()
    # The server still knows who it was (for blocks and moderation), it just never says.
    async with app.state.db.sessions() as s:
        actor = await s.scalar(select(Notification.actor_id).where(Notification.id == note["id"]))
    assert actor == await _user_id(app, "jonas")


async def test_notification_goes_live_to_my_open_tabs_after_commit(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    tab = Listener()
    channel = user_channel(await _user_id(app, "maja"))
    await app.state.hub.subscribe(channel, tab)
    try:
        comment = await write_comment(jonas, post["id"])
        await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "styrke"})
        frames = [orjson.loads(tab.queue.get_nowait()) for _ in range(tab.queue.qsize())]
    finally:
        await app.state.hub.unsubscribe(channel, tab)
    assert [f["type"] for f in frames] == ["notification", "notification"]
    assert frames[0]["notification"]["comment_id"] == comment["id"]
    assert frames[1]["notification"]["reaction"] == "styrke"
    # A frame is what the list shows, and what it points at is already committed.
    listed = await _notes(maja)
    assert [f["notification"]["id"] for f in frames] == [n["id"] for n in reversed(listed)]
    assert frames[1]["notification"]["actor"] == {"anonymous": False, "handle": "jonas"}


async def test_notifications_vanish_with_what_they_point_at(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    await make_group_moderator(app, maja, CLOSED)
    await make_group_moderator(app, jonas, CLOSED)
    post = await write_post(maja)
    comment = await write_comment(jonas, post["id"])
    await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "kram"})
    closed_post = await write_post(maja, CLOSED)
    await write_comment(jonas, closed_post["id"])
    assert await _unread(maja) == 3

    # Taking a reaction back takes its notification too.
    await call(jonas, "DELETE", f"/api/posts/{post['id']}/reactions/kram")
    # A deleted comment leaves no trace in the bell.
    assert (await call(jonas, "DELETE", f"/api/comments/{comment['id']}")).status_code == 204
    assert await _unread(maja) == 1
    # Leaving a group by request means no more news from it.
    await call(maja, "POST", f"/api/groups/{CLOSED}/leave")
    assert await _notes(maja) == [] and await _unread(maja) == 0


async def test_reply_to_my_comment_on_an_anonymous_post(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja, anonymous=True)
    comment = await write_comment(jonas, post["id"])
    await write_comment(maja, post["id"], parent_id=comment["id"])  # anonymous by default
    r = await call(jonas, "GET", "/api/notifications")
    (note,) = r.json()["items"]
    assert note["kind"] == "reply"
    assert note["actor"] == {"anonymous": True, "label_key": "anonymous_member"}
    assert "maja" not in r.text
    # The anonymous writer hears about comments on their own post as usual.
    assert [n["kind"] for n in await _notes(maja)] == ["comment"]
