"""History, unread counts, read receipts, HTTP sends and what outsiders can see."""

from __future__ import annotations

import httpx
import pytest

from tests.chat.conftest import OPEN, history, open_conversation, request, send
from tests.factories import Member, MemberFactory


async def test_history_pages_by_seq_in_both_directions(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    for i in range(2, 8):
        sender = a if i % 2 else b
        assert (
            await send(client, sender, conversation_id, f"besked {i}", f"c{i}")
        ).status_code == 201

    latest = (await history(client, a, conversation_id, limit=3)).json()
    assert [m["seq"] for m in latest["messages"]] == [5, 6, 7] and latest["has_more"] is True
    older = (await history(client, a, conversation_id, before=5, limit=3)).json()
    assert [m["seq"] for m in older["messages"]] == [2, 3, 4] and older["has_more"] is True
    oldest = (await history(client, a, conversation_id, before=2, limit=3)).json()
    assert [m["seq"] for m in oldest["messages"]] == [1] and oldest["has_more"] is False
    newer = (await history(client, b, conversation_id, after=4, limit=2)).json()
    assert [m["seq"] for m in newer["messages"]] == [5, 6] and newer["has_more"] is True
    assert newer["messages"][0]["body"] == "besked 5"
    assert {m["sender"] for m in latest["messages"]} == {"astrid", "bodil"}


async def test_a_retried_send_is_stored_once(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    first = await send(client, a, conversation_id, "Kun én gang", "same-id")
    second = await send(client, a, conversation_id, "Kun én gang", "same-id")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["message"] == first.json()["message"]
    # Another member may use the same client_id: it is unique per sender only.
    assert (await send(client, b, conversation_id, "Også mig", "same-id")).status_code == 201
    bodies = [m["body"] for m in (await history(client, b, conversation_id)).json()["messages"]]
    assert bodies.count("Kun én gang") == 1 and len(bodies) == 3


async def test_outsider_can_neither_read_nor_send(
    client: httpx.AsyncClient, members: MemberFactory, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    outsider = await members.create("carl", privacy=OPEN)
    conversation_id = await open_conversation(client, a, b)
    assert (await send(client, a, conversation_id, "Hemmeligt", "s-1")).status_code == 201
    seen: list[str] = []
    for r in (
        await history(client, outsider, conversation_id),
        await client.get(f"/api/conversations/{conversation_id}", headers=outsider.headers),
        await send(client, outsider, conversation_id, "Jeg er her også", "o-1"),
        await client.post(
            f"/api/conversations/{conversation_id}/read",
            json={"message_id": 1},
            headers=outsider.headers,
        ),
        await client.post(f"/api/conversations/{conversation_id}/accept", headers=outsider.headers),
        await client.post(
            f"/api/conversations/{conversation_id}/decline", headers=outsider.headers
        ),
    ):
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "conversation_not_found"
        seen.append(r.text)
    seen.append((await client.get("/api/conversations", headers=outsider.headers)).text)
    joined = "\n".join(seen)
    assert "Hemmeligt" not in joined and "astrid" not in joined and "bodil" not in joined
    bodies = [m["body"] for m in (await history(client, a, conversation_id)).json()["messages"]]
    assert "Jeg er her også" not in bodies


async def test_a_nonexistent_conversation_looks_like_someone_elses(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, _ = pair
    r = await history(client, a, 999_999)
    assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"


async def test_unread_counts_follow_the_read_mark(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    ids = []
    for i in range(3):
        r = await send(client, b, conversation_id, f"svar {i}", f"b{i}")
        ids.append(r.json()["message"]["id"])
    await send(client, a, conversation_id, "mit eget", "a0")

    listing = (await client.get("/api/conversations", headers=a.headers)).json()
    [conv] = listing["conversations"]
    assert conv["unread"] == 3 and conv["last_message"]["body"] == "mit eget"
    r = await client.post(
        f"/api/conversations/{conversation_id}/read",
        json={"message_id": ids[1]},
        headers=a.headers,
    )
    assert r.status_code == 204
    conv = (await client.get(f"/api/conversations/{conversation_id}", headers=a.headers)).json()
    assert conv["unread"] == 1 and conv["read_seq"] == 3
    # An older read never moves the mark back.
    await client.post(
        f"/api/conversations/{conversation_id}/read",
        json={"message_id": ids[0]},
        headers=a.headers,
    )
    conv = (await client.get(f"/api/conversations/{conversation_id}", headers=a.headers)).json()
    assert conv["read_seq"] == 3
    # The request message b accepted counts as theirs to read, not astrid's.
    assert (await client.get(f"/api/conversations/{conversation_id}", headers=b.headers)).json()[
        "unread"
    ] == 2


@pytest.mark.parametrize(("a_on", "b_on"), [(True, True), (True, False), (False, True)])
async def test_read_receipts_need_both_members_consent(
    client: httpx.AsyncClient, members: MemberFactory, a_on: bool, b_on: bool
) -> None:
    a = await members.create("astrid", privacy={"read_receipts": a_on, **OPEN})
    b = await members.create("bodil", privacy={"read_receipts": b_on, **OPEN})
    conversation_id = await open_conversation(client, a, b)
    r = await send(client, a, conversation_id, "Læste du den?", "a1")
    await client.post(
        f"/api/conversations/{conversation_id}/read",
        json={"message_id": r.json()["message"]["id"]},
        headers=b.headers,
    )
    conv = (await client.get(f"/api/conversations/{conversation_id}", headers=a.headers)).json()
    if a_on and b_on:
        assert conv["peer_read_seq"] == 2
    else:
        assert conv["peer_read_seq"] is None


async def test_online_status_is_hidden_unless_shown(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    a = await members.create("astrid", privacy=OPEN)
    b = await members.create("bodil", privacy={"show_online": True, **OPEN})
    conversation_id = await open_conversation(client, a, b)
    as_b = (await client.get(f"/api/conversations/{conversation_id}", headers=b.headers)).json()
    as_a = (await client.get(f"/api/conversations/{conversation_id}", headers=a.headers)).json()
    assert as_b["peer_online"] is None
    assert as_a["peer_online"] is False


async def test_conversation_list_pages_newest_activity_first(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    me = await members.create("astrid", privacy=OPEN)
    others = [await members.create(f"peer{i}", privacy=OPEN) for i in range(3)]
    ids = [await open_conversation(client, me, other) for other in others]
    # Activity in the first one moves it to the top.
    await send(client, others[0], ids[0], "op igen", "p0")
    page = (await client.get("/api/conversations", params={"limit": 2}, headers=me.headers)).json()
    assert [c["id"] for c in page["conversations"]] == [ids[0], ids[2]]
    assert page["next_before"]
    rest = (
        await client.get(
            "/api/conversations",
            params={"limit": 2, "before": page["next_before"]},
            headers=me.headers,
        )
    ).json()
    assert [c["id"] for c in rest["conversations"]] == [ids[1]] and rest["next_before"] is None


async def test_requests_page_on_their_own(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    me = await members.create("astrid", privacy=OPEN)
    for i in range(3):
        asker = await members.create(f"asker{i}", privacy=OPEN)
        assert (await request(client, asker, "astrid", f"Hej fra {i}")).status_code == 201
    first = (await client.get("/api/conversations", params={"limit": 2}, headers=me.headers)).json()
    assert [r["peer_handle"] for r in first["requests"]] == ["asker2", "asker1"]
    more = (
        await client.get(
            "/api/conversations/requests",
            params={"limit": 2, "before": first["requests_next_before"]},
            headers=me.headers,
        )
    ).json()
    assert [r["peer_handle"] for r in more["requests"]] == ["asker0"]
    assert more["next_before"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"client_id": "x", "body": "a" * 4001}, "invalid_input"),
        ({"client_id": "x", "body": "   "}, "invalid_input"),
        ({"client_id": "x", "body": "nul\x00tegn"}, "invalid_input"),
        ({"client_id": "x" * 65, "body": "hej"}, "invalid_input"),
        ({"client_id": "mellem rum", "body": "hej"}, "invalid_input"),
        ({"client_id": "x", "body": "hej", "sender": "bodil"}, "invalid_input"),
    ],
)
async def test_bad_messages_are_refused_with_a_reason(
    client: httpx.AsyncClient, pair: tuple[Member, Member], body: dict[str, str], code: str
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    r = await client.post(
        f"/api/conversations/{conversation_id}/messages", json=body, headers=a.headers
    )
    assert r.status_code == 422 and r.json()["code"] == code
    assert "nul\x00tegn" not in r.text


async def test_a_message_of_exactly_the_limit_is_kept_whole(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    text = "æ" * 3999 + "\n"
    r = await send(client, a, conversation_id, text, "long")
    assert r.status_code == 201
    assert (await history(client, b, conversation_id)).json()["messages"][-1]["body"] == text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/conversations/99999999999999999999999/messages", {}),
        ("/api/conversations/1/messages", {"after": "-1"}),
        ("/api/conversations/1/messages", {"limit": "1000"}),
        ("/api/conversations", {"before": "not-a-cursor"}),
        ("/api/conversations", {"before": "9" * 40 + ".1"}),
    ],
)
async def test_bad_paging_is_a_clear_4xx(
    client: httpx.AsyncClient, pair: tuple[Member, Member], path: str, params: dict[str, str]
) -> None:
    a, _ = pair
    r = await client.get(path, params=params, headers=a.headers)
    assert 400 <= r.status_code < 500 and r.json()["code"] in ("invalid_input", "invalid_cursor")


async def test_chat_needs_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/conversations")).status_code == 401
    r = await client.post("/api/conversations", json={"handle": "bodil", "body": "hej"})
    assert r.status_code == 401


async def test_a_sent_message_reads_back_the_same(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    conversation_id = await open_conversation(client, a, b)
    sent = (await send(client, a, conversation_id, "Samme form", "shape")).json()["message"]
    [listed] = (await history(client, b, conversation_id, after=1)).json()["messages"]
    assert listed == sent and sent["created_at"].endswith("Z")


async def test_a_message_that_signals_risk_brings_the_writer_crisis_lines(
    client: httpx.AsyncClient, pair: tuple[Member, Member]
) -> None:
    a, b = pair
    r = await request(client, a, "bodil", "Jeg har ikke lyst til at leve længere")
    assert r.status_code == 201 and r.json()["support"]["lines"]
    conversation_id = r.json()["id"]
    await client.post(f"/api/conversations/{conversation_id}/accept", headers=b.headers)
    calm = await send(client, b, conversation_id, "Jeg er her. Vil du fortælle mere?", "b1")
    assert calm.json()["support"] is None
    risky = await send(client, a, conversation_id, "I want to kill myself", "a1")
    assert risky.json()["support"]["lines"]
    # Only the writer gets the pointer; the other member sees the message as written.
    listing = (await client.get("/api/conversations", headers=b.headers)).text
    assert "support" not in listing
