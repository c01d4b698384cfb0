"""Shared steps for chat tests: members who accept messages, accepted conversations, groups."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.accounts.models import User
from app.chat.ws import ChatSocket
from app.groups.models import Category, Group, GroupMembership
from tests.factories import Member, MemberFactory

OPEN = {"who_can_message": "everyone"}


def fake_chat_socket(extensions: dict[str, Any] | None = None) -> ChatSocket:
    """A ChatSocket of member 7 on no real socket, for its rules alone."""
    user = SimpleNamespace(id=7, handle="maja", language="da")
    runtime = SimpleNamespace(send_budget=SimpleNamespace(enabled=True))
    principal = SimpleNamespace(user=user, session_id="s")
    websocket = SimpleNamespace(scope={"extensions": extensions or {}})
    return ChatSocket(
        cast(Any, websocket),
        cast(Any, None),
        cast(Any, None),
        cast(Any, runtime),
        cast(Any, principal),
    )


def queued(socket: ChatSocket) -> list[Any]:
    """Everything waiting in a socket's queue, taken out."""
    items = []
    while not socket.listener.queue.empty():
        items.append(socket.listener.queue.get_nowait())
    return items


_group_numbers = itertools.count()


async def request(c: httpx.AsyncClient, sender: Member, handle: str, body: str) -> httpx.Response:
    return await c.post(
        "/api/conversations", json={"handle": handle, "body": body}, headers=sender.headers
    )


async def open_conversation(c: httpx.AsyncClient, a: Member, b: Member) -> int:
    """`a` asks `b`, `b` accepts; returns the conversation id."""
    r = await request(c, a, b.handle, "Hej, må jeg skrive til dig?")
    assert r.status_code == 201, r.text
    conversation_id: int = r.json()["id"]
    r = await c.post(f"/api/conversations/{conversation_id}/accept", headers=b.headers)
    assert r.status_code == 200, r.text
    return conversation_id


async def send(
    c: httpx.AsyncClient, sender: Member, conversation_id: int, body: str, client_id: str
) -> httpx.Response:
    return await c.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"client_id": client_id, "body": body},
        headers=sender.headers,
    )


async def history(
    c: httpx.AsyncClient, viewer: Member, conversation_id: int, **params: int
) -> httpx.Response:
    return await c.get(
        f"/api/conversations/{conversation_id}/messages", params=params, headers=viewer.headers
    )


async def join_group(app: FastAPI, *handles: str, status: str = "active") -> None:
    """Put members in a new group of their own (`status` 'pending' = asked, not yet in)."""
    n = next(_group_numbers)
    async with app.state.db.sessions() as s:
        category = Category(slug=f"chat-test-{n}", name_da="Test", name_en="Test")
        s.add(category)
        await s.flush()
        group = Group(
            slug=f"chat-test-{n}", category_id=category.id, name_da="Test", name_en="Test"
        )
        s.add(group)
        await s.flush()
        for handle in handles:
            user_id = await s.scalar(select(User.id).where(User.handle == handle))
            s.add(GroupMembership(group_id=group.id, user_id=user_id, status=status))
        await s.commit()


@pytest.fixture
async def pair(members: MemberFactory) -> tuple[Member, Member]:
    """Two members who both accept messages from anyone."""
    return (
        await members.create("astrid", privacy=OPEN),
        await members.create("bodil", privacy=OPEN),
    )
