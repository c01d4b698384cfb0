"""Personal filters and "svær dag" (hard-day) mode: what each member wants folded or left out.

Filters fold: a post or comment that contains one of the member's words, or carries one of
their content-warning topics, is still sent but marked `filtered` with the reason, so the
client folds it whatever warning its author chose. Hard-day mode hides: while it is on, posts
with the chosen topics are left out of every feed (and folded where opened directly), and new
chat requests to the member wait. It is on while its end lies in the future, so it turns
itself off without any background job. A member's own content is never filtered for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import utcnow
from app.safety.models import PersonalFilter

MAX_WORDS = 50
WORD_MIN = 2
WORD_MAX = 40
HARD_DAY_MAX_HOURS = 72


@dataclass(frozen=True)
class Lens:
    """One viewer's filters as they apply right now."""

    words: tuple[str, ...] = ()
    cw_topics: frozenset[str] = frozenset()
    hidden_topics: frozenset[str] = frozenset()

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.words:
            return None
        # A word matches where a word starts, so "drik" folds "drikker" but not "yndrik".
        alternatives = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))
        return re.compile(rf"(?<![^\W_])(?:{alternatives})")

    def _word_in(self, text: str) -> str | None:
        pattern = self._pattern
        if pattern is None:
            return None
        found = pattern.search(text.casefold())
        return found.group(0) if found else None

    def post_reason(self, *, title: str, body: str, cw_topic: str | None) -> dict[str, str] | None:
        """Why a post is folded for this viewer, or None."""
        if cw_topic is not None and cw_topic in self.hidden_topics:
            return {"kind": "hard_day", "match": cw_topic}
        if cw_topic is not None and cw_topic in self.cw_topics:
            return {"kind": "topic", "match": cw_topic}
        word = self._word_in(f"{title}\n{body}")
        return {"kind": "word", "match": word} if word else None

    def comment_reason(self, body: str) -> dict[str, str] | None:
        word = self._word_in(body)
        return {"kind": "word", "match": word} if word else None


NO_LENS = Lens()


def hard_day_on(row: PersonalFilter | None, now: datetime) -> bool:
    return row is not None and row.hard_day_until is not None and row.hard_day_until > now


# What a lens is made of, for statements that read it along with something else.
LENS_COLUMNS = (
    PersonalFilter.words,
    PersonalFilter.cw_topics,
    PersonalFilter.hard_day_topics,
    PersonalFilter.hard_day_until,
)
_LENS = select(*LENS_COLUMNS).where(PersonalFilter.user_id == bindparam("user_id"))


def lens_of(
    words: list[str] | None,
    cw_topics: list[str] | None,
    hard_day_topics: list[str] | None,
    hard_day_until: datetime | None,
    now: datetime | None = None,
) -> Lens:
    """The lens from LENS_COLUMNS: all None for a member who never set a filter."""
    if words is None or cw_topics is None or hard_day_topics is None:
        return NO_LENS
    hard_day = hard_day_until is not None and hard_day_until > (now or utcnow())
    return Lens(
        words=tuple(w.casefold() for w in words),
        cw_topics=frozenset(cw_topics),
        hidden_topics=frozenset(hard_day_topics) if hard_day else frozenset(),
    )


async def lens_for(session: AsyncSession, user_id: int, now: datetime | None = None) -> Lens:
    """The viewer's filters in one prebuilt query."""
    conn = await session.connection()
    row = (await conn.execute(_LENS, {"user_id": user_id})).first()
    return NO_LENS if row is None else lens_of(*row, now=now)


async def chat_requests_paused(session: AsyncSession, user_id: int) -> bool:
    """Whether new chat requests to this member should wait: their hard-day mode is on."""
    until = await session.scalar(
        select(PersonalFilter.hard_day_until).where(PersonalFilter.user_id == user_id)
    )
    return until is not None and until > utcnow()


def filters_dict(row: PersonalFilter | None) -> dict[str, Any]:
    if row is None:
        return {"words": [], "cw_topics": []}
    return {"words": list(row.words), "cw_topics": list(row.cw_topics)}


def hard_day_dict(row: PersonalFilter | None, now: datetime | None = None) -> dict[str, Any]:
    if not hard_day_on(row, now or utcnow()):
        return {"active": False, "until": None, "topics": []}
    assert row is not None
    return {"active": True, "until": row.hard_day_until, "topics": list(row.hard_day_topics)}


def _unique(values: list[str], *, fold: bool) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold() if fold else value
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


async def _row_for_update(session: AsyncSession, user_id: int) -> PersonalFilter:
    row = await session.get(PersonalFilter, user_id)
    if row is not None:
        return row
    row = PersonalFilter(
        user_id=user_id, words=[], cw_topics=[], hard_day_topics=[], updated_at=utcnow()
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another tab saved first; update that row instead.
        found = await session.get(PersonalFilter, user_id)
        if found is None:
            raise
        return found
    return row


async def get_row(session: AsyncSession, user_id: int) -> PersonalFilter | None:
    return await session.get(PersonalFilter, user_id)


async def save_filters(
    session: AsyncSession, *, user_id: int, words: list[str], cw_topics: list[str]
) -> PersonalFilter:
    """Replace my words and topics (duplicates dropped, words compared without case)."""
    row = await _row_for_update(session, user_id)
    row.words = _unique(words, fold=True)
    row.cw_topics = _unique(cw_topics, fold=False)
    row.updated_at = utcnow()
    await session.commit()
    return row


async def start_hard_day(
    session: AsyncSession, *, user_id: int, hours: int, topics: list[str]
) -> PersonalFilter:
    """Turn hard-day mode on for `hours` from now (starting again replaces the old one)."""
    now = utcnow()
    row = await _row_for_update(session, user_id)
    row.hard_day_topics = _unique(topics, fold=False)
    row.hard_day_started_at = now
    row.hard_day_until = now + timedelta(hours=hours)
    row.updated_at = now
    await session.commit()
    return row


async def end_hard_day(session: AsyncSession, *, user_id: int) -> None:
    row = await session.get(PersonalFilter, user_id)
    if row is None:
        return
    row.hard_day_topics = []
    row.hard_day_started_at = None
    row.hard_day_until = None
    row.updated_at = utcnow()
    await session.commit()


async def export_filters(session: AsyncSession, *, user_id: int) -> dict[str, Any] | None:
    row = await session.get(PersonalFilter, user_id)
    if row is None:
        return None
    state = hard_day_dict(row)
    return {
        **filters_dict(row),
        "hard_day": {**state, "until": state["until"].isoformat() if state["until"] else None},
        "updated_at": row.updated_at.isoformat(),
    }
