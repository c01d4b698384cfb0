"""A block reaches chat too: neither member can reach the other, and the conversation goes."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import call

OPEN_CHAT = {"who_can_message": "everyone"}


async def test_a_block_hides_the_conversation_both_ways(
    app: FastAPI, members: MemberFactory
) -> None:
    maja = await members.create("maja", privacy=OPEN_CHAT)
    jonas = await members.create("jonas", privacy=OPEN_CHAT)
    r = await call(jonas, "POST", "/api/conversations", json={"handle": "maja", "body": "Hej"})
    assert r.status_code == 201, r.text
    conversation_id = r.json()["id"]
    assert (
        await call(maja, "POST", f"/api/conversations/{conversation_id}/accept")
    ).status_code == 200

    assert (await call(maja, "POST", "/api/blocks", json={"handle": "jonas"})).status_code == 201
    for me, other in ((maja, "jonas"), (jonas, "maja")):
        listed = await call(me, "GET", "/api/conversations")
        assert listed.status_code == 200
        assert listed.json()["conversations"] == [] and other not in listed.text
        r = await call(me, "GET", f"/api/conversations/{conversation_id}/messages")
        assert r.status_code == 404
        r = await call(
            me,
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            json={"client_id": "x1", "body": "Er du der?"},
        )
        assert r.status_code == 404
        r = await call(me, "POST", "/api/conversations", json={"handle": other, "body": "Hej igen"})
        assert r.status_code == 404
        assert (await call(me, "GET", f"/api/users/{other}")).status_code == 404
