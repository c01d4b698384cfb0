"""Two members chatting live over real websockets: delivery, tabs, resume, retries, order."""

from __future__ import annotations

import asyncio
import json

from tests.realtime.conftest import Live, eventually


async def test_two_members_chat_live(live: Live) -> None:
    a = await live.seeder.member("astrid")
    b = await live.seeder.member("bodil")
    tab_a = await live.tab(a)
    tab_b = await live.tab(b)

    async with live.http() as c:
        r = await c.post(
            "/api/conversations", json={"handle": b.handle, "body": "Hej Bodil"}, headers=a.headers
        )
        conversation_id = r.json()["id"]
        request = await tab_b.wait_for(type="message")
        assert request["message"]["body"] == "Hej Bodil" and request["message"]["seq"] == 1
        # The requester's own tabs see what they sent from elsewhere (here: over HTTP).
        assert (await tab_a.wait_for(type="message"))["message"] == request["message"]
        await tab_b.wait_for(type="conversation", event="requested")
        await c.post(f"/api/conversations/{conversation_id}/accept", headers=b.headers)
    await tab_a.wait_for(type="conversation", event="accepted", conversation_id=conversation_id)

    client_id = await tab_a.say(conversation_id, "Hvordan går det?")
    ack = await tab_a.ack(client_id)
    live_copy = await tab_b.wait_for(type="message")
    assert live_copy["message"] == ack["message"]
    assert ack["message"]["sender"] == a.handle and ack["message"]["seq"] == 2

    reply = await tab_b.say(conversation_id, "Bedre i dag, tak.")
    await tab_b.ack(reply)
    got = await tab_a.wait_for(type="message")
    assert got["message"]["body"] == "Bedre i dag, tak." and got["message"]["sender"] == b.handle


