"""A real server and a real websocket: suspending a member closes their live socket at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.accounts.models import User
from app.config import Settings
from app.db import Database
from tests.factories import PASSWORD, enable_two_factor
from tests.live import LiveServer, migrate_and_seed, server_env

CLOSE_AUTH = 4401


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[LiveServer, Database]]:
    env = server_env(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'samvaer.db'}")
    migrate_and_seed(env, seed=False)
    live = LiveServer(env).start()
    db = Database(
        Settings(data_dir=tmp_path, database_url=env["DATABASE_URL"], secret_key=env["SECRET_KEY"])
    )
    try:
        yield live, db
    finally:
        await db.dispose()
        live.stop()


async def _login(c: httpx.AsyncClient, handle: str, **extra: Any) -> dict[str, str]:
    r = await c.post(
        "/api/auth/login",
        json={"handle": handle, "password": PASSWORD, "use_cookies": False, **extra},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _register(c: httpx.AsyncClient, handle: str) -> None:
    r = await c.post(
        "/api/auth/register",
        json={"handle": handle, "password": PASSWORD, "consent": True, "is_adult": True},
    )
    assert r.status_code == 201, r.text


async def _socket(live: LiveServer, headers: dict[str, str]) -> ClientConnection:
    ws = await connect(live.ws_url, additional_headers={"Origin": live.url}, open_timeout=5)
    token = headers["Authorization"].removeprefix("Bearer ")
    await ws.send(json.dumps({"type": "auth", "token": token}))
    ready = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ready["type"] == "ready", ready
    return ws


async def _closed(ws: ClientConnection) -> int | None:
    """Read until the server closes the socket; returns its close code."""
    try:
        while True:
            await ws.recv()
    except ConnectionClosed:
        return ws.close_code


async def test_a_suspended_members_live_socket_closes_within_a_second(
    server: tuple[LiveServer, Database],
) -> None:
    live, db = server
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as c:
        await _register(c, "maja")
        await _register(c, "mod_sara")
        async with db.sessions() as s:
            await s.execute(update(User).where(User.handle == "mod_sara").values(role="moderator"))
            await s.commit()
        secret = await enable_two_factor(c, "mod_sara", PASSWORD)
        moderator = await _login(c, "mod_sara", totp_code=pyotp.TOTP(secret).now())
        maja = await _login(c, "maja")
        phone, laptop = await _socket(live, maja), await _socket(live, maja)
        try:
            r = await c.post(
                "/api/mod/users/maja/suspend",
                json={"reason": "Chikane", "days": 3},
                headers=moderator,
            )
            assert r.status_code == 200, r.text
            codes = await asyncio.wait_for(
                asyncio.gather(_closed(phone), _closed(laptop)), timeout=1.0
            )
            assert codes == [CLOSE_AUTH, CLOSE_AUTH]
        finally:
            await phone.close()
            await laptop.close()
        assert (await c.get("/api/me", headers=maja)).status_code == 401
        # A new socket with the old token is refused too.
        ws = await connect(live.ws_url, additional_headers={"Origin": live.url}, open_timeout=5)
        await ws.send(json.dumps({"type": "auth", "token": maja["Authorization"][7:]}))
        assert await asyncio.wait_for(_closed(ws), 5) == CLOSE_AUTH
