"""Browsing the group directory: categories, search in both languages, filters and pages."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import CLOSED, OPEN, call, join, seed_groups


async def test_visitors_cannot_see_groups(app: FastAPI, client: httpx.AsyncClient) -> None:
    await seed_groups(app)
    for url in ("/api/groups", f"/api/groups/{OPEN}", f"/api/groups/{OPEN}/posts", "/api/feed"):
        r = await client.get(url)
        assert r.status_code == 401, url
        assert r.json()["code"] == "not_authenticated"


async def test_categories_are_listed_in_their_order(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await seed_groups(app)
    r = await client.get("/api/categories")
    assert r.status_code == 200
    slugs = [c["slug"] for c in r.json()]
    assert slugs[:2] == ["angst-og-depression", "sorg-og-tab"]
    assert {"slug", "name_da", "name_en"} == set(r.json()[0])


async def test_member_browses_groups_with_their_membership(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja, OPEN)
    r = await call(maja, "GET", "/api/groups")
    assert r.status_code == 200
    groups = {g["slug"]: g for g in r.json()["items"]}
    assert len(groups) == 13
    sorg = groups[OPEN]
    assert sorg["name_da"] == "Sorg og tab" and sorg["name_en"] == "Grief and loss"
    assert sorg["category"]["slug"] == "sorg-og-tab"
    assert sorg["rules_da"] and sorg["rules_en"]
    assert sorg["membership"] == {"status": "active", "role": "member"}
    assert sorg["member_count"] == 1
    assert sorg["can_read"] and sorg["can_post"] and not sorg["can_moderate"]
    closed = groups[CLOSED]
    assert closed["kind"] == "request" and closed["membership"] is None
    assert not closed["can_read"] and not closed["can_post"]


async def test_search_finds_danish_and_english_words_in_names_and_descriptions(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")

    async def search(q: str) -> list[str]:
        r = await call(maja, "GET", "/api/groups", params={"q": q})
        assert r.status_code == 200, r.text
        return [g["slug"] for g in r.json()["items"]]

    assert OPEN in await search("sorg")
    assert OPEN in await search("GRIEF")
    assert "paaroerende" in await search("PÅRØRENDE")  # upper-case Danish letters fold too
    assert "ensomhed" in await search("loneliness alone")  # every word must match
    assert "selvskade" in await search("fordømmelse")  # description
    assert await search("ingen-gruppe-hedder-sådan") == []
    assert await search("100%_") == []  # LIKE wildcards are literal


async def test_filter_by_category(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    r = await call(maja, "GET", "/api/groups", params={"category": "sorg-og-tab"})
    assert sorted(g["slug"] for g in r.json()["items"]) == sorted([OPEN, CLOSED])
    r = await call(maja, "GET", "/api/groups", params={"category": "findes-ikke"})
    assert r.status_code == 200 and r.json()["items"] == []


async def test_directory_pages_return_each_group_once(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 5}
        if cursor:
            params["before"] = cursor
        r = await call(maja, "GET", "/api/groups", params=params)
        assert r.status_code == 200, r.text
        seen += [g["slug"] for g in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 13


async def test_one_group_and_unknown_group(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    r = await call(maja, "GET", f"/api/groups/{CLOSED}")
    assert r.status_code == 200
    assert r.json()["kind"] == "request" and r.json()["description_da"]
    r = await call(maja, "GET", "/api/groups/findes-ikke")
    assert r.status_code == 404 and r.json()["code"] == "group_not_found"


async def test_bad_directory_queries_are_4xx(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    for params in (
        {"limit": 0},
        {"limit": 1000},
        {"limit": "many"},
        {"q": "x" * 101},
        {"before": "abc"},
        {"before": "-1"},
        {"before": "9" * 40},
    ):
        r = await call(maja, "GET", "/api/groups", params=params)
        assert 400 <= r.status_code < 500, (params, r.status_code)
        assert r.json()["code"] in ("invalid_input", "invalid_cursor")
