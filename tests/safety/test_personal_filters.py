"""Personal filters: my words and topics fold content for me, whatever its author chose."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import call, join, seed_groups
from tests.posts.helpers import write_comment, write_post


async def test_matching_content_comes_marked_filtered_with_the_reason(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    for m in (maja, jonas):
        await join(m)
    r = await call(maja, "GET", "/api/me/filters")
    assert r.json() == {"words": [], "cw_topics": []}
    r = await call(
        maja,
        "PUT",
        "/api/me/filters",
        json={"words": ["Alkohol", "alkohol", "hospital"], "cw_topics": ["selvskade"]},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"words": ["Alkohol", "hospital"], "cw_topics": ["selvskade"]}

    drink = await write_post(jonas, title="Weekend", body="Alkoholen fyldte for meget.")
    topic = await write_post(
        jonas, title="Ar", body="Om gamle ar.", content_warning={"topic": "selvskade"}
    )
    plain = await write_post(jonas, title="Gåtur", body="En tur ved vandet.")
    near_miss = await write_post(jonas, title="Ord", body="En malkohol er ikke et ord.")
    hyphen = await write_post(jonas, title="Ord", body="Kun sprit-alkoholfri øl.")
    comment = await write_comment(jonas, plain["id"], body="Jeg var på hospitalet i går.")
    own = await write_post(maja, title="Mit", body="Om alkohol")

    items = {p["id"]: p for p in (await call(maja, "GET", "/api/feed")).json()["items"]}
    assert items[drink["id"]]["filtered"] is True
    assert items[drink["id"]]["filter_reason"] == {"kind": "word", "match": "alkohol"}
    assert items[topic["id"]]["filter_reason"] == {"kind": "topic", "match": "selvskade"}
    assert "filtered" not in items[plain["id"]]
    # A word matches where a word begins: "-alkoholfri" does, "malkohol" does not.
    assert items[hyphen["id"]]["filter_reason"] == {"kind": "word", "match": "alkohol"}
    assert "filtered" not in items[near_miss["id"]]
    assert "filtered" not in items[own["id"]]
    # Folded, not hidden: the body is still there for the member to open.
    assert items[drink["id"]]["body"] == "Alkoholen fyldte for meget."
    single = (await call(maja, "GET", f"/api/posts/{drink['id']}")).json()
    assert single["filtered"] is True
    comments = (await call(maja, "GET", f"/api/posts/{plain['id']}/comments")).json()["items"]
    assert comments[0]["id"] == comment["id"]
    assert comments[0]["filter_reason"] == {"kind": "word", "match": "hospital"}

    # Filters are mine alone.
    others = {p["id"]: p for p in (await call(jonas, "GET", "/api/feed")).json()["items"]}
    assert not any("filtered" in p for p in others.values())
    export = (await call(maja, "GET", "/api/me/export")).json()
    assert export["personal_filters"]["words"] == ["Alkohol", "hospital"]


@pytest.mark.parametrize(
    "body",
    [
        {"words": ["ok"] * 51, "cw_topics": []},
        {"words": ["x"], "cw_topics": []},
        {"words": ["a" * 41], "cw_topics": []},
        {"words": ["to\nlinjer"], "cw_topics": []},
        {"words": ["   "], "cw_topics": []},
        {"words": [], "cw_topics": ["vejret"]},
        {"words": []},
        {"words": [], "cw_topics": [], "extra": True},
    ],
)
async def test_bad_filters_are_refused(
    app: FastAPI, members: MemberFactory, body: dict[str, Any]
) -> None:
    maja = await members.create("maja")
    r = await call(maja, "PUT", "/api/me/filters", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_input"
