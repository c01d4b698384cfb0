"""Comments with one level of replies: writing, reading in order, editing, deleting."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import OPEN, call, join, make_group_moderator, seed_groups
from tests.posts.helpers import remove_by_moderator, write_comment, write_post


async def _comments(member: Any, post_id: int, **params: Any) -> list[dict[str, Any]]:
    r = await call(member, "GET", f"/api/posts/{post_id}/comments", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_comments_and_replies_one_level_deep(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    first = await write_comment(jonas, post["id"], body="Kram til dig.\nDet bliver bedre.")
    assert first["parent_id"] is None and first["post_id"] == post["id"]
    assert first["author"] == {"anonymous": False, "handle": "jonas", "display_name": None}
    assert first["is_mine"] is True and first["edited_at"] is None
    reply = await write_comment(maja, post["id"], body="Tak!", parent_id=first["id"])
    assert reply["parent_id"] == first["id"]
    later = await write_comment(jonas, post["id"], body="En ting mere")

    r = await call(
        jonas,
        "POST",
        f"/api/posts/{post['id']}/comments",
        json={"body": "Svar på svar", "parent_id": reply["id"]},
    )
    assert r.status_code == 400 and r.json()["code"] == "reply_too_deep"

    items = await _comments(jonas, post["id"])
    assert [c["id"] for c in items] == [first["id"], reply["id"], later["id"]]
    assert items[0]["body"] == "Kram til dig.\nDet bliver bedre."
    assert items[0]["is_mine"] is True and "is_mine" not in items[1]
    r = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert r.json()["comment_count"] == 3


async def test_reply_must_belong_to_the_same_post(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    one = await write_post(maja)
    two = await write_post(maja)
    elsewhere = await write_comment(maja, one["id"])
    for parent_id in (elsewhere["id"], 987654):
        r = await call(
            maja,
            "POST",
            f"/api/posts/{two['id']}/comments",
            json={"body": "x", "parent_id": parent_id},
        )
        assert r.status_code == 404 and r.json()["code"] == "comment_not_found"


@pytest.mark.parametrize(
    "payload",
    [
        {"body": "x" * 5001},
        {"body": ""},
        {"body": "   "},
        {"body": "a\x07b"},
        {"body": "ok", "parent_id": 0},
        {"body": "ok", "parent_id": "første"},
        {"body": "ok", "post_id": 3},
        {},
    ],
)
async def test_bad_comments_are_refused(
    app: FastAPI, members: MemberFactory, payload: dict[str, Any]
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    r = await call(maja, "POST", f"/api/posts/{post['id']}/comments", json=payload)
    assert r.status_code == 422, r.text


async def test_comment_list_pages_return_each_comment_once(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    ids = [(await write_comment(maja, post["id"], body=f"nr {i}"))["id"] for i in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["before"] = cursor
        r = await call(maja, "GET", f"/api/posts/{post['id']}/comments", params=params)
        seen += [c["id"] for c in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if len(seen) == 3:
            # A comment written while reading arrives at the end, once.
            ids.append((await write_comment(maja, post["id"], body="ny"))["id"])
        if cursor is None:
            break
    assert seen == ids


async def test_author_edits_comment_with_edited_mark(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    comment = await write_comment(jonas, post["id"])
    r = await call(jonas, "PATCH", f"/api/comments/{comment['id']}", json={"body": "Rettet\n"})
    assert r.status_code == 200
    assert r.json()["body"] == "Rettet\n" and r.json()["edited_at"] is not None
    assert (await _comments(maja, post["id"]))[0]["edited_at"] is not None
    r = await call(maja, "PATCH", f"/api/comments/{comment['id']}", json={"body": "Mit nu"})
    assert r.status_code == 403 and r.json()["code"] == "not_author"
    r = await call(jonas, "PATCH", f"/api/comments/{comment['id']}", json={"body": "x" * 5001})
    assert r.status_code == 422
    r = await call(jonas, "PATCH", "/api/comments/999999", json={"body": "hej"})
    assert r.status_code == 404


async def test_deleted_comment_and_its_replies_disappear(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    comment = await write_comment(jonas, post["id"])
    await write_comment(maja, post["id"], parent_id=comment["id"])
    kept = await write_comment(maja, post["id"], body="Bliver")
    r = await call(maja, "DELETE", f"/api/comments/{comment['id']}")
    assert r.status_code == 403
    r = await call(jonas, "DELETE", f"/api/comments/{comment['id']}")
    assert r.status_code == 204
    for who in (maja, jonas):
        assert [c["id"] for c in await _comments(who, post["id"])] == [kept["id"]]
    assert (await call(maja, "GET", f"/api/posts/{post['id']}")).json()["comment_count"] == 1
    r = await call(
        maja,
        "POST",
        f"/api/posts/{post['id']}/comments",
        json={"body": "x", "parent_id": comment["id"]},
    )
    assert r.status_code == 404
    assert (await call(jonas, "DELETE", f"/api/comments/{comment['id']}")).status_code == 404


async def test_removed_comment_shows_only_to_author_and_moderators(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    lars = await members.create("lars")
    await join(maja)
    await join(jonas)
    await make_group_moderator(app, lars, OPEN)
    post = await write_post(maja)
    comment = await write_comment(jonas, post["id"])
    await remove_by_moderator(app, comment_id=comment["id"], reason="Uvenligt")
    own = await _comments(jonas, post["id"])
    assert own[0]["removed"] is True and own[0]["removed_reason"] == "Uvenligt"
    assert (await _comments(lars, post["id"]))[0]["removed"] is True
    assert await _comments(maja, post["id"]) == []
    assert (await call(maja, "GET", f"/api/posts/{post['id']}")).json()["comment_count"] == 0
    r = await call(jonas, "PATCH", f"/api/comments/{comment['id']}", json={"body": "igen"})
    assert r.status_code == 403 and r.json()["code"] == "comment_removed"


async def test_commenting_is_rate_limited(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    codes = [
        (
            await call(maja, "POST", f"/api/posts/{post['id']}/comments", json={"body": "hej"})
        ).status_code
        for _ in range(20)
    ]
    assert codes == [201] * 19 + [429]
