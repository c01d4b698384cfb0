"""Platform behaviour: durable SQLite, health check, OpenAPI, security headers, config."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from app.accounts.models import User
from app.config import Settings
from app.db import Database
from app.deps import authenticate
from app.inline_reads import ReadConnection
from tests.factories import MemberFactory


async def test_commits_are_durable_and_foreign_keys_enforced(app: FastAPI, backend: str) -> None:
    async with app.state.db.sessions() as session:
        if backend == "sqlite":
            values = {
                p: (await session.execute(text(f"PRAGMA {p}"))).scalar()
                for p in ("journal_mode", "synchronous", "foreign_keys", "secure_delete")
            }
            assert values == {
                "journal_mode": "wal",
                "synchronous": 2,
                "foreign_keys": 1,
                "secure_delete": 1,
            }
        else:
            assert (await session.execute(text("SHOW synchronous_commit"))).scalar() == "on"
            assert (await session.execute(text("SHOW fsync"))).scalar() == "on"


async def test_every_request_hands_its_database_connection_back(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    # Sessions are closed by the app once the response is out (app.main.Samvaer), on success
    # and on every kind of refusal alike. The app is shared by the tests on one backend, and
    # the chat writer keeps a connection of its own: count what these requests leave behind.
    db = app.state.db
    maja = await members.create("maja")
    before = _checked_out(db)
    for _ in range(12):
        assert (await client.get("/api/users/maja", headers=maja.headers)).status_code == 200
        assert (await client.get("/api/users/ingen", headers=maja.headers)).status_code == 404
        stranger = {"Authorization": "Bearer x"}
        assert (await client.get("/api/users/maja", headers=stranger)).status_code == 401
        r = await client.patch("/api/me/profile", json={"display_name": ""}, headers=maja.headers)
        assert r.status_code == 422
    assert _checked_out(db) == before


_MAJA = select(User.id).where(User.handle == "maja")


def _checked_out(db: Database) -> tuple[int, int]:
    # SQLite's inline reads keep one connection of their own for good: at most that one.
    assert db.inline_engine is None or db.inline_engine.pool.checkedout() <= 1
    return db.engine.pool.checkedout(), db.read_engine.pool.checkedout()


async def test_a_read_hands_its_connection_back_whatever_happens(
    app: FastAPI, members: MemberFactory
) -> None:
    db: Database = app.state.db
    maja = await members.create("maja")
    settings = app.state.settings
    before = _checked_out(db)
    principal = await db.read(lambda conn: authenticate(conn, settings, maja.token))
    assert principal is not None and principal.user.handle == "maja"
    assert await db.read(lambda conn: authenticate(conn, settings, "x")) is None

    async def failing(conn: ReadConnection) -> None:
        await conn.execute(_MAJA)
        raise RuntimeError("read failed")

    with pytest.raises(RuntimeError):
        await db.read(failing)
    assert _checked_out(db) == before


async def test_healthz_reports_the_database(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_every_api_endpoint_is_documented_with_schemas(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for required in (
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/api/me",
        "/api/me/profile",
        "/api/me/privacy",
        "/api/me/export",
        "/api/users/{handle}",
        "/api/blocks",
    ):
        assert required in paths, required
    for path, ops in paths.items():
        for method, op in ops.items():
            if method in ("post", "patch", "put") and op.get("requestBody"):
                assert op["requestBody"]["content"]["application/json"]["schema"], (method, path)
            assert op.get("responses"), (method, path)
    assert (await client.get("/docs")).status_code == 200


async def test_pages_carry_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path, secret_key="", database_url="sqlite+aiosqlite://")
    second = Settings(data_dir=tmp_path, secret_key="", database_url="sqlite+aiosqlite://")
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_short_secret_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path, secret_key="too-short")


def test_allowed_origins_come_from_a_comma_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://samvaer.dk, https://www.samvaer.dk/")
    s = Settings(data_dir=tmp_path)
    assert s.allowed_origins == ["https://samvaer.dk", "https://www.samvaer.dk"]
