"""An index behind every feed and comment list: pages stay fast however many posts there are."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from app.posts import service as posts
from tests.plans import full_scans, query_plan

FIRST_PAGE = {
    "viewer_id": 1,
    "site_moderator": False,
    "hidden_topics": [],
    "before": posts.NO_CURSOR,
    "limit": 21,
}
LATER_PAGE = {**FIRST_PAGE, "hidden_topics": ["sorg"], "before": 900}


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
