"""Groups that exist before the upgrade become searchable by it, on both backends."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import _pg_available, alembic_config, make_pg_database, need


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'search.db'}"
    need(await _pg_available(), "PostgreSQL not reachable")
    return await make_pg_database(f"samvaer_group_search_{os.getpid()}")


async def test_upgrade_makes_existing_groups_searchable(database: str) -> None:
    cfg = alembic_config(database)
    await asyncio.to_thread(command.upgrade, cfg, "0001")
    engine = create_async_engine(database)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO categories (id, slug, name_da, name_en, sort_order) "
                    "VALUES (1, 'paaroerende', 'Pårørende', 'Relatives', 0)"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO groups (id, slug, category_id, name_da, name_en, description_da, "
                    "description_en, rules_da, rules_en, kind, member_count, created_at) VALUES "
                    "(1, 'paaroerende', 1, 'PÅRØRENDE', 'Relatives', 'Ægtefæller og børn', "
                    "'Spouses and children', '', '', 'open', 0, CURRENT_TIMESTAMP)"
                )
            )
        await asyncio.to_thread(command.upgrade, cfg, "head")
        async with engine.connect() as conn:
            found = (await conn.execute(text("SELECT search_text FROM groups"))).scalar_one()
    finally:
        await engine.dispose()
    assert "pårørende" in found and "ægtefæller" in found and "spouses" in found
