"""EXPLAIN a list query on the test's database, and find full scans of given tables in it."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text


async def query_plan(app: FastAPI, query: Any) -> list[str]:
    engine = app.state.db.engine
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = await conn.execute(text("EXPLAIN QUERY PLAN " + sql))
            return [r[-1] for r in rows]
        # Tables are tiny here: make the planner show whether an index can serve the query.
        await conn.execute(text("SET enable_seqscan = off"))
        return [r[0] for r in await conn.execute(text("EXPLAIN " + sql))]


def full_scans(plan: list[str], *tables: str) -> list[str]:
    """Plan lines that read all of one of `tables` (SQLite: SCAN; PostgreSQL: Seq Scan)."""
    names = "|".join(tables)
    pattern = re.compile(rf"^(SCAN ({names})\b|.*Seq Scan on ({names}))")
    return [line for line in plan if pattern.search(line.strip(" ->"))]
