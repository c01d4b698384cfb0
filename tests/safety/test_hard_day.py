"""Hard-day mode ("svær dag"): chosen topics leave every feed, chat requests wait, and it ends
by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import update

from app.safety import filters
from app.safety.models import PersonalFilter
from tests.factories import MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups
from tests.moderation.helpers import user_id
from tests.posts.helpers import feed_ids, write_post


async def test_hard_day_hides_topics_pauses_requests_and_ends_by_itself(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    for m in (maja, jonas):
        await join(m)
    grief = await write_post(jonas, title="Sorg", content_warning={"topic": "sorg"})
    death = await write_post(jonas, title="Død", content_warning={"topic": "doed"})
    plain = await write_post(jonas, title="Kaffe")
    mine = await write_post(maja, title="Min sorg", content_warning={"topic": "sorg"})
    maja_id = await user_id(app, "maja")

    r = await call(maja, "GET", "/api/me/hard-day")
    assert r.json() == {"active": False, "until": None, "topics": []}
    r = await call(maja, "POST", "/api/me/hard-day", json={"hours": 4, "topics": ["sorg"]})
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["active"] is True and state["topics"] == ["sorg"]
    until = datetime.fromisoformat(state["until"])
    assert timedelta(hours=3, minutes=59) < until - datetime.now(UTC) <= timedelta(hours=4)

    for url in (f"/api/groups/{OPEN}/posts", "/api/feed"):
        assert await feed_ids(maja, url) == [mine["id"], plain["id"], death["id"]]
    opened = (await call(maja, "GET", f"/api/posts/{grief['id']}")).json()
    assert opened["filter_reason"] == {"kind": "hard_day", "match": "sorg"}
    assert grief["id"] in await feed_ids(jonas, "/api/feed")
    async with app.state.db.read_sessions() as s:
        assert await filters.chat_requests_paused(s, maja_id) is True
        assert await filters.chat_requests_paused(s, await user_id(app, "jonas")) is False

    # Time passes: the end lies in the past, and everything is as before without any job.
    async with app.state.db.sessions() as s:
        await s.execute(
            update(PersonalFilter)
            .where(PersonalFilter.user_id == maja_id)
            .values(hard_day_until=datetime.now(UTC) - timedelta(minutes=1))
        )
        await s.commit()
    assert grief["id"] in await feed_ids(maja, "/api/feed")
    assert (await call(maja, "GET", "/api/me/hard-day")).json()["active"] is False
    async with app.state.db.read_sessions() as s:
        assert await filters.chat_requests_paused(s, maja_id) is False


async def test_hard_day_can_be_ended_early_and_is_bounded(
    app: FastAPI, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    for bad in ({"hours": 0, "topics": []}, {"hours": 73, "topics": []}, {"hours": 2}):
        r = await call(maja, "POST", "/api/me/hard-day", json=bad)
        assert r.status_code == 422, bad
    r = await call(maja, "POST", "/api/me/hard-day", json={"hours": 72, "topics": []})
    assert r.json()["active"] is True
    assert (await call(maja, "DELETE", "/api/me/hard-day")).status_code == 204
    assert (await call(maja, "GET", "/api/me/hard-day")).json()["active"] is False
    # Ending it keeps my personal filters.
    await call(maja, "PUT", "/api/me/filters", json={"words": ["sprut"], "cw_topics": []})
    await call(maja, "POST", "/api/me/hard-day", json={"hours": 1, "topics": ["vold"]})
    await call(maja, "DELETE", "/api/me/hard-day")
    assert (await call(maja, "GET", "/api/me/filters")).json()["words"] == ["sprut"]


async def test_member_on_a_hard_day_gets_no_new_chat_requests(
    app: FastAPI, members: MemberFactory
) -> None:
    maja = await members.create("maja", privacy={"who_can_message": "everyone"})
    jonas = await members.create("jonas", privacy={"who_can_message": "everyone"})
    r = await call(maja, "POST", "/api/me/hard-day", json={"hours": 2, "topics": []})
    assert r.status_code == 200, r.text
    r = await call(jonas, "POST", "/api/conversations", json={"handle": "maja", "body": "Hej"})
    assert r.status_code == 403
    assert r.json()["code"] == "cannot_message_member"
    # She can still write to others herself, and once the day is over requests come through.
    r = await call(maja, "POST", "/api/conversations", json={"handle": "jonas", "body": "Hej"})
    assert r.status_code == 201, r.text
    async with app.state.db.sessions() as s:
        await s.execute(
            update(PersonalFilter)
            .where(PersonalFilter.user_id == await user_id(app, "maja"))
            .values(hard_day_until=datetime.now(UTC) - timedelta(minutes=1))
        )
        await s.commit()
    other = await members.create("ole", privacy={"who_can_message": "everyone"})
    r = await call(other, "POST", "/api/conversations", json={"handle": "maja", "body": "Hej"})
    assert r.status_code == 201, r.text
