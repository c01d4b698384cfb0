"""First contact: a request carrying its first message, which the recipient answers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.chat.models import Conversation
from app.db import utcnow
from tests.chat.conftest import OPEN, history, join_group, open_conversation, request, send
from tests.factories import Member, MemberFactory


async def test_request_arrives_apart_with_its_first_message(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    r = await request(client, a, "bodil", "Hej Bodil, jeg læste dit opslag om sorg.")
    assert r.status_code == 201, r.text
    mine = r.json()
    assert mine["status"] == "pending" and mine["incoming"] is False
    assert mine["peer_handle"] == "bodil" and mine["last_seq"] == 1

    theirs = (await client.get("/api/conversations", headers=b.headers)).json()
    assert theirs["conversations"] == []
    [req] = theirs["requests"]
    assert req["incoming"] is True and req["peer_handle"] == "astrid"
    assert req["last_message"]["body"] == "Hej Bodil, jeg læste dit opslag om sorg."
    assert req["unread"] == 1

    sent = (await client.get("/api/conversations", headers=a.headers)).json()
    assert [c["id"] for c in sent["conversations"]] == [mine["id"]] and sent["requests"] == []


async def test_requester_is_not_told_when_the_request_was_seen(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    a = await members.create("astrid", privacy={"read_receipts": True, **OPEN})
    b = await members.create("bodil", privacy={"read_receipts": True, **OPEN})
    conversation_id = (await request(client, a, "bodil", "Hej")).json()["id"]
    before = (await client.get(f"/api/conversations/{conversation_id}", headers=a.headers)).json()
    message_id = before["last_message"]["id"]
    r = await client.post(
        f"/api/conversations/{conversation_id}/read",
        json={"message_id": message_id},
        headers=b.headers,
    )
    assert r.status_code == 204
    after = (await client.get(f"/api/conversations/{conversation_id}", headers=a.headers)).json()
    assert after == before and after["peer_read_seq"] is None
    seen = (await client.get(f"/api/conversations/{conversation_id}", headers=b.headers)).json()
    assert seen["unread"] == 0


async def test_nobody_writes_until_the_request_is_accepted(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = (await request(client, a, "bodil", "Hej")).json()["id"]
    for who in (a, b):
        r = await send(client, who, conversation_id, "mere", f"x-{who.handle}")
        assert r.status_code == 403 and r.json()["code"] == "request_pending"
    again = await request(client, a, "bodil", "Hallo?")
    assert again.status_code == 409 and again.json()["code"] == "request_pending"
    # The requester cannot accept their own request.
    r = await client.post(f"/api/conversations/{conversation_id}/accept", headers=a.headers)
    assert r.status_code == 409

    r = await client.post(f"/api/conversations/{conversation_id}/accept", headers=b.headers)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert (await send(client, b, conversation_id, "Velkommen", "b-1")).status_code == 201
    assert (await send(client, a, conversation_id, "Tak", "a-1")).status_code == 201
    bodies = [m["body"] for m in (await history(client, a, conversation_id)).json()["messages"]]
    assert bodies == ["Hej", "Velkommen", "Tak"]


async def test_asking_someone_who_asked_you_accepts_their_request(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    first = (await request(client, a, "bodil", "Hej Bodil")).json()
    r = await request(client, b, "astrid", "Hej Astrid")
    assert r.status_code == 201 and r.json()["id"] == first["id"]
    assert r.json()["status"] == "accepted"


async def test_declined_requester_learns_only_not_accepted_and_must_wait(
    app: FastAPI, client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = (await request(client, a, "bodil", "Hej")).json()["id"]
    r = await client.post(f"/api/conversations/{conversation_id}/decline", headers=b.headers)
    assert r.status_code == 204

    seen_by_a = (await client.get("/api/conversations", headers=a.headers)).json()
    [conv] = seen_by_a["conversations"]
    assert conv["status"] == "not_accepted"
    assert "decided_at" not in str(seen_by_a) and "declined" not in str(seen_by_a)
    listing_b = (await client.get("/api/conversations", headers=b.headers)).json()
    assert listing_b["conversations"] == [] and listing_b["requests"] == []

    again = await request(client, a, "bodil", "Undskyld, en gang til")
    assert again.status_code == 403 and again.json()["code"] == "request_not_accepted"

    async with app.state.db.sessions() as s:
        await s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(decided_at=utcnow() - timedelta(days=31))
        )
        await s.commit()
    later = await request(client, a, "bodil", "Hej igen, en måned senere")
    assert later.status_code == 201 and later.json()["status"] == "pending"
    [req] = (await client.get("/api/conversations", headers=b.headers)).json()["requests"]
    assert req["last_message"]["body"] == "Hej igen, en måned senere"


async def test_declining_with_a_block_stops_everything(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = (await request(client, a, "bodil", "Hej")).json()["id"]
    r = await client.post(
        f"/api/conversations/{conversation_id}/decline", json={"block": True}, headers=b.headers
    )
    assert r.status_code == 204
    blocks = (await client.get("/api/blocks", headers=b.headers)).json()
    assert [x["handle"] for x in blocks] == ["astrid"]
    again = await request(client, a, "bodil", "Hallo")
    assert again.status_code == 404 and again.json()["code"] == "member_not_found"
    assert (await client.get("/api/conversations", headers=a.headers)).json()["conversations"] == []
    assert (await history(client, a, conversation_id)).status_code == 404
    # The one who blocked cannot start one either until they lift the block.
    assert (await request(client, b, "astrid", "Hej")).status_code == 404


async def test_blocked_member_cannot_start_chat(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    assert (
        await client.post("/api/blocks", json={"handle": "astrid"}, headers=b.headers)
    ).status_code == 201
    r = await request(client, a, "bodil", "Hej")
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"
    assert (await client.get("/api/conversations", headers=b.headers)).json()["requests"] == []


async def test_blocking_ends_an_open_conversation_both_ways(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    assert (await send(client, a, conversation_id, "Hej", "a-1")).status_code == 201
    assert (
        await client.post("/api/blocks", json={"handle": "bodil"}, headers=a.headers)
    ).status_code == 201
    for who in (a, b):
        r = await send(client, who, conversation_id, "Er du der?", f"late-{who.handle}")
        assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
        assert (await history(client, who, conversation_id)).status_code == 404
        listing = (await client.get("/api/conversations", headers=who.headers)).json()
        assert listing["conversations"] == []
    assert (await client.delete("/api/blocks/bodil", headers=a.headers)).status_code == 204
    assert (await send(client, b, conversation_id, "Hej igen", "b-2")).status_code == 201


@pytest.mark.parametrize(
    ("setting", "shared", "allowed"),
    [
        ("everyone", False, True),
        ("shared_groups", True, True),
        ("shared_groups", False, False),
        ("nobody", True, False),
    ],
)
async def test_recipients_chat_setting_decides_who_may_ask(
    app: FastAPI,
    client: httpx.AsyncClient,
    members: MemberFactory,
    setting: str,
    shared: bool,
    allowed: bool,
) -> None:
    a = await members.create("astrid")
    await members.create("bodil", privacy={"who_can_message": setting})
    if shared:
        await join_group(app, "astrid", "bodil")
    r = await request(client, a, "bodil", "Hej")
    if allowed:
        assert r.status_code == 201, r.text
    else:
        assert r.status_code == 403 and r.json()["code"] == "cannot_message_member"
        assert r.json()["detail"]


async def test_shared_group_counts_only_when_both_are_active_members(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    a = await members.create("astrid")
    await members.create("bodil")
    await join_group(app, "bodil")
    await join_group(app, "astrid", "bodil", status="pending")
    r = await request(client, a, "bodil", "Hej")
    assert r.status_code == 403


async def test_new_members_accept_requests_only_from_shared_groups(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    a = await members.create("astrid")
    await members.create("bodil")
    r = await request(client, a, "bodil", "Hej")
    assert r.status_code == 403 and r.json()["code"] == "cannot_message_member"


async def test_members_cannot_message_themselves(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, _ = pair
    r = await request(client, a, "ASTRID", "Hej mig")
    assert r.status_code == 400 and r.json()["code"] == "cannot_message_self"


async def test_unknown_member_cannot_be_asked(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, _ = pair
    r = await request(client, a, "nobody-here", "Hej")
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"


async def test_a_retried_request_is_stored_once(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    body = {"handle": "bodil", "body": "Hej", "client_id": "req-1"}
    first = await client.post("/api/conversations", json=body, headers=a.headers)
    second = await client.post("/api/conversations", json=body, headers=a.headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    r = await history(client, b, first.json()["id"])
    assert [m["body"] for m in r.json()["messages"]] == ["Hej"]
