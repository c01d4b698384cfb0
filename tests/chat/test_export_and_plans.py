"""A member's chat in their data export, and an index behind every chat list query."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.chat import batch
from app.chat import service as chat
from app.chat.models import Conversation, Message
from tests.chat.conftest import open_conversation, send
from tests.factories import Member
from tests.plans import full_scans, query_plan


async def test_export_holds_my_conversations_and_what_i_wrote(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    await send(client, a, conversation_id, "Mit eget ord", "a1")
    await send(client, b, conversation_id, "Bodils ord", "b1")
    mine = (await client.get("/api/me/export", headers=a.headers)).json()["chat"]
    assert mine["conversations"] == [
        {
            "id": conversation_id,
            "with": "bodil",
            "status": "accepted",
            "created_at": mine["conversations"][0]["created_at"],
        }
    ]
    assert [m["body"] for m in mine["messages_sent"]] == [
        "Hej, må jeg skrive til dig?",
        "Mit eget ord",
    ]
    assert "Bodils ord" not in str(mine)


async def test_deleting_a_member_deletes_their_conversations_and_every_message_in_them(
    app: FastAPI, client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    # messages.sender_id is no foreign key: the conversation's cascade must remove them all.
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    await send(client, a, conversation_id, "Mit eget ord", "a1")
    await send(client, b, conversation_id, "Bodils ord", "b1")
    r = await client.request("DELETE", "/api/me", headers=a.headers, json={"password": a.password})
    assert r.status_code == 204
    async with app.state.db.sessions() as session:
        left = await session.scalar(select(func.count()).select_from(Message))
        conversations = await session.scalar(select(func.count()).select_from(Conversation))
    assert left == 0 and conversations == 0
    listing = (await client.get("/api/conversations", headers=b.headers)).json()
    assert listing["conversations"] == []


async def test_chat_list_queries_use_an_index(app: FastAPI) -> None:
    queries = [
        chat.page_query(1, condition=chat.conversations_filter(1), before=None, limit=21),
        chat.page_query(1, condition=chat.requests_filter(1), before=None, limit=21),
        *(
            statement.params(params)
            for statement, params in (
                chat.history_query(1, after=None, before=None, limit=51),
                chat.history_query(1, after=None, before=500, limit=51),
                chat.history_query(1, after=10, before=None, limit=51),
            )
        ),
    ]
    for query in queries:
        plan = await query_plan(app, query)
        assert plan and not full_scans(plan, "conversations", "messages"), "\n".join(plan)


async def test_the_writer_finds_stored_sends_by_probing_the_unique_index(app: FastAPI) -> None:
    # A row-value IN here made SQLite scan the whole index: every batch slowed as chat grew.
    keys = [(1, 2, "a"), (3, 4, "b"), (5, 6, "c")]
    query = batch._stored_select(len(keys)).params(batch._key_params(keys))
    plan = await query_plan(app, query)
    assert plan and not full_scans(plan, "messages"), "\n".join(plan)


async def test_the_writer_checks_blocks_by_probing_their_primary_key(app: FastAPI) -> None:
    query = batch._LOCK.params(ids=[1, 2, 3])
    plan = await query_plan(app, query)
    assert plan and not full_scans(plan, "conversations", "blocks"), "\n".join(plan)
