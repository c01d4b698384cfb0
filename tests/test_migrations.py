"""Alembic is the only source of the schema: upgrade, no drift, downgrade, on both backends."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from app.db import Base
from tests.conftest import _pg_available, alembic_config, make_pg_database, need


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
    need(await _pg_available(), "PostgreSQL not reachable")
    return await make_pg_database(f"samvaer_migrations_{os.getpid()}")


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def test_upgrade_check_and_downgrade(empty_database: str) -> None:
    cfg = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, cfg, "head")
    assert await _tables(empty_database) == set(Base.metadata.tables)
    # Raises if the models and the migrations disagree.
    await asyncio.to_thread(command.check, cfg)
    await asyncio.to_thread(command.downgrade, cfg, "base")
    assert await _tables(empty_database) == set()
    await asyncio.to_thread(command.upgrade, cfg, "head")
    assert await _tables(empty_database) == set(Base.metadata.tables)
