"""The busiest reads, answered ahead of FastAPI.

Feeds, profiles, chat history and the unread count are most of what members ask for. Through
FastAPI each went past the middleware, the routing, the dependency resolution and an ORM
session: on a profile read that was two thirds of the server's time. Here a GET whose path
is one of the routes below is authenticated and answered by the same service functions, over
one read connection (on SQLite a blocking one used inline, see app.inline_reads).

Only the plain case is taken here: a valid login, known query parameters with valid values,
and a successful answer. Anything else (no login or an expired one, a bad parameter, not
found, forbidden, an unexpected error) steps aside to the FastAPI route of the same path,
which answers it as documented. The FastAPI routes remain the API's contract (and its
OpenAPI document); the tests check that both give the same answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.types import Scope, Send

from app.accounts.member import Member
from app.chat import service as chat
from app.chat.schemas import MAX_ID, MAX_SEQ
from app.config import Settings
from app.db import Database
from app.deps import ACCESS_COOKIE, authenticate, bearer_token
from app.errors import AppError
from app.inline_reads import ReadConnection
from app.middleware import SECURITY_HEADERS
from app.notifications import service as notifications
from app.posts import service as posts
from app.profiles import service as profiles

log = logging.getLogger(__name__)


class StepAside(Exception):
    """Not the plain case: the FastAPI route answers this request."""


def query_params(scope: Scope, allowed: frozenset[str]) -> dict[str, str]:
    """The query's parameters, as Starlette reads them; only known names, each once."""
    raw = scope["query_string"]
    if not raw:
        return {}
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs) or not params.keys() <= allowed:
        raise StepAside
    return params


def bounded_int(value: str, low: int, high: int) -> int:
    """A parameter of plain ASCII digits within [low, high], else step aside."""
    if not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise StepAside
    number = int(value)
    if not low <= number <= high:
        raise StepAside
    return number


def query_int(query: dict[str, str], name: str, low: int, high: int) -> int | None:
    value = query.get(name)
    return None if value is None else bounded_int(value, low, high)


def query_limit(query: dict[str, str], default: int, high: int) -> int:
    value = query.get("limit")
    return default if value is None else bounded_int(value, 1, high)


Answer = Callable[[ReadConnection, Member, tuple[str, ...], dict[str, str]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class HotRead:
    pattern: re.Pattern[str]
    query: frozenset[str]
    answer: Answer


async def _profile(
    conn: ReadConnection, member: Member, path: tuple[str, ...], _query: dict[str, str]
) -> Any:
    return await profiles.view_profile(conn, handle=path[0][:64], viewer=member)


async def _group_feed(
    conn: ReadConnection, member: Member, path: tuple[str, ...], query: dict[str, str]
) -> Any:
    limit = query_limit(query, 20, posts.MAX_PAGE)
    before = query.get("before")
    if before is not None and len(before) > posts.CURSOR_MAX_LENGTH:
        raise StepAside
    items, next_cursor = await posts.group_feed(
        conn, slug=path[0][:60], user=member, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


async def _history(
    conn: ReadConnection, member: Member, path: tuple[str, ...], query: dict[str, str]
) -> Any:
    messages, more = await chat.history(
        conn,
        user_id=member.id,
        conversation_id=bounded_int(path[0], 1, MAX_ID),
        after=query_int(query, "after", 0, MAX_SEQ),
        before=query_int(query, "before", 0, MAX_SEQ),
        limit=query_limit(query, 50, chat.MAX_PAGE),
    )
    return {"messages": messages, "has_more": more}


async def _unread_notifications(
    conn: ReadConnection, member: Member, _path: tuple[str, ...], _query: dict[str, str]
) -> Any:
    return {"unread": await notifications.unread_count(conn, user=member)}


HOT_READS = (
    HotRead(re.compile(r"/api/notifications/unread-count"), frozenset(), _unread_notifications),
    HotRead(re.compile(r"/api/users/([^/]+)"), frozenset(), _profile),
    HotRead(
        re.compile(r"/api/conversations/(\d+)/messages"),
        frozenset({"after", "before", "limit"}),
        _history,
    ),
    HotRead(re.compile(r"/api/groups/([^/]+)/posts"), frozenset({"before", "limit"}), _group_feed),
)


async def answer(
    hot_reads: tuple[HotRead, ...], db: Database, settings: Settings, scope: Scope, send: Send
) -> bool:
    """Answer a GET on one of `hot_reads`; False when it steps aside (nothing was sent)."""
    path = scope["path"]
    for hot in hot_reads:
        match = hot.pattern.fullmatch(path)
        if match is not None:
            break
    else:
        return False
    request = Request(scope)
    token = bearer_token(request) or request.cookies.get(ACCESS_COOKIE)
    if token is None:
        return False
    try:
        query = query_params(scope, hot.query)
        content = await db.read(lambda conn: _read(conn, settings, token, hot, match, query))
    except (StepAside, AppError):
        return False
    except Exception as exc:
        # The FastAPI route meets the same error and answers and logs it as it does any.
        log.warning("hot read stepped aside after %s", type(exc).__name__)
        return False
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/json"),
        *SECURITY_HEADERS,
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return True


async def _read(
    conn: ReadConnection,
    settings: Settings,
    token: str,
    hot: HotRead,
    match: re.Match[str],
    query: dict[str, str],
) -> Any:
    principal = await authenticate(conn, settings, token)
    if principal is None:
        raise StepAside
    return await hot.answer(conn, principal.user, match.groups(), query)
