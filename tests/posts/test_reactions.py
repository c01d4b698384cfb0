"""Supportive reactions: one of each kind per member, counts, and who reacted by handle."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups
from tests.posts.helpers import write_post


async def test_one_reaction_of_each_kind_per_member(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create(
        "jonas",
        profile={"display_name": "Jonas J"},
        privacy={"field_visibility": {"display_name": "public"}},
    )
    await join(maja)
    await join(jonas)
    post = await write_post(maja)
    url = f"/api/posts/{post['id']}/reactions"
    for kind in ("kram", "kram", "hjerte"):
        r = await call(jonas, "POST", url, json={"kind": kind})
        assert r.status_code == 200, r.text
    assert r.json() == {
        "reactions": {"hjerte": 1, "kram": 1, "styrke": 0, "tak": 0},
        "my_reactions": ["hjerte", "kram"],
    }
    r = await call(maja, "POST", url, json={"kind": "kram"})
    assert r.json()["reactions"]["kram"] == 2 and r.json()["my_reactions"] == ["kram"]

    seen = (await call(maja, "GET", f"/api/posts/{post['id']}")).json()
    assert seen["reactions"] == {"hjerte": 1, "kram": 2, "styrke": 0, "tak": 0}
    assert seen["my_reactions"] == ["kram"]
    feed = (await call(jonas, "GET", f"/api/groups/{OPEN}/posts")).json()["items"][0]
    assert feed["my_reactions"] == ["hjerte", "kram"]

    # Who reacted: handles only, never a display name, newest first.
    r = await call(maja, "GET", url)
    assert r.status_code == 200
    assert r.json()["items"] == [
        {"handle": "maja", "kind": "kram"},
        {"handle": "jonas", "kind": "hjerte"},
        {"handle": "jonas", "kind": "kram"},
    ]
    assert "Jonas J" not in r.text

    r = await call(jonas, "DELETE", f"{url}/kram")
    assert r.status_code == 200
    assert r.json() == {
        "reactions": {"hjerte": 1, "kram": 1, "styrke": 0, "tak": 0},
        "my_reactions": ["hjerte"],
    }
    r = await call(jonas, "DELETE", f"{url}/kram")
    assert r.status_code == 200 and r.json()["reactions"]["kram"] == 1


async def test_unknown_reaction_kinds_are_refused(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    url = f"/api/posts/{post['id']}/reactions"
    for body in (
        {"kind": "vred"},
        {"kind": "HJERTE"},
        {},
        {"kind": "kram", "x": 1},
        {"kind": None},
    ):
        r = await call(maja, "POST", url, json=body)
        assert r.status_code == 422, body
    assert (await call(maja, "DELETE", f"{url}/vred")).status_code == 422
    r = await call(maja, "POST", "/api/posts/424242/reactions", json={"kind": "kram"})
    assert r.status_code == 404


async def test_reactor_list_pages(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    url = f"/api/posts/{post['id']}/reactions"
    for kind in ("hjerte", "kram", "styrke", "tak"):
        await call(maja, "POST", url, json={"kind": kind})
    r = await call(maja, "GET", url, params={"limit": 3})
    assert [i["kind"] for i in r.json()["items"]] == ["tak", "styrke", "kram"]
    r = await call(maja, "GET", url, params={"limit": 3, "before": r.json()["next_cursor"]})
    assert [i["kind"] for i in r.json()["items"]] == ["hjerte"]
    assert r.json()["next_cursor"] is None


async def test_reacting_is_rate_limited(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    post = await write_post(maja)
    url = f"/api/posts/{post['id']}/reactions"
    codes = []
    for _ in range(31):
        codes.append((await call(maja, "POST", url, json={"kind": "kram"})).status_code)
        codes.append((await call(maja, "DELETE", f"{url}/kram")).status_code)
    assert codes[:60] == [200] * 60 and codes[-1] == 429
