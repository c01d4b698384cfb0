"""Test fixtures: one app per database backend, built with Alembic, emptied between tests.

Every test that takes `client` (or `app`) runs twice: on SQLite and on PostgreSQL. PostgreSQL
tests skip with a reason when no server answers, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import text

from app.chat.runtime import TokenBuckets
from app.config import Settings
from app.db import Base
from app.main import create_app
from tests.factories import Member, MemberFactory

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def need(condition: bool, reason: str) -> None:
    """Skip with a one-line reason when a service is missing; in CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


async def _pg_available() -> bool:
    import asyncpg

    try:
        conn = await asyncio.wait_for(
            asyncpg.connect(PG_ADMIN_URL.replace("+asyncpg", "")), timeout=3
        )
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def make_pg_database(name: str) -> str:
    """A fresh, empty PostgreSQL database for this test run; returns its URL."""
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def alembic_config(database_url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logger"] = False
    return cfg


async def migrate(database_url: str, revision: str = "head") -> None:
    # env.py runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), revision)


async def database_url_for(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / 'test.db'}"
    need(await _pg_available(), "PostgreSQL not reachable at " + PG_ADMIN_URL.split("@")[-1])
    return await make_pg_database(f"samvaer_test_{os.getpid()}")


def test_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": secrets.token_urlsafe(48),
        "redis_url": "",
        "rate_limits_enabled": True,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """The real application on one backend, schema built by `alembic upgrade head`."""
    tmp = tmp_path_factory.mktemp(request.param)
    url = await database_url_for(request.param, tmp)
    await migrate(url)
    application = create_app(test_settings(url, tmp))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(autouse=True)
async def _clean(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table and rate-limit counter after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    application: FastAPI = request.getfixturevalue("app")
    await application.state.limiter.reset()
    # Send budgets live in the worker's memory and ids start again at 1 in every test: without
    # this, a test could find its member's budget spent by the tests before it.
    budget = application.state.chat.send_budget
    application.state.chat.send_budget = TokenBuckets(
        budget.capacity, budget.per_second, enabled=budget.enabled
    )
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with application.state.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
        else:
            for t in tables:
                await conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
def backend(app: FastAPI) -> str:
    return "sqlite" if app.state.settings.is_sqlite else "postgresql"


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        yield c


@pytest.fixture
def new_client(app: FastAPI) -> Callable[[], httpx.AsyncClient]:
    """Another independent browser/API client (its own cookie jar)."""

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    return make


@pytest.fixture
def members(app: FastAPI) -> MemberFactory:
    return MemberFactory(app)


MemberMaker = Callable[..., Coroutine[Any, Any, Member]]
