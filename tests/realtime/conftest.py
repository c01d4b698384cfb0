"""Real servers and real websockets: members seeded straight into the server's database,
and a small websocket client ("tab") that records every frame it receives."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.accounts.models import AuthSession, User
from app.accounts.passwords import handle_key
from app.chat.models import Conversation, Message, Status
from app.config import Settings
from app.db import Database, utcnow
from app.profiles.models import Profile
from app.profiles.rules import default_privacy
from app.security import create_access_token, hash_password, new_opaque_token
from tests.factories import PASSWORD
from tests.live import LiveServer, migrate_and_seed, server_env

_numbers = itertools.count(1)
_PASSWORD_HASH = hash_password(PASSWORD)
OPEN = {"who_can_message": "everyone"}


@dataclass
class Person:
    id: int
    handle: str
    token: str
    session_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Seeder:
    """Writes members, logins and conversations directly, as registration would leave them
    (argon2 for every member would make big tests slow, and rate limits would refuse them)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.settings = Settings(
            data_dir=Path(env["DATA_DIR"]),
            database_url=env["DATABASE_URL"],
            secret_key=env["SECRET_KEY"],
        )
        self.db = Database(self.settings)

    async def close(self) -> None:
        await self.db.dispose()

    async def member(
        self, prefix: str = "member", *, privacy: dict[str, Any] | None = None, language: str = "da"
    ) -> Person:
        handle = f"{prefix}{next(_numbers)}"
        now = utcnow()
        async with self.db.sessions() as s:
            user = User(
                handle=handle,
                handle_key=handle_key(handle),
                password_hash=_PASSWORD_HASH,
                email=None,
                language=language,
                role="member",
                consent_at=now,
                consent_version=self.settings.consent_version,
                adult_confirmed_at=now,
                created_at=now,
                password_changed_at=now,
            )
            s.add(user)
            await s.flush()
            s.add(Profile(user_id=user.id, **{**default_privacy(), **OPEN, **(privacy or {})}))
            await s.commit()
            user_id = user.id
        return await self.login(user_id, handle)

    async def login(self, user_id: int, handle: str) -> Person:
        """Another session of the same member (another device)."""
        session_id = new_opaque_token()
        async with self.db.sessions() as s:
            s.add(
                AuthSession(id=session_id, user_id=user_id, expires_at=utcnow() + timedelta(days=1))
            )
            await s.commit()
        token, _ = create_access_token(self.settings, user_id=user_id, session_id=session_id)
        return Person(user_id, handle, token, session_id)

    async def conversation(self, a: Person, b: Person) -> int:
        """An accepted conversation between two members, as after request and accept."""
        low, high = sorted((a.id, b.id))
        async with self.db.sessions() as s:
            conv = Conversation(
                user_low_id=low, user_high_id=high, requester_id=a.id, status=Status.accepted
            )
            s.add(conv)
            await s.commit()
            return conv.id

    async def message_without_notice(self, conversation_id: int, sender: Person, body: str) -> int:
        """Store a message the way the writer does, but tell nobody: a notice the broker lost."""
        async with self.db.sessions() as s:
            seq = await s.scalar(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(last_seq=Conversation.last_seq + 1)
                .returning(Conversation.last_seq)
            )
            assert seq is not None
            s.add(
                Message(
                    conversation_id=conversation_id,
                    seq=seq,
                    sender_id=sender.id,
                    client_id=secrets.token_hex(8),
                    body=body,
                )
            )
            await s.commit()
        return seq


