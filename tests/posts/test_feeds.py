"""The group feed and my feed: newest first, each post exactly once, a fixed query cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import Member, MemberFactory
from tests.groups.helpers import CLOSED, OPEN, OTHER_OPEN, call, join, seed_groups
from tests.posts.helpers import feed_ids, write_comment, write_post


async def test_my_feed_gathers_my_groups_newest_first(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja, OPEN)
    await join(maja, OTHER_OPEN)
    await join(jonas, OPEN)
    await join(jonas, OTHER_OPEN)
    await join(jonas, "ensomhed")
    await join(jonas, "angst-og-depression")
    a = await write_post(jonas, OPEN)
    b = await write_post(jonas, "angst-og-depression")  # not one of Maja's groups
    c = await write_post(jonas, OTHER_OPEN)
    d = await write_post(maja, OPEN)
    assert await feed_ids(maja, "/api/feed") == [d["id"], c["id"], a["id"]]
    assert b["id"] in await feed_ids(jonas, "/api/feed")
    items = (await call(maja, "GET", "/api/feed")).json()["items"]
    assert [i["group"]["slug"] for i in items] == [OPEN, OTHER_OPEN, OPEN]
    # A pending request adds nothing to my feed; having no groups gives an empty feed.
    await call(maja, "POST", f"/api/groups/{CLOSED}/join")
    assert len(await feed_ids(maja, "/api/feed")) == 3
    anna = await members.create("anna")
    r = await call(anna, "GET", "/api/feed")
    assert r.json() == {"items": [], "next_cursor": None}


async def _read_all_while_writing(
    reader: Member, writer: Member, url: str, slug: str
) -> tuple[list[int], list[int]]:
    """Page through a feed three at a time, writing new posts between pages."""
    seen: list[int] = []
    written: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["before"] = cursor
        r = await call(reader, "GET", url, params=params)
        assert r.status_code == 200, r.text
        seen += [p["id"] for p in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return seen, written
        for _ in range(2):
            written.append((await write_post(writer, slug, title="Nyt imens"))["id"])


async def test_paging_returns_each_post_once_while_new_posts_arrive(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    for m in (maja, jonas):
        await join(m, OPEN)
        await join(m, OTHER_OPEN)
    before = []
    for i in range(8):
        before.append((await write_post(jonas, OPEN if i % 2 else OTHER_OPEN))["id"])
    group_before = [p for i, p in enumerate(before) if i % 2]

    seen, group_written = await _read_all_while_writing(
        maja, jonas, f"/api/groups/{OPEN}/posts", OPEN
    )
    assert group_written  # posts really did arrive during the reading
    assert seen == sorted(group_before, reverse=True)
    await app.state.limiter.reset()

    seen, written = await _read_all_while_writing(maja, jonas, "/api/feed", OTHER_OPEN)
    assert written
    assert seen == sorted([*before, *group_written], reverse=True)
    # Nothing was lost: the new posts are all there when the reader starts again from the top.
    newest = await feed_ids(maja, "/api/feed", limit=50)
    assert set(newest) == set(before) | set(written) | set(group_written)


@contextmanager
def count_statements(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.state.db.engine.sync_engine

    def before_cursor_execute(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


async def _busy_posts(app: FastAPI, writers: list[Member], n: int) -> None:
    """Posts with comments, replies, reactions and anonymous items, like a lively group."""
    for i in range(n):
        author = writers[i % len(writers)]
        other = writers[(i + 1) % len(writers)]
        post = await write_post(
            author,
            anonymous=i % 3 == 0,
            content_warning={"topic": "sorg"} if i % 2 else None,
        )
        comment = await write_comment(other, post["id"], anonymous=i % 4 == 0)
        await write_comment(author, post["id"], parent_id=comment["id"])
        for kind in ("kram", "hjerte"):
            await call(other, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": kind})
        await app.state.limiter.reset()


async def test_feeds_cost_the_same_queries_whatever_the_number_of_posts(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    writers = [await members.create(h) for h in ("maja", "jonas", "anna")]
    reader = await members.create("sofie")
    for m in (*writers, reader):
        await join(m)
    mod = await members.create("mod_lars", role="moderator")
    await join(mod)

    async def cost(member: Member, url: str, expected: int) -> int:
        with count_statements(app) as statements:
            r = await call(member, "GET", url, params={"limit": 50})
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) == expected
        return len(statements)

    await _busy_posts(app, writers, 2)
    few = {
        (who.handle, url): await cost(who, url, 2)
        for who in (reader, mod)
        for url in (f"/api/groups/{OPEN}/posts", "/api/feed")
    }
    await _busy_posts(app, writers, 16)
    many = {
        (who.handle, url): await cost(who, url, 18)
        for who in (reader, mod)
        for url in (f"/api/groups/{OPEN}/posts", "/api/feed")
    }
    assert many == few
    # Authentication, the group or memberships, the page, reaction and comment counts.
    assert max(few.values()) <= 8
