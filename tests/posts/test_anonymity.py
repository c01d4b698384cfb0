"""Anonymous posts and comments: nothing a non-moderator receives leads back to the writer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.accounts.models import User
from app.realtime.hub import Listener, user_channel
from tests.factories import Member, MemberFactory
from tests.groups.helpers import (
    OPEN,
    call,
    join,
    make_group_moderator,
    seed_groups,
    start_user_ids_at,
)
from tests.posts.helpers import walk, write_comment, write_post

SECRET_HANDLE = "skjultesol"
SECRET_NAME = "Hemmelige Hanne"
SECRET_ID = 987_001
ANONYMOUS = {"anonymous": True, "label_key": "anonymous_member"}
LEAKY_KEYS = {"author_id", "user_id", "actor_id", "revealed_author", "handle_key"}


async def _user_id(app: FastAPI, handle: str) -> int:
    async with app.state.db.sessions() as s:
        found = await s.scalar(select(User.id).where(User.handle == handle))
        assert found is not None
        return found


def _assert_no_trace(label: str, text: str) -> None:
    low = text.casefold()
    assert SECRET_HANDLE not in low, label
    assert SECRET_NAME.casefold() not in low, label
    assert str(SECRET_ID) not in text, label


def _assert_minute(value: str) -> None:
    at = datetime.fromisoformat(value)
    assert at.second == 0 and at.microsecond == 0, value


async def _anonymous_scene(app: FastAPI, members: MemberFactory) -> dict[str, Any]:
    """An anonymous writer posts, comments and replies; a reader gets notified of it all."""
    await seed_groups(app)
    await start_user_ids_at(app, SECRET_ID - 1)
    writer = await members.create(
        SECRET_HANDLE,
        profile={"display_name": SECRET_NAME, "city": "Odense"},
        privacy={"field_visibility": {"display_name": "public", "city": "public"}},
    )
    assert await _user_id(app, SECRET_HANDLE) == SECRET_ID
    reader = await members.create("jonas")
    await join(writer)
    await join(reader)
    listener = Listener()
    await app.state.hub.subscribe(user_channel(await _user_id(app, "jonas")), listener)

    readers_post = await write_post(reader, title="Jonas spørger om noget")
    post = await write_post(
        writer,
        title="Et anonymt indlæg",
        body="Jeg tør ikke sige det højt.",
        anonymous=True,
        content_warning={"topic": "selvskade"},
    )
    assert post["author"] == ANONYMOUS and post["is_mine"] is True
    assert "revealed_author" not in post
    edited = await call(writer, "PATCH", f"/api/posts/{post['id']}", json={"body": "Rettet."})
    assert edited.status_code == 200 and edited.json()["author"] == ANONYMOUS
    on_readers = await write_comment(
        writer, readers_post["id"], body="Anonymt svar", anonymous=True
    )
    readers_comment = await write_comment(reader, post["id"], body="Du er ikke alene.")
    # The writer of an anonymous post stays anonymous in its thread without asking.
    reply = await write_comment(writer, post["id"], body="Tak", parent_id=readers_comment["id"])
    assert reply["author"] == ANONYMOUS and reply["is_mine"] is True
    return {
        "writer": writer,
        "reader": reader,
        "post": post,
        "readers_post": readers_post,
        "comments": [on_readers["id"], reply["id"]],
        "listener": listener,
    }


async def test_anonymous_author_never_reaches_another_member(
    app: FastAPI, members: MemberFactory
) -> None:
    scene = await _anonymous_scene(app, members)
    reader: Member = scene["reader"]
    post, readers_post = scene["post"], scene["readers_post"]
    pid, rpid = post["id"], readers_post["id"]
    seen: list[tuple[str, httpx.Response]] = []

    # The reader writes and reacts too; their own responses count.
    for method, url, body in (
        (
            "POST",
            f"/api/posts/{rpid}/comments",
            {"body": "Kram", "parent_id": scene["comments"][0]},
        ),
        ("POST", f"/api/posts/{pid}/comments", {"body": "Også mig"}),
        ("POST", f"/api/posts/{pid}/reactions", {"kind": "kram"}),
        ("DELETE", f"/api/posts/{pid}/reactions/kram", None),
        ("POST", f"/api/posts/{pid}/reactions", {"kind": "hjerte"}),
    ):
        r = await call(reader, method, url, json=body)
        seen.append((f"{method} {url}", r))
    for url in (
        "/api/groups",
        f"/api/groups/{OPEN}",
        f"/api/groups/{OPEN}/posts",
        "/api/feed",
        f"/api/posts/{pid}",
        f"/api/posts/{pid}/comments",
        f"/api/posts/{pid}/reactions",
        f"/api/posts/{rpid}",
        f"/api/posts/{rpid}/comments",
        "/api/notifications",
        "/api/notifications/unread-count",
    ):
        r = await call(reader, "GET", url)
        assert r.status_code == 200, (url, r.text)
        seen.append((url, r))

    for label, r in seen:
        assert r.status_code < 300, (label, r.text)
        _assert_no_trace(label, r.text)
        if r.content:
            keys = {k for k, _ in walk(r.json())}
            assert not keys & LEAKY_KEYS, (label, keys & LEAKY_KEYS)

    # The anonymous items themselves: labelled, and their times cannot be matched to a second.
    r = await call(reader, "GET", f"/api/posts/{pid}")
    shown = r.json()
    assert shown["author"] == ANONYMOUS and "is_mine" not in shown
    _assert_minute(shown["created_at"])
    _assert_minute(shown["edited_at"])
    comments = (await call(reader, "GET", f"/api/posts/{pid}/comments")).json()["items"]
    anonymous_comments = [c for c in comments if c["anonymous"]]
    assert anonymous_comments and all(c["author"] == ANONYMOUS for c in anonymous_comments)
    for c in anonymous_comments:
        _assert_minute(c["created_at"])
        assert "is_mine" not in c
    notes = (await call(reader, "GET", "/api/notifications")).json()["items"]
    assert {n["kind"] for n in notes} == {"comment", "reply"}
    for n in notes:
        assert n["actor"] == ANONYMOUS
        _assert_minute(n["created_at"])

    # Reactions are never anonymous: if the writer reacts to their own post, their handle shows
    # as one reactor among others, with nothing that marks them as the post's author.
    await call(scene["writer"], "POST", f"/api/posts/{pid}/reactions", json={"kind": "tak"})
    r = await call(reader, "GET", f"/api/posts/{pid}/reactions")
    assert {i["handle"] for i in r.json()["items"]} == {"jonas", SECRET_HANDLE}
    assert {k for k, _ in walk(r.json())} <= {"items", "next_cursor", "handle", "kind"}

    # Live notification frames say no more than the list.
    listener: Listener = scene["listener"]
    frames = []
    while not listener.queue.empty():
        frames.append(listener.queue.get_nowait())
    assert len(frames) == 2
    for frame in frames:
        _assert_no_trace("live frame", frame)
        assert '"type":"notification"' in frame

    # The writer's profile does not point at the post either.
    r = await call(reader, "GET", f"/api/users/{SECRET_HANDLE}")
    assert r.status_code == 200
    assert post["title"] not in r.text and str(pid) not in r.text


async def test_moderators_see_who_wrote_anonymously(app: FastAPI, members: MemberFactory) -> None:
    scene = await _anonymous_scene(app, members)
    pid = scene["post"]["id"]
    group_mod = await members.create("lars")
    await make_group_moderator(app, group_mod, OPEN)
    site_mod = await members.create("mod_lars", role="moderator")
    for mod in (group_mod, site_mod):
        r = await call(mod, "GET", f"/api/posts/{pid}")
        assert r.json()["author"] == ANONYMOUS  # still labelled as the members see it
        assert r.json()["revealed_author"] == {"handle": SECRET_HANDLE}
        feed = (await call(mod, "GET", f"/api/groups/{OPEN}/posts")).json()["items"]
        by_id = {p["id"]: p for p in feed}
        assert by_id[pid]["revealed_author"] == {"handle": SECRET_HANDLE}
        assert "revealed_author" not in by_id[scene["readers_post"]["id"]]
        comments = (await call(mod, "GET", f"/api/posts/{pid}/comments")).json()["items"]
        reply = next(c for c in comments if c["id"] == scene["comments"][1])
        assert reply["revealed_author"] == {"handle": SECRET_HANDLE}
    # A moderator of another group only is an ordinary reader here.
    other_mod = await members.create("anna")
    await make_group_moderator(app, other_mod, "ensomhed")
    r = await call(other_mod, "GET", f"/api/posts/{pid}")
    assert "revealed_author" not in r.json()
    _assert_no_trace("other group's moderator", r.text)


async def test_anonymous_author_may_choose_to_comment_openly(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    writer = await members.create("maja")
    reader = await members.create("jonas")
    await join(writer)
    await join(reader)
    post = await write_post(writer, anonymous=True)
    open_comment = await write_comment(writer, post["id"], anonymous=False)
    assert open_comment["author"]["handle"] == "maja"
    anonymous_elsewhere = await write_comment(reader, post["id"], anonymous=True)
    assert anonymous_elsewhere["author"] == ANONYMOUS
    plain = await write_comment(reader, post["id"])
    assert plain["author"]["handle"] == "jonas"
    # The writer's view of their own anonymous post: labelled anonymous, marked as theirs.
    mine = (await call(writer, "GET", f"/api/posts/{post['id']}")).json()
    assert mine["author"] == ANONYMOUS and mine["is_mine"] is True
