"""Prebuilt statements run straight on SQLite give the rows SQLAlchemy's engine gives."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, select, update

from app.accounts.models import User
from app.chat import service as chat
from app.chat.models import Conversation
from app.db import Database
from app.deps import authenticate
from app.groups.models import Group
from app.inline_reads import Prepared, PreparedStatements, Rows
from app.main import create_app
from app.notifications import service as notifications
from app.posts import service as posts
from app.posts.models import Post
from app.profiles import service as profiles
from app.safety import filters
from tests import conftest
from tests.chat.conftest import open_conversation, send
from tests.factories import MemberFactory
from tests.groups.helpers import OPEN, call, join, seed_groups
from tests.posts.helpers import remove_by_moderator, write_comment, write_post


@pytest.fixture(scope="module")
async def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FastAPI]:
    """The inline reader exists on SQLite only: an app of its own, with a lively group."""
    tmp: Path = tmp_path_factory.mktemp("inline")
    url = await conftest.database_url_for("sqlite", tmp)
    await conftest.migrate(url)
    app = create_app(conftest.test_settings(url, tmp, rate_limits_enabled=False))
    async with app.router.lifespan_context(app):
        await _lively(app)
        yield app


async def _lively(app: FastAPI) -> None:
    await seed_groups(app)
    members = MemberFactory(app)
    maja = await members.create(
        "maja",
        profile={"display_name": "Maja", "pronouns": "hun"},
        privacy={"who_can_message": "everyone"},
    )
    jonas = await members.create("jonas")
    for m in (maja, jonas):
        await join(m, OPEN)
    for i in range(3):
        post = await write_post(
            maja, anonymous=i == 1, content_warning={"topic": "sorg"} if i == 2 else None
        )
        await write_comment(jonas, post["id"])
        await call(jonas, "POST", f"/api/posts/{post['id']}/reactions", json={"kind": "kram"})
    await remove_by_moderator(app, post_id=post["id"], reason="spam")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        conversation_id = await open_conversation(c, jonas, maja)
        await send(c, jonas, conversation_id, "Hej", "c-1")


async def _statements(db: Database) -> list[tuple[str, Any, dict[str, Any]]]:
    async with db.reader.connect() as conn:
        group_id = (await conn.execute(select(Group.id).where(Group.slug == OPEN))).scalar_one()
        ids = select(User.handle, User.id).where(User.handle.in_(("maja", "jonas")))
        member = {handle: user_id for handle, user_id in await conn.execute(ids)}
        maja, jonas = member["maja"], member["jonas"]
        post_ids = list((await conn.execute(select(Post.id))).scalars())
        conversation_id = (await conn.execute(select(Conversation.id))).scalar_one()
    # Maja moderates the site: she sees the removed post too.
    viewer = posts.Viewer(maja, True, frozenset(), filters.Lens(hidden_topics=frozenset({"vold"})))
    feed = posts.feed_params(viewer, before=None, limit=21)
    history = chat.history_query(conversation_id, after=None, before=None, limit=9)
    return [
        ("feed", posts.GROUP_FEED, {**feed, "group_id": group_id}),
        ("counts", posts._COUNTS, {**posts._slots(post_ids), "viewer_id": jonas}),
        ("group", posts._GROUP_CONTEXT, {"slug": OPEN, "viewer_id": maja}),
        ("profile", profiles._PROFILE_BY_HANDLE, {"handle_key": "maja", "viewer_id": jonas}),
        ("history", *history),
        ("unread", notifications._UNREAD, {"user_id": maja, "site_moderator": False}),
    ]


async def inline(db: Database, statement: Any, params: dict[str, Any]) -> Rows:
    assert db.inline_engine is not None
    rows: Rows = await db.read(lambda conn: conn.execute(statement, params))
    return rows


async def test_rows_match_the_engine_value_for_value(sqlite_app: FastAPI) -> None:
    db: Database = sqlite_app.state.db
    async with db.reader.connect() as conn:
        for name, statement, params in await _statements(db):
            expected = (await conn.execute(statement, params)).all()
            got = (await inline(db, statement, params)).all()
            assert expected, name
            assert [tuple(r) for r in got] == [tuple(r) for r in expected], name
            assert [r._asdict() for r in got] == [dict(r._mapping) for r in expected], name
    # What the feed's comparison covered: aware datetimes, parsed JSON, booleans and NULLs.
    _name, statement, params = (await _statements(db))[0]
    feed = [v for r in (await inline(db, statement, params)).all() for v in r]
    assert any(getattr(v, "tzinfo", None) is not None for v in feed)
    assert any(isinstance(v, dict) for v in feed)
    assert any(isinstance(v, bool) for v in feed)
    assert any(v is None for v in feed)


async def test_first_scalar_and_empty_results(sqlite_app: FastAPI) -> None:
    db: Database = sqlite_app.state.db
    member = select(User.handle, User.created_at).where(User.handle == bindparam("h"))
    row = (await inline(db, member, {"h": "maja"})).first()
    assert row.handle == "maja" and row.created_at.tzinfo is not None
    assert (await inline(db, member, {"h": "maja"})).scalar() == "maja"
    empty = await inline(db, member, {"h": "ingen"})
    assert empty.first() is None and empty.scalar() is None and empty.all() == []


def test_statements_that_cannot_run_inline_are_refused(sqlite_app: FastAPI) -> None:
    dialect = sqlite_app.state.db.inline_engine.dialect
    expanding = select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(TypeError, match="expanding"):
        Prepared.of(expanding, dialect)
    with pytest.raises(TypeError, match="SELECT"):
        Prepared.of(update(User).values(handle="x"), dialect)


def test_statements_built_per_call_are_refused_past_a_bound(sqlite_app: FastAPI) -> None:
    statements = PreparedStatements(sqlite_app.state.db.inline_engine.dialect)
    prebuilt = select(User.id)
    for _ in range(3):
        assert statements.get(prebuilt) is statements.get(prebuilt)
    for i in range(PreparedStatements.MAX - 1):
        statements.get(select(User.id).where(User.id == i))
    with pytest.raises(RuntimeError, match="prebuilt"):
        statements.get(select(User.id).where(User.id == -1))


async def test_a_broken_kept_connection_is_replaced(sqlite_app: FastAPI) -> None:
    db: Database = sqlite_app.state.db
    settings = sqlite_app.state.settings
    lise = await MemberFactory(sqlite_app).create("lise")
    assert await db.read(lambda conn: authenticate(conn, settings, lise.token)) is not None
    assert db._inline is not None
    db._inline.dbapi_connection.close()
    with pytest.raises(sqlite3.Error):
        await db.read(lambda conn: authenticate(conn, settings, lise.token))
    principal = await db.read(lambda conn: authenticate(conn, settings, lise.token))
    assert principal is not None and principal.user.handle == "lise"
