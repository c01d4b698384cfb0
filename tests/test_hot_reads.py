"""The hot reads: the plain case answered ahead of FastAPI, exactly as FastAPI answers it, and
everything else left to FastAPI's routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app import hot_reads
from app.hot_reads import StepAside, bounded_int, query_params
from tests.chat.conftest import open_conversation, send
from tests.factories import PASSWORD, Member, MemberFactory
from tests.groups.helpers import CLOSED, OPEN, call, join, seed_groups
from tests.posts.helpers import write_comment, write_post

Answered = list[tuple[str, bool]]


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> Answered:
    """(path, whether the lane answered it) for every GET that reaches the lane."""
    seen: Answered = []
    real = hot_reads.answer

    async def spy(*args: Any) -> bool:
        result = await real(*args)
        seen.append((args[3]["path"], result))
        return result

    monkeypatch.setattr(hot_reads, "answer", spy)
    return seen


async def both_ways(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, request: Callable[[], Awaitable[httpx.Response]]
) -> tuple[httpx.Response, httpx.Response]:
    """The same request through the lane and through FastAPI alone."""
    lane = await request()
    with monkeypatch.context() as m:
        m.setattr(app, "hot_reads", ())
        api = await request()
    return lane, api


def same(lane: httpx.Response, api: httpx.Response) -> None:
    assert lane.status_code == api.status_code, (lane.text, api.text)
    assert lane.content == api.content
    assert sorted(lane.headers.items()) == sorted(api.headers.items())


async def _lively(app: FastAPI, members: MemberFactory) -> tuple[Member, Member, int]:
    """Two members in an open group with posts, reactions, comments, a content warning, an
    anonymous post, a chat and notifications."""
    await seed_groups(app)
    maja = await members.create(
        "maja",
        profile={"display_name": "Maja", "bio": "Mor til to."},
        privacy={"who_can_message": "everyone", "field_visibility": {"display_name": "members"}},
    )
    jonas = await members.create("jonas", privacy={"who_can_message": "everyone"})
    for m in (maja, jonas):
        await join(m, OPEN)
    for i in range(4):
        post = await write_post(
            maja if i % 2 else jonas,
            anonymous=i == 1,
            content_warning={"topic": "sorg", "text": "Om tab"} if i == 2 else None,
        )
        await write_comment(jonas, post["id"])
        for kind in ("kram", "hjerte"):
            r = await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": kind})
            assert r.status_code in (200, 201), r.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        conversation_id = await open_conversation(c, jonas, maja)
        for i in range(5):
            r = await send(c, jonas, conversation_id, f"Besked {i}", f"c-{i}")
            assert r.status_code == 201, r.text
    await app.state.limiter.reset()
    return maja, jonas, conversation_id


async def test_the_plain_case_is_answered_ahead_and_exactly_as_the_api_answers(
    app: FastAPI, members: MemberFactory, monkeypatch: pytest.MonkeyPatch, answered: Answered
) -> None:
    maja, jonas, conversation_id = await _lively(app, members)
    history = f"/api/conversations/{conversation_id}/messages"
    requests: list[tuple[Member, str, dict[str, Any]]] = [
        (maja, "/api/users/jonas", {}),
        (jonas, "/api/users/maja", {}),
        (maja, "/api/users/MAJA", {}),
        (maja, f"/api/groups/{OPEN}/posts", {}),
        (jonas, f"/api/groups/{OPEN}/posts", {"limit": "2"}),
        (jonas, f"/api/groups/{OPEN}/posts", {"limit": "2", "before": "3"}),
        (maja, history, {}),
        (maja, history, {"limit": "2", "before": "4"}),
        (jonas, history, {"after": "2", "limit": "100"}),
        (maja, "/api/notifications/unread-count", {}),
        (jonas, "/api/notifications/unread-count", {}),
    ]
    for member, url, params in requests:
        answered.clear()
        lane, api = await both_ways(
            app, monkeypatch, lambda m=member, u=url, p=params: call(m, "GET", u, params=p)
        )
        assert answered == [(url, True)], (url, params)
        assert lane.status_code == 200, lane.text
        same(lane, api)
    # A page that is not the first, and a feed the members have reacted in: really compared.
    page = (await call(jonas, "GET", f"/api/groups/{OPEN}/posts", params={"limit": "2"})).json()
    assert page["next_cursor"] and page["items"][0]["reactions"]["kram"] == 1
    assert (await call(maja, "GET", "/api/notifications/unread-count")).json()["unread"] > 0


async def test_a_cookie_login_is_answered_too(
    app: FastAPI, members: MemberFactory, monkeypatch: pytest.MonkeyPatch, answered: Answered
) -> None:
    await members.create("maja")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        r = await c.post(
            "/api/auth/login",
            json={"handle": "maja", "password": PASSWORD, "use_cookies": True},
        )
        assert r.status_code == 200, r.text
        lane, api = await both_ways(app, monkeypatch, lambda: c.get("/api/users/maja"))
    assert answered == [("/api/users/maja", True)]
    assert lane.status_code == 200
    same(lane, api)


async def test_anything_else_is_left_to_the_api(
    app: FastAPI, members: MemberFactory, monkeypatch: pytest.MonkeyPatch, answered: Answered
) -> None:
    maja, _jonas, conversation_id = await _lively(app, members)
    anna = await members.create("anna")
    r = await call(anna, "POST", "/api/blocks", json={"handle": "maja"})
    assert r.status_code in (200, 201), r.text
    feed = f"/api/groups/{OPEN}/posts"
    history = f"/api/conversations/{conversation_id}/messages"
    visitor = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    bogus = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": "Bearer not-a-token"},
    )
    cases: list[tuple[str, Callable[[], Awaitable[httpx.Response]], int]] = [
        ("visitor", lambda: visitor.get("/api/users/maja"), 200),
        ("bogus token", lambda: bogus.get(feed), 401),
        ("limit 0", lambda: call(maja, "GET", feed, params={"limit": "0"}), 422),
        ("limit too big", lambda: call(maja, "GET", feed, params={"limit": "51"}), 422),
        ("limit not a number", lambda: call(maja, "GET", feed, params={"limit": "tre"}), 422),
        ("limit not ascii", lambda: call(maja, "GET", feed, params={"limit": "²"}), 422),
        ("long cursor", lambda: call(maja, "GET", feed, params={"before": "9" * 21}), 422),
        ("bad cursor", lambda: call(maja, "GET", feed, params={"before": "abc"}), 400),
        ("unknown parameter", lambda: call(maja, "GET", feed, params={"x": "1"}), 200),
        ("twice", lambda: call(maja, "GET", f"{feed}?limit=2&limit=3"), 200),
        ("no such group", lambda: call(maja, "GET", "/api/groups/findes-ikke/posts"), 404),
        ("members only", lambda: call(maja, "GET", f"/api/groups/{CLOSED}/posts"), 403),
        ("not my chat", lambda: call(anna, "GET", history), 404),
        ("seq too big", lambda: call(maja, "GET", history, params={"after": str(2**31)}), 422),
        ("id zero", lambda: call(maja, "GET", "/api/conversations/0/messages"), 422),
        ("blocked", lambda: call(anna, "GET", "/api/users/maja"), 404),
        ("no such member", lambda: call(maja, "GET", "/api/users/ingen"), 404),
    ]
    async with visitor, bogus:
        for name, request, status in cases:
            answered.clear()
            lane, api = await both_ways(app, monkeypatch, request)
            assert [ok for _path, ok in answered] == [False], name
            assert lane.status_code == status, (name, lane.text)
            same(lane, api)


def test_query_parameters_are_read_as_starlette_reads_them() -> None:
    scope: dict[str, Any] = {"query_string": b"limit=5&before=a%2Fb&after="}
    assert query_params(scope, frozenset({"limit", "before", "after"})) == {
        "limit": "5",
        "before": "a/b",
        "after": "",
    }
    assert query_params({"query_string": b""}, frozenset()) == {}
    for raw in (b"limit=5&limit=6", b"limit=5&other=1"):
        with pytest.raises(StepAside):
            query_params({"query_string": raw}, frozenset({"limit"}))


@pytest.mark.parametrize("value", ["", "-1", "+1", " 1", "1.0", "٣", "1" * 21, "0", "101"])
def test_only_plain_digits_in_bounds_are_numbers(value: str) -> None:
    with pytest.raises(StepAside):
        bounded_int(value, 1, 100)


def test_plain_digits_in_bounds_are_numbers() -> None:
    assert bounded_int("1", 1, 100) == 1
    assert bounded_int("0100", 1, 100) == 100
