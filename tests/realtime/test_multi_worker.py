"""Two uvicorn workers sharing PostgreSQL and Redis deliver to each other's sockets."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis import asyncio as aioredis

from tests.conftest import REDIS_URL, _pg_available, make_pg_database, need
from tests.live import LiveServer, migrate_and_seed, server_env
from tests.realtime.conftest import Live, Seeder, Tab, redis_available

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@dataclass
class Workers:
    one: LiveServer
    two: LiveServer
    seeder: Seeder


@pytest.fixture(scope="module")
async def workers(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Workers]:
    need(await _pg_available(), "PostgreSQL not reachable for the multi-worker test")
    need(await redis_available(REDIS_URL), "Redis not reachable for the multi-worker test")
    # Member ids start at 1 in every fresh database: counters that an earlier run left in the
    # tests' own Redis database (rate limits with day-long windows) would count against them.
    redis = aioredis.from_url(REDIS_URL)
    await redis.flushdb()
    await redis.aclose()
    url = await make_pg_database(f"samvaer_workers_{os.getpid()}")
    env = server_env(tmp_path_factory.mktemp("workers"), url, REDIS_URL=REDIS_URL)
    migrate_and_seed(env, seed=False)
    one, two = LiveServer(dict(env)).start(), LiveServer(dict(env)).start()
    seeder = Seeder(env)
    yield Workers(one, two, seeder)
    await seeder.close()
    one.stop()
    two.stop()


@pytest.fixture
async def live(workers: Workers) -> AsyncIterator[Live]:
    session = Live(workers.one, workers.seeder)
    yield session
    await session.close_tabs()


async def test_messages_and_typing_cross_between_workers(live: Live, workers: Workers) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    tab_a = await live.tab(a, server=workers.one)
    tab_b = await live.tab(b, server=workers.two)
    a_elsewhere = await live.tab(a, server=workers.two)
    conversation_id = await live.chat(a, b)
    await tab_b.wait_for(type="message")

    client_id = await tab_a.say(conversation_id, "Fra arbejder ét")
    ack = await tab_a.ack(client_id)
    assert (await tab_b.wait_for(type="message"))["message"] == ack["message"]
    await a_elsewhere.reached(conversation_id, ack["message"]["seq"])

    reply = await tab_b.say(conversation_id, "Fra arbejder to")
    await tab_b.ack(reply)
    got = await tab_a.wait_for(type="message", match=lambda f: f["message"]["seq"] == 3)
    assert got["message"]["body"] == "Fra arbejder to"

    await tab_b.send({"type": "typing", "conversation_id": conversation_id})
    typing = await tab_a.wait_for(type="typing")
    assert typing["handle"] == b.handle

    # A logout handled by one worker closes the member's socket on the other.
    async with live.http(workers.one) as c:
        assert (await c.post("/api/auth/logout", headers=b.headers)).status_code == 204
    assert await tab_b.closed(within=3) == 4401


async def test_order_holds_with_senders_on_both_workers(live: Live, workers: Workers) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a = await live.tab(a, server=workers.one)
    tab_b = await live.tab(b, server=workers.two)
    watchers = [await live.tab(a, server=workers.two), await live.tab(b, server=workers.one)]
    per_member = 20

    async def burst(tab: Tab, name: str) -> list[int]:
        ids = [await tab.say(conversation_id, f"{name} {i}") for i in range(per_member)]
        return [(await tab.ack(cid))["message"]["seq"] for cid in ids]

    seqs_a, seqs_b = await asyncio.gather(burst(tab_a, "a"), burst(tab_b, "b"))
    total = 2 * per_member
    assert seqs_a == sorted(seqs_a) and seqs_b == sorted(seqs_b)
    assert sorted(seqs_a + seqs_b) == list(range(1, total + 1))
    for tab in (tab_a, tab_b, *watchers):
        await tab.reached(conversation_id, total)
        # Redis may hand notices over in any order; each tab still gets each seq once, in order.
        assert tab.seqs(conversation_id) == list(range(1, total + 1))
