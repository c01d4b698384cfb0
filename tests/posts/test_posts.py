"""Writing, reading, editing and deleting posts; who may do what in which group."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import CLOSED, OPEN, call, join, make_group_moderator, seed_groups
from tests.posts.helpers import feed_ids, remove_by_moderator, write_comment, write_post

XSS = '<script>alert("x")</script> <img src=x onerror=alert(1)> [link](javascript:alert(1))'


async def test_member_writes_a_post_with_a_content_warning(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create(
        "maja",
        profile={"display_name": "Maja M"},
        privacy={"field_visibility": {"display_name": "members"}},
    )
    jonas = await members.create("jonas")
    await join(maja)
    body = "Første linje\n\nTredje linje & <b>fed</b>\n" + XSS
    post = await write_post(
        maja,
        title="  Min mor døde i går  ",
        body=body,
        content_warning={"topic": "sorg", "text": "Om en død forælder"},
    )
    assert post["title"] == "Min mor døde i går"
    assert post["body"] == body  # stored and returned exactly as typed
    assert post["content_warning"] == {"topic": "sorg", "text": "Om en død forælder"}
    assert post["anonymous"] is False
    assert post["author"] == {"anonymous": False, "handle": "maja", "display_name": "Maja M"}
    assert post["is_mine"] is True
    assert post["group"] == {"slug": OPEN, "name_da": "Sorg og tab", "name_en": "Grief and loss"}
    assert post["reactions"] == {"hjerte": 0, "kram": 0, "styrke": 0, "tak": 0}
    assert post["my_reactions"] == [] and post["comment_count"] == 0
    assert post["edited_at"] is None

    # Another member (not even in the group: it is open) reads the whole body with the warning.
    r = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert r.status_code == 200
    seen = r.json()
    assert seen["body"] == body and seen["content_warning"]["topic"] == "sorg"
    assert "is_mine" not in seen and "revealed_author" not in seen and "removed" not in seen
    assert seen["author"]["display_name"] == "Maja M"


async def test_display_name_follows_the_authors_privacy(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja", profile={"display_name": "Hemmelige Maja"})
    jonas = await members.create("jonas")
    await join(maja)
    post = await write_post(maja)
    assert post["author"]["display_name"] == "Hemmelige Maja"  # I always see my own
    r = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert r.json()["author"] == {"anonymous": False, "handle": "maja", "display_name": None}
    assert "Hemmelige" not in r.text


async def test_content_warning_topics_are_a_fixed_list(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    r = await call(maja, "GET", "/api/content-warnings")
    assert r.status_code == 200
    assert {"selvskade", "selvmord", "spiseforstyrrelse", "sorg", "doed"} <= set(r.json())
    for topic in r.json():
        cw: dict[str, Any] = {"topic": topic, "text": "Læs når du er klar"}
        assert (await write_post(maja, content_warning=cw))["content_warning"] == cw
    bad: list[dict[str, Any]] = [
        {"topic": "noget-andet"},
        {"topic": "andet"},  # "other" must say what it is about
        {"topic": "sorg", "text": "x" * 201},
        {"topic": "sorg", "text": "linje\nskift"},
        {"topic": "sorg", "extra": 1},
        {"text": "uden emne"},
    ]
    for cw in bad:
        r = await call(
            maja,
            "POST",
            f"/api/groups/{OPEN}/posts",
            json={"title": "t", "body": "b", "content_warning": cw},
        )
        assert r.status_code == 422, cw
        assert r.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "x" * 201, "body": "ok"},
        {"title": "ok", "body": "x" * 20_001},
        {"title": "   ", "body": "ok"},
        {"title": "ok", "body": " \n "},
        {"title": "ok"},
        {"body": "ok"},
        {"title": "ok", "body": "nul\x00byte"},
        {"title": "ny\nlinje", "body": "ok"},
        {"title": "ok", "body": "ok", "anonymous": "måske"},
        {"title": "ok", "body": "ok", "author_id": 1},
        {"title": 5, "body": "ok"},
        [],
        "tekst",
    ],
)
async def test_bad_posts_are_refused_with_4xx(
    app: FastAPI, members: MemberFactory, payload: Any
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    r = await call(maja, "POST", f"/api/groups/{OPEN}/posts", json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_input"


async def test_longest_allowed_post_is_accepted(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja, title="t" * 200, body="æ" * 20_000)
    assert len(post["body"]) == 20_000


async def test_broken_json_and_bad_ids_are_4xx(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    async with maja.client() as c:
        r = await c.post(
            f"/api/groups/{OPEN}/posts",
            content=b'{"title": ',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400 and r.json()["code"] == "invalid_json"
        for url in ("/api/posts/abc", "/api/posts/0", "/api/posts/-3", f"/api/posts/{10**30}"):
            r = await c.get(url)
            assert r.status_code == 422, url
        r = await c.get("/api/posts/999999")
        assert r.status_code == 404 and r.json()["code"] == "post_not_found"
        r = await c.post("/api/groups/findes-ikke/posts", json={"title": "t", "body": "b"})
        assert r.status_code == 404 and r.json()["code"] == "group_not_found"
        r = await c.get(f"/api/groups/{OPEN}/posts", params={"before": "nej"})
        assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"
        r = await c.get(f"/api/groups/{OPEN}/posts", params={"limit": 51})
        assert r.status_code == 422


async def test_non_member_cannot_post_or_comment(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    post = await write_post(maja)
    r = await call(jonas, "POST", f"/api/groups/{OPEN}/posts", json={"title": "t", "body": "b"})
    assert r.status_code == 403 and r.json()["code"] == "not_group_member"
    r = await call(jonas, "POST", f"/api/posts/{post['id']}/comments", json={"body": "hej"})
    assert r.status_code == 403 and r.json()["code"] == "not_group_member"
    r = await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "kram"})
    assert r.status_code == 403 and r.json()["code"] == "not_group_member"
    # ...but, logged in, may read an open group.
    assert await feed_ids(jonas, f"/api/groups/{OPEN}/posts") == [post["id"]]


async def test_member_who_left_can_no_longer_post(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    mine = await write_post(maja)
    theirs = await write_post(jonas)
    r = await call(maja, "POST", f"/api/groups/{OPEN}/leave")
    assert r.status_code == 200
    r = await call(maja, "POST", f"/api/groups/{OPEN}/posts", json={"title": "t", "body": "b"})
    assert r.status_code == 403 and r.json()["code"] == "not_group_member"
    r = await call(maja, "POST", f"/api/posts/{theirs['id']}/comments", json={"body": "hej"})
    assert r.status_code == 403
    r = await call(maja, "POST", f"/api/posts/{theirs['id']}/reactions", json={"kind": "tak"})
    assert r.status_code == 403
    r = await call(maja, "PATCH", f"/api/posts/{mine['id']}", json={"title": "ny"})
    assert r.status_code == 403 and r.json()["code"] == "not_group_member"
    # Her own words stay hers: she can still delete them.
    r = await call(maja, "DELETE", f"/api/posts/{mine['id']}")
    assert r.status_code == 204


async def test_request_group_is_read_by_its_members_only(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    mod = await members.create("mod_lars", role="moderator")
    await make_group_moderator(app, maja, CLOSED)
    post = await write_post(maja, CLOSED)
    r = await call(jonas, "GET", f"/api/groups/{CLOSED}/posts")
    assert r.status_code == 403 and r.json()["code"] == "group_members_only"
    r = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert r.status_code == 404
    r = await call(jonas, "GET", f"/api/posts/{post['id']}/comments")
    assert r.status_code == 404
    r = await call(jonas, "GET", f"/api/posts/{post['id']}/reactions")
    assert r.status_code == 404
    assert post["title"] not in (await call(jonas, "GET", "/api/feed")).text
    # Site moderators can read it to moderate it.
    assert await feed_ids(mod, f"/api/groups/{CLOSED}/posts") == [post["id"]]
    assert (await call(mod, "GET", f"/api/posts/{post['id']}")).status_code == 200


async def test_author_edits_and_the_post_is_marked_edited(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    post = await write_post(maja, content_warning={"topic": "sorg"})
    r = await call(maja, "PATCH", f"/api/posts/{post['id']}", json={"body": "Ny tekst\n"})
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["body"] == "Ny tekst\n" and edited["title"] == post["title"]
    assert edited["edited_at"] is not None
    assert edited["content_warning"] == {"topic": "sorg", "text": None}
    r = await call(maja, "PATCH", f"/api/posts/{post['id']}", json={"content_warning": None})
    assert r.json()["content_warning"] is None
    r = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert r.json()["edited_at"] is not None and r.json()["body"] == "Ny tekst\n"

    r = await call(jonas, "PATCH", f"/api/posts/{post['id']}", json={"title": "Mit nu"})
    assert r.status_code == 403 and r.json()["code"] == "not_author"
    r = await call(maja, "PATCH", f"/api/posts/{post['id']}", json={"anonymous": True})
    assert r.status_code == 422  # anonymity is chosen once, when posting
    r = await call(maja, "PATCH", f"/api/posts/{post['id']}", json={"title": "x" * 201})
    assert r.status_code == 422


async def test_deleted_post_disappears_for_everyone(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    mod = await members.create("mod_lars", role="moderator")
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    await write_comment(jonas, post["id"])
    r = await call(jonas, "DELETE", f"/api/posts/{post['id']}")
    assert r.status_code == 403 and r.json()["code"] == "not_author"
    r = await call(maja, "DELETE", f"/api/posts/{post['id']}")
    assert r.status_code == 204
    for who in (maja, jonas, mod):
        assert (await call(who, "GET", f"/api/posts/{post['id']}")).status_code == 404
        assert (await call(who, "GET", f"/api/posts/{post['id']}/comments")).status_code == 404
        assert await feed_ids(who, f"/api/groups/{OPEN}/posts") == []
    assert await feed_ids(maja, "/api/feed") == []
    assert (await call(maja, "DELETE", f"/api/posts/{post['id']}")).status_code == 404


async def test_removed_post_shows_only_to_author_and_moderators(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    lars = await members.create("lars")
    mod = await members.create("mod_lars", role="moderator")
    await join(maja)
    await join(jonas)
    await make_group_moderator(app, lars, OPEN)
    post = await write_post(maja)
    await remove_by_moderator(app, post_id=post["id"], reason="Deler metoder")

    r = await call(maja, "GET", f"/api/posts/{post['id']}")
    assert r.status_code == 200
    assert r.json()["removed"] is True and r.json()["removed_reason"] == "Deler metoder"
    assert await feed_ids(maja, f"/api/groups/{OPEN}/posts") == [post["id"]]
    assert await feed_ids(maja, "/api/feed") == [post["id"]]
    for moderator in (lars, mod):
        r = await call(moderator, "GET", f"/api/posts/{post['id']}")
        assert r.status_code == 200 and r.json()["removed"] is True
        assert await feed_ids(moderator, f"/api/groups/{OPEN}/posts") == [post["id"]]
    assert await feed_ids(lars, "/api/feed") == [post["id"]]

    r = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert r.status_code == 404
    assert await feed_ids(jonas, f"/api/groups/{OPEN}/posts") == []
    assert await feed_ids(jonas, "/api/feed") == []
    r = await call(jonas, "POST", f"/api/posts/{post['id']}/comments", json={"body": "hej"})
    assert r.status_code == 404

    r = await call(maja, "PATCH", f"/api/posts/{post['id']}", json={"title": "Ny"})
    assert r.status_code == 403 and r.json()["code"] == "post_removed"
    r = await call(maja, "POST", f"/api/posts/{post['id']}/comments", json={"body": "hej"})
    assert r.status_code == 403 and r.json()["code"] == "post_removed"


async def test_posting_is_rate_limited_per_member(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    await join(maja)
    await join(jonas)
    codes = []
    for i in range(21):
        r = await call(
            maja, "POST", f"/api/groups/{OPEN}/posts", json={"title": f"{i}", "body": "b"}
        )
        codes.append(r.status_code)
    assert codes == [201] * 20 + [429]
    assert r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
    # Another member is not affected.
    await write_post(jonas)


async def test_visitors_cannot_reach_posts(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    comment = await write_comment(maja, post["id"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as visitor:
        for method, url in (
            ("GET", f"/api/posts/{post['id']}"),
            ("GET", f"/api/posts/{post['id']}/comments"),
            ("GET", f"/api/posts/{post['id']}/reactions"),
            ("POST", f"/api/posts/{post['id']}/reactions"),
            ("PATCH", f"/api/posts/{post['id']}"),
            ("DELETE", f"/api/posts/{post['id']}"),
            ("POST", f"/api/groups/{OPEN}/posts"),
            ("PATCH", f"/api/comments/{comment['id']}"),
            ("DELETE", f"/api/comments/{comment['id']}"),
        ):
            r = await visitor.request(method, url, json={"title": "t", "body": "b"})
            assert r.status_code == 401, (method, url, r.status_code)
            assert post["title"] not in r.text


async def test_my_export_holds_my_posts_comments_and_reactions(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja, title="Kun for mig", anonymous=True)
    await write_comment(maja, post["id"], body="Min kommentar")
    await call(maja, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "tak"})
    r = await call(maja, "GET", "/api/me/export")
    assert r.status_code == 200, r.text
    content = r.json()["group_content"]
    assert [(p["title"], p["anonymous"]) for p in content["posts"]] == [("Kun for mig", True)]
    assert [c["body"] for c in content["comments"]] == ["Min kommentar"]
    assert [x["kind"] for x in content["reactions"]] == ["tak"]
