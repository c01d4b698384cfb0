"""The audit log: one entry per moderator action, read and filtered by admins.

Entries are staged in the action's own transaction, so an action and its entry commit together
or not at all. Members only ever see counts per day (the public part), never who acted or who
reported.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.accounts.passwords import handle_key
from app.groups.models import Group
from app.groups.service import parse_id_cursor
from app.moderation.models import Action, AuditEntry, ReportCase

DASHBOARD_DAYS = 30
# Counting is done here rather than with each database's date functions; this bounds the work.
MAX_ROWS_COUNTED = 100_000
# Opening a reported message is logged for accountability but is not an action on anyone.
PUBLIC_ACTIONS = tuple(a for a in Action if a is not Action.message_viewed)


def record(
    session: AsyncSession,
    *,
    actor_id: int,
    action: Action,
    target_type: str,
    target_id: int | None,
    subject_id: int | None = None,
    group_id: int | None = None,
    case_id: int | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime,
) -> AuditEntry:
    """Stage one audit entry in the caller's transaction."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action.value,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        group_id=group_id,
        case_id=case_id,
        reason=reason,
        detail=detail,
        created_at=now,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class LogFilter:
    moderator: str | None = None
    action: Action | None = None
    target_type: str | None = None
    target_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


_actor = aliased(User, name="actor")
_subject = aliased(User, name="subject")


def log_query(
    filters: LogFilter, *, cursor: int | None, limit: int
) -> Select[AuditEntry, str, str, str]:
    stmt = (
        select(AuditEntry, _actor.handle, _subject.handle, Group.slug)
        .outerjoin(_actor, _actor.id == AuditEntry.actor_id)
        .outerjoin(_subject, _subject.id == AuditEntry.subject_id)
        .outerjoin(Group, Group.id == AuditEntry.group_id)
    )
    if filters.moderator is not None:
        stmt = stmt.where(_actor.handle_key == handle_key(filters.moderator))
    if filters.action is not None:
        stmt = stmt.where(AuditEntry.action == filters.action.value)
    if filters.target_type is not None:
        stmt = stmt.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == filters.target_id)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.created_at < filters.until)
    if cursor is not None:
        stmt = stmt.where(AuditEntry.id < cursor)
    return stmt.order_by(AuditEntry.id.desc()).limit(limit)


async def list_log(
    session: AsyncSession, *, filters: LogFilter, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Entries newest first, for admins; every filter is optional."""
    query = log_query(filters, cursor=parse_id_cursor(before), limit=limit + 1)
    rows = (await session.execute(query)).all()
    items = [
        {
            "id": entry.id,
            "action": entry.action,
            "moderator": {"handle": actor} if actor else None,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "subject": {"handle": subject} if subject else None,
            "group": slug,
            "report_id": entry.case_id,
            "reason": entry.reason,
            "detail": entry.detail,
            "created_at": entry.created_at,
        }
        for entry, actor, subject, slug in rows[:limit]
    ]
    next_cursor = str(rows[limit - 1][0].id) if len(rows) > limit else None
    return items, next_cursor


def _days(now: datetime, days: int) -> list[date]:
    today = now.date()
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


async def actions_by_day(
    session: AsyncSession,
    *,
    now: datetime,
    days: int = DASHBOARD_DAYS,
    actions: tuple[Action, ...] = tuple(Action),
) -> list[dict[str, Any]]:
    """For each of the last `days` UTC days, oldest first: how many actions of each type."""
    since = datetime.combine(_days(now, days)[0], datetime.min.time(), tzinfo=now.tzinfo)
    rows = await session.execute(
        select(AuditEntry.created_at, AuditEntry.action)
        .where(AuditEntry.created_at >= since, AuditEntry.action.in_([a.value for a in actions]))
        .limit(MAX_ROWS_COUNTED)
    )
    counts: Counter[tuple[date, str]] = Counter(
        (created_at.date(), action) for created_at, action in rows.all()
    )
    return [
        {"date": day, "actions": {a.value: counts[(day, a.value)] for a in actions}}
        for day in _days(now, days)
    ]


async def median_first_action_seconds(
    session: AsyncSession, *, now: datetime, days: int = DASHBOARD_DAYS
) -> float | None:
    """Median time from a report to the moderator action that closed it, over recent cases."""
    rows = await session.execute(
        select(ReportCase.opened_at, ReportCase.closed_at)
        .where(ReportCase.closed_at >= now - timedelta(days=days))
        .limit(MAX_ROWS_COUNTED)
    )
    waits = [(closed - opened).total_seconds() for opened, closed in rows.all() if closed]
    return statistics.median(waits) if waits else None
