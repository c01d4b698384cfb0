"""kill -9 while fifty pairs are chatting: every acknowledged message survives, exactly once."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import _pg_available, make_pg_database, need
from tests.live import LiveServer, migrate_and_seed, server_env
from tests.realtime.conftest import Live, Person, Seeder, Tab

PAIRS = 50


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_every_acknowledged_message_survives_a_kill_9(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'samvaer.db'}"
    else:
        need(await _pg_available(), "PostgreSQL not reachable for the crash test")
        url = await make_pg_database(f"samvaer_crash_{os.getpid()}")
    # Rate limits off: fifty pairs sending flat out is the point here.
    env = server_env(tmp_path, url, RATE_LIMITS_ENABLED="false")
    migrate_and_seed(env, seed=False)
    seeder = Seeder(env)
    server = LiveServer(dict(env)).start()
    live = Live(server, seeder)
    try:
        pairs: list[tuple[Person, Person, int]] = []
        for _ in range(PAIRS):
            a, b = await seeder.member("sender"), await seeder.member("reader")
            pairs.append((a, b, await seeder.conversation(a, b)))
        senders = [await live.tab(a) for a, _, _ in pairs]
        for _, b, _ in pairs:
            await live.tab(b)

        acked: list[dict[int, str]] = [{} for _ in pairs]
        unacked: list[tuple[str, str] | None] = [None] * PAIRS

        async def chat(index: int, tab: Tab, conversation_id: int) -> None:
            number = 0
            while True:
                body = f"par {index} besked {number}"
                client_id = f"{index}-{number}"
                unacked[index] = (client_id, body)
                try:
                    await tab.say(conversation_id, body, client_id=client_id)
                    ack = await tab.ack(client_id, within=10)
                except (ConnectionClosed, AssertionError, TimeoutError):
                    return  # the server is gone
                acked[index][ack["message"]["seq"]] = body
                unacked[index] = None
                number += 1

        chatting = [
            asyncio.create_task(chat(i, tab, conversation_id))
            for i, (tab, (_, _, conversation_id)) in enumerate(zip(senders, pairs, strict=True))
        ]
        await asyncio.sleep(1.5)
        server.kill9()
        await asyncio.wait_for(asyncio.gather(*chatting), timeout=15)
        live.tabs.clear()
        assert sum(len(a) for a in acked) > PAIRS, "too little was sent before the crash"

        server = LiveServer(dict(env)).start()
        live = Live(server, seeder)
        for index, (a, b, conversation_id) in enumerate(pairs):
            history = await live.history(b, conversation_id)
            seqs = [m["seq"] for m in history]
            bodies = [m["body"] for m in history]
            # In order, with no gaps and no message twice.
            assert seqs == list(range(1, len(history) + 1)), index
            assert len(set(bodies)) == len(bodies), index
            for seq, body in acked[index].items():
                assert history[seq - 1]["body"] == body, (index, seq)
            pending = unacked[index]
            if pending is not None:
                # The client never heard back: it sends again with the same client_id, and
                # the message ends up stored once whether or not the first try was committed.
                tab = await live.tab(a, resume={conversation_id: len(history)})
                await tab.say(conversation_id, pending[1], client_id=pending[0])
                await tab.ack(pending[0])
                again = [m["body"] for m in await live.history(b, conversation_id)]
                assert again.count(pending[1]) == 1, index
                assert len(again) in (len(history), len(history) + 1)
        await live.close_tabs()
    finally:
        server.stop()
        await seeder.close()
