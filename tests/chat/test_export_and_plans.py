"""A member's chat in their data export, and an index behind every chat list query."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import Select, text

from app.chat import service as chat
from tests.chat.conftest import open_conversation, send
from tests.factories import Member


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


async def _plan(app: FastAPI, query: Select) -> list[str]:
    engine = app.state.db.engine
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = await conn.execute(text("EXPLAIN QUERY PLAN " + sql))
            return [r[-1] for r in rows]
        # Tables are tiny here: make the planner show whether an index can serve the query.
        await conn.execute(text("SET enable_seqscan = off"))
        return [r[0] for r in await conn.execute(text("EXPLAIN " + sql))]


def _full_scans(plan: list[str]) -> list[str]:
    pattern = re.compile(
        r"^(SCAN (conversations|messages)\b|.*Seq Scan on (conversations|messages))"
    )
    return [line for line in plan if pattern.search(line.strip(" ->"))]


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
        plan = await _plan(app, query)
        assert plan and not _full_scans(plan), "\n".join(plan)
