"""The socket's rules: who may connect, what may be sent, limits, and closing at once."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.factories import PASSWORD
from tests.realtime.conftest import Live, Person, Tab


async def _pong(tab: Tab) -> None:
    """A round trip: everything the server queued for this tab before it has arrived."""
    await tab.send({"type": "ping"})
    await tab.wait_for(type="pong")


@pytest.mark.parametrize("with_cookie", [True, False])
async def test_a_handshake_from_a_foreign_origin_is_refused(live: Live, with_cookie: bool) -> None:
    a = await live.seeder.member()
    headers = {"Origin": "https://evil.example"}
    if with_cookie:
        headers["Cookie"] = f"samvaer_access={a.token}"
    with pytest.raises(InvalidStatus) as refused:
        await connect(live.server.ws_url, additional_headers=headers, open_timeout=5)
    assert refused.value.response.status_code == 403


async def test_the_browser_session_cookie_opens_the_socket(live: Live) -> None:
    a = await live.seeder.member()
    async with live.http() as c:
        r = await c.post("/api/auth/login", json={"handle": a.handle, "password": PASSWORD})
        assert r.status_code == 200, r.text
        cookie = c.cookies["samvaer_access"]
    tab = await live.tab(cookie=cookie)
    ready = next(f for f in tab.frames if f["type"] == "ready")
    assert ready["handle"] == a.handle


@pytest.mark.parametrize("how", ["auth frame", "cookie"])
async def test_a_bad_or_stale_token_is_told_to_log_in_again(live: Live, how: str) -> None:
    a = await live.seeder.member()
    forged = a.token[:-4] + ("AAAA" if not a.token.endswith("AAAA") else "BBBB")
    if how == "cookie":
        tab = await live.tab(cookie=forged, ready=False)
    else:
        tab = await live.tab(ready=False)
        await tab.send({"type": "auth", "token": forged})
    assert await tab.closed() == 4401
    assert not [f for f in tab.frames if f["type"] == "ready"]


async def test_an_oversize_frame_closes_with_1009(live: Live) -> None:
    a = await live.seeder.member()
    tab = await live.tab(a)
    await tab.send(json.dumps({"type": "ping", "pad": "x" * 70_000}))
    assert await tab.closed() == 1009


async def test_invalid_json_gets_an_error_frame_and_the_socket_stays_usable(live: Live) -> None:
    a = await live.seeder.member(language="en")
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab = await live.tab(a)
    for bad, code in (
        ("{not json", "invalid_frame_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"no": "type"}', "invalid_frame"),
        ('{"type": "dance"}', "unknown_frame"),
        ('{"type": "send", "conversation_id": "x"}', "invalid_input"),
    ):
        await tab.send(bad)
        error = await tab.wait_for(type="error")
        assert error["code"] == code
        # In the member's language.
        assert error["detail"] and error["detail"] != code
    assert error["detail"] == "Some of the input is not valid."
    await _pong(tab)
    await tab.ack(await tab.say(conversation_id, "Stadig her"))


async def test_a_forged_sender_is_refused_and_nothing_stored(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab = await live.tab(a)
    await tab.send(
        {
            "type": "send",
            "conversation_id": conversation_id,
            "client_id": "forged",
            "body": "Fra Bodil (ikke)",
            "sender": b.handle,
        }
    )
    error = await tab.wait_for(type="error")
    assert error["code"] == "invalid_input" and error["client_id"] == "forged"
    assert await live.history(b, conversation_id) == []


async def test_an_outsider_can_neither_read_nor_send_over_the_socket(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    outsider = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a = await live.tab(a)
    tab_x = await live.tab(outsider, resume={conversation_id: 0})
    await tab_a.ack(await tab_a.say(conversation_id, "Kun for Bodil"))

    await tab_x.say(conversation_id, "Jeg blander mig", client_id="x-1")
    error = await tab_x.wait_for(type="error")
    assert error == {
        "type": "error",
        "code": "conversation_not_found",
        "detail": error["detail"],
        "client_id": "x-1",
    }
    for frame in (
        {"type": "typing", "conversation_id": conversation_id},
        {"type": "read", "conversation_id": conversation_id, "message_id": 1},
    ):
        await tab_x.send(frame)
        assert (await tab_x.wait_for(type="error"))["code"] == "conversation_not_found"
    await tab_x.send({"type": "resume", "after": {str(conversation_id): 0}})
    resumed = await tab_x.wait_for(type="resumed")
    assert resumed["conversations"] == {}
    await _pong(tab_x)
    assert "Kun for Bodil" not in json.dumps(tab_x.frames)
    assert not [f for f in tab_x.frames if f["type"] in ("message", "typing", "read")]
    assert [m["body"] for m in await live.history(a, conversation_id)] == ["Kun for Bodil"]


async def test_a_blocked_member_can_neither_request_nor_send(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a, tab_b = await live.tab(a), await live.tab(b)
    async with live.http() as c:
        r = await c.post("/api/blocks", json={"handle": a.handle}, headers=b.headers)
        assert r.status_code == 201
        r = await c.post(
            "/api/conversations", json={"handle": b.handle, "body": "Hallo?"}, headers=a.headers
        )
        assert r.status_code == 404
    for tab, who in ((tab_a, "a"), (tab_b, "b")):
        await tab.say(conversation_id, "efter blokeringen", client_id=f"blocked-{who}")
        error = await tab.wait_for(type="error")
        assert error["code"] == "conversation_not_found" and error["client_id"] == f"blocked-{who}"
    await tab_a.send({"type": "typing", "conversation_id": conversation_id})
    assert (await tab_a.wait_for(type="error"))["code"] == "conversation_not_found"
    await _pong(tab_b)
    assert not [f for f in tab_b.frames if f["type"] in ("message", "typing")]


async def test_a_rate_limited_send_gets_an_error_and_nothing_is_lost_or_duplicated(
    live: Live,
) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab = await live.tab(a)
    ids = [await tab.say(conversation_id, f"hurtig {i}", client_id=f"fast-{i}") for i in range(30)]
    answers = {}
    for client_id in ids:
        answers[client_id] = await tab.wait_for(
            lambda f, cid=client_id: f.get("client_id") == cid and f["type"] in ("ack", "error")
        )
    refused = [cid for cid, f in answers.items() if f["type"] == "error"]
    assert refused and all(answers[cid]["code"] == "rate_limited" for cid in refused)
    stored = [m["body"] for m in await live.history(b, conversation_id)]
    assert len(stored) == 30 - len(refused) and len(set(stored)) == len(stored)

    # The client waits and sends the refused ones again, with the same client_ids.
    await asyncio.sleep(len(refused) / 2 + 0.5)
    for cid in refused:
        number = cid.split("-")[1]
        await tab.say(conversation_id, f"hurtig {number}", client_id=cid)
        assert (await tab.ack(cid))["duplicate"] is False
    stored = [m["body"] for m in await live.history(b, conversation_id)]
    assert sorted(stored) == sorted(f"hurtig {i}" for i in range(30))


async def test_a_member_may_open_only_a_few_sockets(live: Live) -> None:
    a = await live.seeder.member()
    for _ in range(5):
        await live.tab(a)
    extra = await live.tab(a, ready=False)
    await extra.send({"type": "auth", "token": a.token})
    assert await extra.closed() == 4429


async def test_logout_closes_the_live_socket_at_once(live: Live) -> None:
    a = await live.seeder.member()
    other_device = await live.seeder.login(a.id, a.handle)
    tab, other = await live.tab(a), await live.tab(other_device)
    async with live.http() as c:
        r = await c.post("/api/auth/logout", headers=a.headers)
        assert r.status_code == 204
    assert await tab.closed(within=2) == 4401
    await _pong(other)


async def test_a_password_change_closes_the_other_sessions_sockets(live: Live) -> None:
    a = await live.seeder.member()
    stolen: Person = await live.seeder.login(a.id, a.handle)
    mine, theirs = await live.tab(a), await live.tab(stolen)
    async with live.http() as c:
        r = await c.post(
            "/api/me/password",
            json={"current_password": PASSWORD, "new_password": "en helt ny og lang kode 42"},
            headers=a.headers,
        )
        assert r.status_code == 204, r.text
    assert await theirs.closed(within=2) == 4401
    await _pong(mine)


async def test_deleting_the_account_closes_every_socket(live: Live) -> None:
    a = await live.seeder.member()
    tabs = [await live.tab(a), await live.tab(await live.seeder.login(a.id, a.handle))]
    async with live.http() as c:
        r = await c.request("DELETE", "/api/me", json={"password": PASSWORD}, headers=a.headers)
        assert r.status_code == 204, r.text
    for tab in tabs:
        assert await tab.closed(within=2) == 4401
