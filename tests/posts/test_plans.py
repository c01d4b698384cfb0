"""An index behind every feed and comment list: pages stay fast however many posts there are."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from app.posts import service as posts
from app.safety import filters
from tests.plans import full_scans, query_plan

FIRST_PAGE = posts.feed_params(posts.Viewer(1, False, frozenset()), before=None, limit=21)
LATER_PAGE = posts.feed_params(
    posts.Viewer(1, False, frozenset(), filters.Lens(hidden_topics=frozenset({"sorg"}))),
    before="900",
    limit=21,
)


@pytest.mark.parametrize(
    "query",
    [
        posts.GROUP_FEED.params(FIRST_PAGE, group_id=3),
        posts.GROUP_FEED.params(LATER_PAGE, group_id=3),
        posts.MY_FEED.params(FIRST_PAGE),
        posts.MY_FEED.params(LATER_PAGE),
        posts.COMMENTS_PAGE.params(post_id=7, viewer_id=1, moderates=False, after=0, limit=51),
        posts.COMMENTS_PAGE.params(post_id=7, viewer_id=1, moderates=True, after=90, limit=51),
    ],
    ids=["group", "group-page", "mine", "mine-page", "comments", "comments-page"],
)
async def test_feeds_and_comments_use_an_index(app: FastAPI, query: Any) -> None:
    plan = await query_plan(app, query)
    assert plan and not full_scans(plan, "posts", "comments"), "\n".join(plan)


@pytest.mark.parametrize("params", [FIRST_PAGE, LATER_PAGE], ids=["first", "later"])
async def test_a_group_feed_reads_its_index_newest_first_without_sorting(
    app: FastAPI, params: dict[str, Any]
) -> None:
    plan = await query_plan(app, posts.GROUP_FEED.params(params, group_id=3))
    sorts = [
        line
        for line in plan
        if "TEMP B-TREE FOR ORDER BY" in line or line.strip(" ->").startswith("Sort")
    ]
    assert plan and not sorts, "\n".join(plan)


async def test_a_pages_counts_read_only_its_posts_reactions_and_comments(app: FastAPI) -> None:
    query = posts._COUNTS.params({**posts._slots([5, 6, 7]), "viewer_id": 1})
    plan = await query_plan(app, query)
    assert plan and not full_scans(plan, "reactions", "comments", "blocks"), "\n".join(plan)
    if app.state.db.engine.dialect.name == "sqlite":
        # Counted per post and kind from the index in that order: no sort first.
        assert any("COVERING INDEX ix_reactions_post_id_kind" in line for line in plan), plan
        assert not any("TEMP B-TREE FOR GROUP BY" in line for line in plan), "\n".join(plan)