class Tab:
    """One open websocket, as a browser tab holds it; frames are kept in arrival order."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self._taken: set[int] = set()
        self._changed = asyncio.Condition()
        self.close_code: int | None = None
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                async with self._changed:
                    self.frames.append(frame)
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            async with self._changed:
                self.close_code = self.ws.close_code
                self._changed.notify_all()

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def say(self, conversation_id: int, body: str, client_id: str | None = None) -> str:
        client_id = client_id or secrets.token_hex(8)
        await self.send(
            {
                "type": "send",
                "conversation_id": conversation_id,
                "client_id": client_id,
                "body": body,
            }
        )
        return client_id

    async def wait_for(
        self,
        match: Callable[[dict[str, Any]], bool] | None = None,
        within: float = 5,
        **fields: Any,
    ) -> dict[str, Any]:
        """The first frame not returned before that matches `match` and/or `fields`."""

        def ok(frame: dict[str, Any]) -> bool:
            return all(frame.get(k) == v for k, v in fields.items()) and (
                match is None or match(frame)
            )

        async def find() -> dict[str, Any]:
            async with self._changed:
                while True:
                    for i, frame in enumerate(self.frames):
                        if i not in self._taken and ok(frame):
                            self._taken.add(i)
                            return frame
                    if self.close_code is not None:
                        raise AssertionError(f"closed {self.close_code} before {fields}")
                    await self._changed.wait()

        return await asyncio.wait_for(find(), within)

    async def ack(self, client_id: str, within: float = 5) -> dict[str, Any]:
        frame = await self.wait_for(
            lambda f: f["type"] in ("ack", "error") and f.get("client_id") == client_id,
            within=within,
        )
        assert frame["type"] == "ack", frame
        return frame

    async def closed(self, within: float = 5) -> int:
        async def wait() -> int:
            async with self._changed:
                while self.close_code is None:
                    await self._changed.wait()
                return self.close_code

        return await asyncio.wait_for(wait(), within)

    async def reached(self, conversation_id: int, seq: int, within: float = 5) -> None:
        """Wait until this tab was given `seq` (as a message or an ack)."""

        async def wait() -> None:
            async with self._changed:
                while seq not in self.seqs(conversation_id):
                    if self.close_code is not None:
                        raise AssertionError(f"closed {self.close_code} before seq {seq}")
                    await self._changed.wait()

        await asyncio.wait_for(wait(), within)

    def seqs(self, conversation_id: int, *, acks: bool = True) -> list[int]:
        """Seqs this tab was given in a conversation, as messages (and acks), in order."""
        kinds = ("message", "ack") if acks else ("message",)
        return [
            f["message"]["seq"]
            for f in self.frames
            if f["type"] in kinds and f["message"]["conversation_id"] == conversation_id
        ]

    async def close(self) -> None:
        await self.ws.close()
        await self._reader


@dataclass
class Live:
    """A running server, its seeder, and the tabs a test opened (closed afterwards)."""

    server: LiveServer
    seeder: Seeder
    tabs: list[Tab] = field(default_factory=list)

    async def tab(
        self,
        person: Person | None = None,
        *,
        resume: dict[int, int] | None = None,
        server: LiveServer | None = None,
        headers: dict[str, str] | None = None,
        cookie: str | None = None,
        ready: bool = True,
    ) -> Tab:
        """Connect like a browser tab: our Origin, the session cookie or a first `auth` frame,
        then `resume` with the client's cursors. `ready=False` stops after the handshake."""
        target = server or self.server
        sent_headers = {"Origin": target.url, **(headers or {})}
        if cookie is not None:
            sent_headers["Cookie"] = f"samvaer_access={cookie}"
        ws = await connect(
            target.ws_url,
            additional_headers=sent_headers,
            compression=None,
            open_timeout=5,
            max_size=2**20,
        )
        tab = Tab(ws)
        self.tabs.append(tab)
        if person is not None and cookie is None:
            await tab.send({"type": "auth", "token": person.token})
        if ready:
            await tab.wait_for(type="ready")
            await tab.send(
                {"type": "resume", "after": {str(k): v for k, v in (resume or {}).items()}}
            )
            await tab.wait_for(type="resumed")
        return tab

    def http(self, server: LiveServer | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=(server or self.server).url, timeout=10)

    async def chat(self, a: Person, b: Person) -> int:
        """`a` asks `b` over HTTP and `b` accepts: the real first-contact flow."""
        async with self.http() as c:
            r = await c.post(
                "/api/conversations",
                json={"handle": b.handle, "body": "Hej, må jeg skrive til dig?"},
                headers=a.headers,
            )
            assert r.status_code == 201, r.text
            conversation_id: int = r.json()["id"]
            r = await c.post(f"/api/conversations/{conversation_id}/accept", headers=b.headers)
            assert r.status_code == 200, r.text
        return conversation_id

    async def history(self, viewer: Person, conversation_id: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async with self.http() as c:
            while True:
                r = await c.get(
                    f"/api/conversations/{conversation_id}/messages",
                    params={"after": out[-1]["seq"] if out else 0, "limit": 100},
                    headers=viewer.headers,
                )
                assert r.status_code == 200, r.text
                out += r.json()["messages"]
                if not r.json()["has_more"]:
                    return out

    async def close_tabs(self) -> None:
        for tab in self.tabs:
            if tab.close_code is None:
                await tab.close()
        self.tabs.clear()


async def eventually(
    probe: Callable[[], Awaitable[object]], expected: object, within: float = 5
) -> None:
    """Wait until `probe()` returns `expected`: for effects that follow a socket closing."""
    deadline = asyncio.get_running_loop().time() + within
    while (value := await probe()) != expected:
        assert asyncio.get_running_loop().time() < deadline, value
        await asyncio.sleep(0.05)


def start_server(tmp: Path, **extra: str) -> tuple[LiveServer, dict[str, str]]:
    env = server_env(tmp, f"sqlite+aiosqlite:///{tmp / 'samvaer.db'}", **extra)
    migrate_and_seed(env, seed=False)
    return LiveServer(env).start(), env


@pytest.fixture(scope="session")
async def live_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[LiveServer, Seeder]]:
    """One SQLite server for the behaviour tests; each test makes members of its own."""
    server, env = start_server(tmp_path_factory.mktemp("live"))
    seeder = Seeder(env)
    yield server, seeder
    await seeder.close()
    server.stop()


@pytest.fixture
async def live(live_server: tuple[LiveServer, Seeder]) -> AsyncIterator[Live]:
    server, seeder = live_server
    session = Live(server, seeder)
    yield session
    await session.close_tabs()


async def redis_available(url: str) -> bool:
    from redis import asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        return bool(await asyncio.wait_for(client.ping(), timeout=3))
    except (TimeoutError, OSError, aioredis.RedisError):
        return False
    finally:
        await client.aclose()
