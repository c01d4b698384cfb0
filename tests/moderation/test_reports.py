"""Reporting posts, comments, chat messages and members, and the review queue moderators see."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi import FastAPI

from app.realtime.hub import Listener, user_channel
from tests.factories import Member, MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups, start_user_ids_at
from tests.moderation.helpers import (
    act,
    audit_log,
    group_moderator,
    notices,
    queue,
    queue_item,
    report,
    user_id,
)
from tests.posts.helpers import feed_ids, write_comment, write_post

RISK_TEXT = "Jeg kan ikke mere. Jeg vil bare dø."
OPEN_CHAT = {"who_can_message": "everyone"}


async def _cast(app: FastAPI, members: MemberFactory, *handles: str) -> list[Member]:
    await seed_groups(app)
    out = []
    for handle in handles:
        member = await members.create(handle, privacy=OPEN_CHAT)
        await join(member)
        out.append(member)
    return out


async def test_a_report_is_filed_once_per_member_and_target(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    post = await write_post(maja)
    first = await call(
        jonas,
        "POST",
        "/api/reports",
        json={"target_type": "post", "target_id": post["id"], "reason": "spam", "text": "Reklame"},
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "open" and body["reason"] == "spam"
    again = await call(
        jonas,
        "POST",
        "/api/reports",
        json={"target_type": "post", "target_id": str(post["id"]), "reason": "hate"},
    )
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    mod = await members.create("mod_sara", role="moderator")
    [item] = await queue(mod)
    assert item["report_count"] == 1 and item["reasons"] == {"spam": 1}


@pytest.mark.parametrize(
    "body",
    [
        {"target_type": "post", "target_id": 1, "reason": "because"},
        {"target_type": "planet", "target_id": 1, "reason": "spam"},
        {"target_type": "user", "target_id": 5, "reason": "spam"},
        {"target_type": "post", "target_id": "maja", "reason": "spam"},
        {"target_type": "post", "target_id": 1, "reason": "spam", "text": "x" * 1001},
        {"target_type": "post", "target_id": 1, "reason": "spam", "text": "hej\x00"},
        {"target_type": "post", "target_id": 1, "reason": "spam", "extra": True},
        {"target_type": "post", "target_id": 0, "reason": "spam"},
    ],
)
async def test_bad_reports_are_refused_with_a_clear_error(
    app: FastAPI, members: MemberFactory, body: dict[str, Any]
) -> None:
    maja = await members.create("maja")
    r = await call(maja, "POST", "/api/reports", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_input"


async def test_members_can_only_report_what_they_can_see_and_not_themselves(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna = await _cast(app, members, "maja", "jonas", "anna")
    post = await write_post(maja)
    comment = await write_comment(maja, post["id"])
    await call(jonas, "POST", "/api/blocks", json={"handle": "maja"})
    for target_type, target_id in (("post", post["id"]), ("comment", comment["id"])):
        r = await call(
            jonas,
            "POST",
            "/api/reports",
            json={"target_type": target_type, "target_id": target_id, "reason": "hate"},
        )
        assert r.status_code == 404, (target_type, r.text)
    # A blocked member can still be reported: blocking someone should not stop a report.
    await report(jonas, "user", "maja")
    for target_type, target_id in (("post", post["id"]), ("user", "maja")):
        r = await call(
            maja,
            "POST",
            "/api/reports",
            json={"target_type": target_type, "target_id": target_id, "reason": "spam"},
        )
        assert r.status_code == 400 and r.json()["code"] == "cannot_report_self"
    r = await call(
        anna,
        "POST",
        "/api/reports",
        json={"target_type": "user", "target_id": "ingen", "reason": "spam"},
    )
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"


async def test_reports_are_rate_limited_per_member(app: FastAPI, members: MemberFactory) -> None:
    maja, *reporters = await _cast(app, members, "maja", "jonas")
    jonas = reporters[0]
    posts = [await write_post(maja, title=f"nr {i}") for i in range(6)]
    codes = []
    for post in posts:
        r = await call(
            jonas,
            "POST",
            "/api/reports",
            json={"target_type": "post", "target_id": post["id"], "reason": "spam"},
        )
        codes.append(r.status_code)
    # A week-old account reports at most five times an hour.
    assert codes == [201] * 5 + [429]
    assert r.json()["code"] == "rate_limited"


async def test_the_queue_groups_reports_by_target_and_shows_the_real_author(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna, bo = await _cast(app, members, "maja", "jonas", "anna", "bobby")
    secret = await write_post(maja, title="Anonymt", body="Hemmelig tekst", anonymous=True)
    other = await write_post(bo, title="Andet")
    await report(jonas, "post", secret["id"], "harassment", text="Det er ondt")
    await report(anna, "post", secret["id"], "hate")
    await report(jonas, "post", other["id"], "spam")
    mod = await members.create("mod_sara", role="moderator")
    items = await queue(mod)
    assert len(items) == 2
    item = next(i for i in items if i["target_id"] == secret["id"])
    assert item["report_count"] == 2
    assert item["reasons"] == {"harassment": 1, "hate": 1}
    assert item["subject"] == {"handle": "maja"}
    assert item["content"]["anonymous"] is True and item["content"]["body"] == "Hemmelig tekst"
    assert item["group"] == OPEN
    # The higher count comes first.
    assert items[0]["id"] == item["id"]
    r = await call(mod, "GET", f"/api/mod/reports/{item['id']}")
    assert r.status_code == 200
    detail = r.json()
    assert sorted(rep["reason"] for rep in detail["reports"]) == ["harassment", "hate"]
    assert "Det er ondt" in [rep["note"] for rep in detail["reports"]]
    # Not even moderators are told who reported.
    for name in ("jonas", "anna"):
        assert name not in r.text
        assert name not in (await call(mod, "GET", "/api/mod/reports")).text
    assert r.headers["cache-control"] == "no-store"


async def test_the_queue_pages_by_cursor(app: FastAPI, members: MemberFactory) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    posts = [await write_post(maja, title=f"{i}") for i in range(5)]
    await app.state.limiter.reset()
    for post in posts:
        await report(jonas, "post", post["id"])
    mod = await members.create("mod_sara", role="moderator")
    seen: list[int] = []
    before = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if before:
            params["before"] = before
        r = await call(mod, "GET", "/api/mod/reports", params=params)
        assert r.status_code == 200, r.text
        seen += [i["target_id"] for i in r.json()["items"]]
        before = r.json()["next_cursor"]
        if before is None:
            break
    assert sorted(seen) == sorted(p["id"] for p in posts) and len(seen) == 5
    r = await call(mod, "GET", "/api/mod/reports", params={"before": "nonsense"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


async def test_repeated_reports_against_one_member_raise_their_priority(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, bo, *reporters = await _cast(app, members, "maja", "bobby", "rasmus", "rikke", "ronja")
    majas = [await write_post(maja, title=f"m{i}") for i in range(3)]
    bos = await write_post(bo, title="b")
    await report(reporters[0], "post", bos["id"])
    await report(reporters[0], "post", majas[0]["id"])
    mod = await members.create("mod_sara", role="moderator")
    before = (await queue_item(mod, "post", majas[0]["id"]))["priority"]
    assert before == (await queue_item(mod, "post", bos["id"]))["priority"]
    # Reports on Maja's other posts lift her first one too.
    await report(reporters[1], "post", majas[1]["id"])
    await report(reporters[2], "post", majas[2]["id"])
    first = await queue_item(mod, "post", majas[0]["id"])
    assert first["priority"] > before
    assert first["reports_against_member_30d"] == 3
    order = [i["target_id"] for i in await queue(mod)]
    assert order.index(bos["id"]) == len(order) - 1


async def test_risky_posts_are_published_with_support_and_flagged_first(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna = await _cast(app, members, "maja", "jonas", "anna")
    ordinary = await write_post(anna, title="Hverdag")
    for _ in range(3):
        await report(jonas, "post", ordinary["id"])
    r = await call(
        maja, "POST", f"/api/groups/{OPEN}/posts", json={"title": "Svært", "body": RISK_TEXT}
    )
    assert r.status_code == 201, r.text
    post = r.json()
    lines = {line["id"] for line in post["support"]["lines"]}
    assert {"livslinien", "112"} <= lines
    # Still published, and nobody else gets the writer's support panel.
    assert post["id"] in await feed_ids(jonas, f"/api/groups/{OPEN}/posts")
    seen = await call(jonas, "GET", f"/api/posts/{post['id']}")
    assert "support" not in seen.json()
    calm = await write_post(maja, title="Godt", body="Jeg døde af grin i går")
    assert "support" not in calm

    comment = await call(
        jonas, "POST", f"/api/posts/{ordinary['id']}/comments", json={"body": RISK_TEXT}
    )
    assert comment.status_code == 201 and comment.json()["support"] is not None

    mod = await members.create("mod_sara", role="moderator")
    items = await queue(mod)
    flagged = {(i["target_type"], i["target_id"]) for i in items if i["crisis"]}
    assert flagged == {("post", post["id"]), ("comment", comment.json()["id"])}
    assert all(i["crisis"] for i in items[:2])
    top = await queue_item(mod, "post", post["id"])
    assert top["crisis_categories"] and top["report_count"] == 0
    assert top["subject"] == {"handle": "maja"}

    # Editing risky words into a post flags it the same way.
    edited = await call(anna, "PATCH", f"/api/posts/{ordinary['id']}", json={"body": RISK_TEXT})
    assert edited.status_code == 200 and edited.json()["support"] is not None
    assert (await queue_item(mod, "post", ordinary["id"]))["crisis"] is True


async def test_the_reporter_never_reaches_the_reported_member(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    await start_user_ids_at(app, 73_411)
    rita = await members.create("vagtsomrita")
    rita_id = await user_id(app, "vagtsomrita")
    maja = await members.create("maja", privacy=OPEN_CHAT)
    await join(rita)
    await join(maja)
    post = await write_post(maja)
    comment = await write_comment(maja, post["id"])
    listener = Listener()
    channel = user_channel(await user_id(app, "maja"))
    await app.state.hub.subscribe(channel, listener)
    mod = await members.create("mod_sara", role="moderator")
    try:
        await report(rita, "post", post["id"], "harassment", text="vagtsomrita så det")
        await report(rita, "comment", comment["id"])
        await report(rita, "user", "maja", "spam")
        await act(mod, f"/api/mod/posts/{post['id']}/remove", reason="Krænkende")
        await act(mod, "/api/mod/users/maja/warn", reason="Tal pænt")
        frames = [listener.queue.get_nowait() for _ in range(listener.queue.qsize())]
    finally:
        await app.state.hub.unsubscribe(channel, listener)
    assert [orjson.loads(f)["type"] for f in frames] == ["moderation_notice"] * 2
    received = list(frames)
    for url in (
        "/api/moderation/notices",
        f"/api/posts/{post['id']}",
        f"/api/posts/{post['id']}/comments",
        f"/api/groups/{OPEN}/posts",
        "/api/feed",
        "/api/notifications",
        "/api/me",
        "/api/me/export",
        "/api/moderation/log",
    ):
        r = await call(maja, "GET", url)
        assert r.status_code == 200, (url, r.text)
        received.append(r.text)
    for text in received:
        assert "vagtsomrita" not in text.casefold()
        assert str(rita_id) not in text
    # The reporter, for their part, hears the outcome but nothing about Maja.
    outcome = [n for n in await notices(rita) if n["kind"] == "report_outcome"]
    assert {n["outcome"] for n in outcome} == {"action_taken"}
    assert len(outcome) == 2
    r = await call(rita, "GET", "/api/moderation/notices")
    assert "maja" not in r.text and "Krænkende" not in r.text and "Tal pænt" not in r.text


async def test_reporters_learn_when_no_action_was_taken(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna = await _cast(app, members, "maja", "jonas", "anna")
    post = await write_post(maja)
    mine = await report(jonas, "post", post["id"])
    await report(anna, "post", post["id"])
    mod = await members.create("mod_sara", role="moderator")
    item = await queue_item(mod, "post", post["id"])
    out = await act(mod, f"/api/mod/reports/{item['id']}/dismiss", note="Ingen regel brudt")
    assert out["closed_reports"] == [item["id"]]
    assert await queue(mod) == []
    [told] = await notices(jonas)
    assert told["kind"] == "report_outcome" and told["outcome"] == "no_action"
    assert told["target_type"] == "report" and told["target_id"] == mine["id"]
    assert told["actor"] == "Moderator" and told["reason"] is None
    assert len(await notices(anna)) == 1
    assert await notices(maja) == []
    r = await call(mod, "POST", f"/api/mod/reports/{item['id']}/dismiss")
    assert r.status_code == 409 and r.json()["code"] == "report_closed"
    # A new report after the decision opens a new queue item.
    await report(jonas, "post", post["id"])
    assert len(await queue(mod)) == 1


async def _chat(a: Member, b: Member, *bodies: str) -> tuple[int, list[int]]:
    r = await call(a, "POST", "/api/conversations", json={"handle": b.handle, "body": "Hej"})
    assert r.status_code == 201, r.text
    conversation_id = r.json()["id"]
    r = await call(b, "POST", f"/api/conversations/{conversation_id}/accept")
    assert r.status_code == 200, r.text
    ids = []
    for i, body in enumerate(bodies):
        r = await call(
            a,
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            json={"client_id": f"c{i}", "body": body},
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["message"]["id"])
    return conversation_id, ids


async def test_reporting_a_message_shares_that_message_only_and_each_look_is_logged(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas, anna = await _cast(app, members, "maja", "jonas", "anna")
    _conversation, (before, bad, after) = await _chat(
        jonas, maja, "Første besked", "Den grimme besked", "Tredje besked"
    )
    # Only someone in the conversation can report it, and not their own message.
    r = await call(
        anna,
        "POST",
        "/api/reports",
        json={"target_type": "message", "target_id": bad, "reason": "hate"},
    )
    assert r.status_code == 404 and r.json()["code"] == "message_not_found"
    r = await call(
        jonas,
        "POST",
        "/api/reports",
        json={"target_type": "message", "target_id": bad, "reason": "hate"},
    )
    assert r.status_code == 400
    await report(maja, "message", bad, "harassment")

    mod = await members.create("mod_sara", role="moderator")
    admin = await members.create("admin_ole", role="admin")
    item = await queue_item(mod, "message", bad)
    listed = (await call(mod, "GET", "/api/mod/reports")).text
    detail = (await call(mod, "GET", f"/api/mod/reports/{item['id']}")).text
    for text in (listed, detail):
        assert "grimme" not in text and "Første" not in text and "Tredje" not in text
    assert item["content"]["sealed"] is True and item["subject"] == {"handle": "jonas"}
    assert await audit_log(admin, action="message_viewed") == []

    for _ in range(2):
        r = await call(mod, "POST", f"/api/mod/reports/{item['id']}/message")
        assert r.status_code == 200, r.text
        assert r.json()["body"] == "Den grimme besked" and r.json()["sender"] == "jonas"
        assert "Første" not in r.text and "Tredje" not in r.text
    views = await audit_log(admin, action="message_viewed")
    assert len(views) == 2
    assert {v["moderator"]["handle"] for v in views} == {"mod_sara"}
    assert {v["target_id"] for v in views} == {bad}
    assert before != after


async def test_group_moderators_cannot_open_chat_messages(
    app: FastAPI, members: MemberFactory
) -> None:
    maja, jonas = await _cast(app, members, "maja", "jonas")
    _conversation, (bad,) = await _chat(jonas, maja, "Grim")
    await report(maja, "message", bad)
    lars = await group_moderator(app, members, "lars", OPEN)
    assert await queue(lars) == []
    site = await members.create("mod_sara", role="moderator")
    item = await queue_item(site, "message", bad)
    r = await call(lars, "POST", f"/api/mod/reports/{item['id']}/message")
    assert r.status_code == 403