async def test_every_tab_of_both_members_gets_each_message_once(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.chat(a, b)
    held = {conversation_id: 1}
    a1, a2 = await live.tab(a, resume=held), await live.tab(a, resume=held)
    b1, b2 = await live.tab(b, resume=held), await live.tab(b, resume=held)

    client_id = await a1.say(conversation_id, "Til alle dine faner")
    seq = (await a1.ack(client_id))["message"]["seq"]
    for tab in (a2, b1, b2):
        frame = await tab.wait_for(type="message")
        assert frame["message"]["seq"] == seq
    # The sending tab gets its ack, not a second copy as a message.
    await a1.send({"type": "ping"})
    await a1.wait_for(type="pong")
    assert a1.seqs(conversation_id, acks=False) == []
    assert a1.seqs(conversation_id) == [seq]


async def test_message_sent_while_offline_arrives_on_resume_and_in_history(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.chat(a, b)
    tab_a = await live.tab(a)
    tab_b = await live.tab(b, resume={conversation_id: 1})
    first = await tab_a.say(conversation_id, "før")
    await tab_a.ack(first)
    await tab_b.wait_for(type="message")
    await tab_b.close()

    sent = []
    for text in ("mens du var væk 1", "mens du var væk 2", "mens du var væk 3"):
        client_id = await tab_a.say(conversation_id, text)
        sent.append((await tab_a.ack(client_id))["message"])

    back = await live.tab(b, resume={conversation_id: 2})
    assert back.seqs(conversation_id) == [3, 4, 5]
    assert [f["message"] for f in back.frames if f["type"] == "message"] == sent
    resumed = next(f for f in back.frames if f["type"] == "resumed")
    assert resumed["conversations"] == {str(conversation_id): 5}
    history = await live.history(b, conversation_id)
    # The socket and the HTTP API give a message the very same shape.
    assert history[-3:] == sent


async def test_a_request_made_while_offline_is_replayed_without_asking(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    async with live.http() as c:
        r = await c.post(
            "/api/conversations", json={"handle": b.handle, "body": "Er du der?"}, headers=a.headers
        )
        conversation_id = r.json()["id"]
    # The client knows no conversations yet: unread ones are replayed from the read mark.
    tab_b = await live.tab(b, resume={})
    [frame] = [f for f in tab_b.frames if f["type"] == "message"]
    assert frame["message"]["conversation_id"] == conversation_id
    assert frame["message"]["body"] == "Er du der?"


async def test_resume_is_gap_free_while_messages_keep_coming(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a = await live.tab(a)
    # Within one member's send budget (a burst of 20), so every send is accepted.
    total = 20

    async def keep_sending() -> None:
        for i in range(total):
            client_id = await tab_a.say(conversation_id, f"nr. {i}")
            await tab_a.ack(client_id)
            await asyncio.sleep(0.04)

    sender = asyncio.create_task(keep_sending())
    seen: list[int] = []
    reconnects = 0
    while True:
        finished = sender.done()
        tab = await live.tab(b, resume={conversation_id: seen[-1] if seen else 0})
        await asyncio.sleep(0.05)
        await tab.close()
        seen += tab.seqs(conversation_id)
        reconnects += 1
        if finished:
            break
    await sender
    assert reconnects > 3
    assert seen == list(range(1, total + 1))


async def test_the_ack_of_a_message_that_signals_risk_carries_crisis_lines(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a, tab_b = await live.tab(a), await live.tab(b)
    calm = await tab_a.ack(await tab_a.say(conversation_id, "Godmorgen"))
    assert calm["support"] is None
    risky = await tab_a.ack(await tab_a.say(conversation_id, "Jeg vil ikke leve mere"))
    assert risky["support"]["lines"]
    # Only the writer gets the pointer; the reader sees the message as it was written.
    await tab_b.reached(conversation_id, risky["message"]["seq"])
    assert "support" not in json.dumps(tab_b.frames)


async def test_a_socket_that_missed_a_notice_catches_up_from_the_database(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a, tab_b = await live.tab(a), await live.tab(b)
    await tab_a.ack(await tab_a.say(conversation_id, "første"))
    await tab_b.reached(conversation_id, 1)
    lost = await live.seeder.message_without_notice(conversation_id, a, "den tabte besked")
    ack = await tab_a.ack(await tab_a.say(conversation_id, "tredje"))
    assert ack["message"]["seq"] == lost + 1
    # The sender's own tab filled the gap before its ack; the reader's before the notice.
    for tab in (tab_a, tab_b):
        await tab.reached(conversation_id, lost + 1)
        assert tab.seqs(conversation_id) == [1, 2, 3]
    bodies = [f["message"]["body"] for f in tab_b.frames if f["type"] == "message"]
    assert bodies == ["første", "den tabte besked", "tredje"]


async def test_a_retried_send_is_stored_once(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a = await live.tab(a)
    tab_b = await live.tab(b)

    client_id = await tab_a.say(conversation_id, "én gang", client_id="retry-me")
    first = await tab_a.ack(client_id)
    await tab_a.say(conversation_id, "én gang", client_id="retry-me")
    second = await tab_a.ack(client_id)
    assert second["duplicate"] is True and second["message"] == first["message"]
    # After a reconnect too, as when the first ack was lost with the connection.
    await tab_a.close()
    again = await live.tab(a, resume={conversation_id: 1})
    await again.say(conversation_id, "én gang", client_id="retry-me")
    third = await again.ack("retry-me")
    assert third["message"] == first["message"]

    marker = await again.say(conversation_id, "næste")
    await again.ack(marker)
    await tab_b.wait_for(type="message", match=lambda f: f["message"]["body"] == "næste")
    assert tab_b.seqs(conversation_id) == [1, 2]
    assert [m["body"] for m in await live.history(b, conversation_id)] == ["én gang", "næste"]


async def test_order_holds_under_concurrent_senders(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    senders = [await live.tab(a), await live.tab(a), await live.tab(b), await live.tab(b)]
    watcher = await live.tab(b)
    per_tab = 10  # two tabs per member: 20 each, one member's burst

    async def burst(index: int) -> list[int]:
        tab = senders[index]
        ids = [await tab.say(conversation_id, f"tab {index} nr. {i}") for i in range(per_tab)]
        return [(await tab.ack(client_id))["message"]["seq"] for client_id in ids]

    acked = await asyncio.gather(*(burst(i) for i in range(len(senders))))
    total = per_tab * len(senders)
    # Each tab's own messages are numbered in the order it sent them.
    for seqs in acked:
        assert seqs == sorted(seqs)
    assert sorted(s for seqs in acked for s in seqs) == list(range(1, total + 1))

    await watcher.wait_for(type="message", match=lambda f: f["message"]["seq"] == total)
    for tab in [*senders, watcher]:
        await tab.send({"type": "ping"})
        await tab.wait_for(type="pong")
        # Every tab saw every message exactly once, in order, as a message or as its ack.
        assert tab.seqs(conversation_id) == list(range(1, total + 1))
    history = await live.history(a, conversation_id)
    assert [m["seq"] for m in history] == list(range(1, total + 1))
    by_tab: dict[str, list[int]] = {}
    for m in history:
        name, number = m["body"].rsplit(" nr. ", 1)
        by_tab.setdefault(name, []).append(int(number))
    assert all(numbers == list(range(per_tab)) for numbers in by_tab.values())


async def test_typing_reaches_the_other_member_and_is_never_stored(live: Live) -> None:
    a = await live.seeder.member()
    b = await live.seeder.member()
    conversation_id = await live.seeder.conversation(a, b)
    tab_a, tab_b = await live.tab(a), await live.tab(b)
    await tab_a.send({"type": "typing", "conversation_id": conversation_id})
    frame = await tab_b.wait_for(type="typing")
    assert frame == {"type": "typing", "conversation_id": conversation_id, "handle": a.handle}
    assert await live.history(b, conversation_id) == []
    # A typing notice only in an accepted conversation.
    c = await live.seeder.member()
    async with live.http() as http:
        r = await http.post(
            "/api/conversations", json={"handle": c.handle, "body": "Hej"}, headers=a.headers
        )
    await tab_a.send({"type": "typing", "conversation_id": r.json()["id"]})
    error = await tab_a.wait_for(type="error")
    assert error["code"] == "request_pending"


async def test_read_receipts_reach_the_sender_only_when_both_allow(live: Live) -> None:
    for a_on, b_on in ((True, True), (True, False)):
        a = await live.seeder.member(privacy={"read_receipts": a_on})
        b = await live.seeder.member(privacy={"read_receipts": b_on})
        conversation_id = await live.seeder.conversation(a, b)
        tab_a, tab_b, b_other = await live.tab(a), await live.tab(b), await live.tab(b)
        ack = await tab_a.ack(await tab_a.say(conversation_id, "Læs mig"))
        await tab_b.wait_for(type="message")
        message_id = ack["message"]["id"]
        await tab_b.send(
            {"type": "read", "conversation_id": conversation_id, "message_id": message_id}
        )
        # The reader's other tab always hears of it (its unread count), so it is a clock.
        mine = await b_other.wait_for(type="read")
        assert mine["seq"] == 1 and mine["handle"] == b.handle
        await tab_a.send({"type": "ping"})
        await tab_a.wait_for(type="pong")
        receipts = [f for f in tab_a.frames if f["type"] == "read"]
        assert len(receipts) == (1 if a_on and b_on else 0)


async def test_online_status_shows_only_for_members_who_allow_it(live: Live) -> None:
    a = await live.seeder.member()
    shy = await live.seeder.member()
    open_ = await live.seeder.member(privacy={"show_online": True})
    ids = {
        shy.handle: await live.seeder.conversation(a, shy),
        open_.handle: await live.seeder.conversation(a, open_),
    }

    async def status() -> dict[str, object]:
        async with live.http() as c:
            r = await c.get("/api/conversations", headers=a.headers)
        return {x["peer_handle"]: x["peer_online"] for x in r.json()["conversations"]}

    assert await status() == {shy.handle: None, open_.handle: False}
    tabs = [await live.tab(shy), await live.tab(open_)]
    assert await status() == {shy.handle: None, open_.handle: True}
    for tab in tabs:
        await tab.close()
    await eventually(lambda: status(), {shy.handle: None, open_.handle: False})
    assert set(ids) == {shy.handle, open_.handle}
