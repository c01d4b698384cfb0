"""Muting: a member stops seeing another's posts and comments; nobody else notices anything."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups
from tests.posts.helpers import feed_ids, write_comment, write_post


async def test_muting_hides_their_content_for_me_only(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    anna = await members.create("anna")
    for m in (maja, jonas, anna):
        await join(m)
    jonas_post = await write_post(jonas, title="Jonas skriver")
    jonas_secret = await write_post(jonas, title="Anonymt", anonymous=True)
    annas = await write_post(anna, title="Anna skriver")
    jonas_comment = await write_comment(jonas, annas["id"], body="Jonas kommenterer")
    reply = await write_comment(anna, annas["id"], body="Svar", parent_id=jonas_comment["id"])
    annas_comment = await write_comment(anna, annas["id"], body="Annas egen")

    r = await call(maja, "POST", "/api/mutes", json={"handle": "jonas"})
    assert r.status_code == 201 and r.json()["handle"] == "jonas"
    again = await call(maja, "POST", "/api/mutes", json={"handle": "JONAS"})
    assert again.status_code == 201 and again.json()["created_at"] == r.json()["created_at"]

    # Maja no longer sees Jonas' named posts and comments; his anonymous post stays, since
    # hiding it would tell her it was his.
    for url in (f"/api/groups/{OPEN}/posts", "/api/feed"):
        assert await feed_ids(maja, url) == [annas["id"], jonas_secret["id"]]
    comments = (await call(maja, "GET", f"/api/posts/{annas['id']}/comments")).json()["items"]
    assert [c["id"] for c in comments] == [annas_comment["id"]]
    assert reply["id"] not in [c["id"] for c in comments]
    assert (await call(maja, "GET", f"/api/posts/{annas['id']}")).json()["comment_count"] == 1
    # Opened directly, the post is still there: a mute is not a block.
    assert (await call(maja, "GET", f"/api/posts/{jonas_post['id']}")).status_code == 200

    # Everyone else, Jonas included, sees everything as before.
    assert jonas_post["id"] in await feed_ids(anna, "/api/feed")
    assert jonas_post["id"] in await feed_ids(jonas, "/api/feed")
    r = await call(jonas, "GET", "/api/users/maja")
    assert "mute" not in r.text
    r = await call(maja, "GET", "/api/mutes")
    assert [i["handle"] for i in r.json()["items"]] == ["jonas"]
    assert "mutes" in (await call(maja, "GET", "/api/me/export")).json()

    r = await call(maja, "DELETE", "/api/mutes/jonas")
    assert r.status_code == 204
    assert jonas_post["id"] in await feed_ids(maja, "/api/feed")
    assert (await call(maja, "GET", "/api/mutes")).json()["items"] == []


async def test_muting_myself_or_nobody_is_refused(app: FastAPI, members: MemberFactory) -> None:
    maja = await members.create("maja")
    r = await call(maja, "POST", "/api/mutes", json={"handle": "maja"})
    assert r.status_code == 400 and r.json()["code"] == "cannot_mute_self"
    r = await call(maja, "POST", "/api/mutes", json={"handle": "ingen"})
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"
    r = await call(maja, "POST", "/api/mutes", json={"handle": "jonas", "extra": 1})
    assert r.status_code == 422


async def test_the_mute_list_pages_by_cursor(app: FastAPI, members: MemberFactory) -> None:
    maja = await members.create("maja")
    for i in range(3):
        await members.create(f"stille{i}")
        await call(maja, "POST", "/api/mutes", json={"handle": f"stille{i}"})
    r = await call(maja, "GET", "/api/mutes", params={"limit": 2})
    first = r.json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    r = await call(maja, "GET", "/api/mutes", params={"limit": 2, "before": first["next_cursor"]})
    assert len(r.json()["items"]) == 1 and r.json()["next_cursor"] is None
    handles = [i["handle"] for i in first["items"] + r.json()["items"]]
    assert sorted(handles) == ["stille0", "stille1", "stille2"]
