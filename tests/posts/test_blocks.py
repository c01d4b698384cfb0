"""A block hides each member's group content from the other, both ways, anonymous or not."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups
from tests.posts.helpers import feed_ids, write_comment, write_post


async def test_blocked_members_content_is_hidden_both_ways(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    anna = await members.create("anna")
    for m in (maja, jonas, anna):
        await join(m)
    majas = await write_post(maja, title="Majas indlæg")
    majas_secret = await write_post(maja, title="Majas anonyme indlæg", anonymous=True)
    jonas_post = await write_post(jonas, title="Jonas' indlæg")
    annas = await write_post(anna, title="Annas indlæg")
    on_annas = await write_comment(maja, annas["id"], body="Majas kommentar")
    await write_comment(maja, annas["id"], body="Majas anonyme kommentar", anonymous=True)
    under_majas = await write_comment(
        anna, annas["id"], body="Svar til Maja", parent_id=on_annas["id"]
    )
    annas_own = await write_comment(anna, annas["id"], body="Annas egen")
    await call(maja, "POST", f"/api/posts/{annas['id']}/reactions", json={"kind": "kram"})
    await call(anna, "POST", f"/api/posts/{annas['id']}/reactions", json={"kind": "kram"})
    await write_comment(maja, jonas_post["id"], body="Til Jonas")
    await call(maja, "POST", f"/api/posts/{jonas_post['id']}/reactions", json={"kind": "tak"})
    assert (await call(jonas, "GET", "/api/notifications/unread-count")).json()["unread"] == 2

    r = await call(jonas, "POST", "/api/blocks", json={"handle": "maja"})
    assert r.status_code == 201

    # Jonas no longer sees anything of Maja's, anonymous or not.
    for url in (f"/api/groups/{OPEN}/posts", "/api/feed"):
        assert await feed_ids(jonas, url) == [annas["id"], jonas_post["id"]]
    for p in (majas, majas_secret):
        assert (await call(jonas, "GET", f"/api/posts/{p['id']}")).status_code == 404
        assert (await call(jonas, "GET", f"/api/posts/{p['id']}/comments")).status_code == 404
    comments = (await call(jonas, "GET", f"/api/posts/{annas['id']}/comments")).json()["items"]
    # Maja's comments go, and so does the reply under hers.
    assert [c["id"] for c in comments] == [annas_own["id"]]
    assert under_majas["id"] not in [c["id"] for c in comments]
    post = (await call(jonas, "GET", f"/api/posts/{annas['id']}")).json()
    assert post["reactions"]["kram"] == 1 and post["comment_count"] == 1
    r = await call(jonas, "GET", f"/api/posts/{annas['id']}/reactions")
    assert [i["handle"] for i in r.json()["items"]] == ["anna"]
    r = await call(jonas, "GET", "/api/notifications")
    assert r.json()["items"] == [] and "maja" not in r.text
    assert (await call(jonas, "GET", "/api/notifications/unread-count")).json()["unread"] == 0
    r = await call(
        jonas,
        "POST",
        f"/api/posts/{annas['id']}/comments",
        json={"body": "x", "parent_id": on_annas["id"]},
    )
    assert r.status_code == 404
    r = await call(jonas, "POST", f"/api/posts/{majas['id']}/reactions", json={"kind": "kram"})
    assert r.status_code == 404

    # ...and Maja no longer sees Jonas's.
    for url in (f"/api/groups/{OPEN}/posts", "/api/feed"):
        ids = await feed_ids(maja, url)
        assert jonas_post["id"] not in ids and annas["id"] in ids
    assert (await call(maja, "GET", f"/api/posts/{jonas_post['id']}")).status_code == 404

    # Anna, who blocked no one, still sees everything.
    assert len(await feed_ids(anna, f"/api/groups/{OPEN}/posts")) == 4
    r = await call(anna, "GET", f"/api/posts/{annas['id']}/comments")
    assert len(r.json()["items"]) == 4

    # Unblocking brings it all back.
    assert (await call(jonas, "DELETE", "/api/blocks/maja")).status_code == 204
    assert len(await feed_ids(jonas, f"/api/groups/{OPEN}/posts")) == 4
    assert (await call(jonas, "GET", "/api/notifications/unread-count")).json()["unread"] == 2


async def test_blocked_member_cannot_edit_or_learn_about_hidden_comments(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    anna = await members.create("anna")
    for m in (maja, jonas, anna):
        await join(m)
    annas = await write_post(anna)
    majas_comment = await write_comment(maja, annas["id"])
    await call(maja, "POST", "/api/blocks", json={"handle": "jonas"})
    r = await call(jonas, "PATCH", f"/api/comments/{majas_comment['id']}", json={"body": "x"})
    assert r.status_code == 404 and r.json()["code"] == "comment_not_found"
    r = await call(jonas, "DELETE", f"/api/comments/{majas_comment['id']}")
    assert r.status_code == 404
