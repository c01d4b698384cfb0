"""Report cases: one open case per reported target, its reports, and its place in the queue.

Helpers only: they stage rows in the caller's transaction and never commit. Posts and comments
(and chat, later) call `flag_crisis` when the crisis detector fires; member reports go through
`add_report`.

Priority orders the queue. Crisis comes first (the detector fired, or a member reported risk
of self-harm); then how many members reported this target; then how many member reports the
same member drew in the last 30 days, so that repeated reports against one person rise even
when each target drew only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.moderation.models import CaseStatus, Report, ReportCase, ReportReason, TargetType

PRIORITY_CRISIS = 1000
PRIORITY_PER_REPORT = 10
PRIORITY_PER_REPORT_ON_MEMBER = 5
REPORTS_COUNTED = 20
MEMBER_REPORTS_COUNTED = 50
RECENT = timedelta(days=30)


@dataclass(frozen=True)
class Target:
    type: TargetType
    id: int
    subject_id: int
    group_id: int | None


def priority(*, crisis: bool, report_count: int, reports_on_member: int) -> int:
    return (
        (PRIORITY_CRISIS if crisis else 0)
        + PRIORITY_PER_REPORT * min(report_count, REPORTS_COUNTED)
        + PRIORITY_PER_REPORT_ON_MEMBER * min(reports_on_member, MEMBER_REPORTS_COUNTED)
    )


async def _find_open(session: AsyncSession, target: Target) -> ReportCase | None:
    return await session.scalar(
        select(ReportCase).where(
            ReportCase.target_type == target.type.value,
            ReportCase.target_id == target.id,
            ReportCase.open_marker.is_(True),
        )
    )


async def open_case(session: AsyncSession, target: Target, now: datetime) -> ReportCase:
    """The target's open case, opened now if it has none."""
    found = await _find_open(session, target)
    if found is not None:
        return found
    case = ReportCase(
        target_type=target.type.value,
        target_id=target.id,
        subject_id=target.subject_id,
        group_id=target.group_id,
        status=CaseStatus.open.value,
        open_marker=True,
        crisis=False,
        report_count=0,
        priority=0,
        opened_at=now,
        last_report_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(case)
    except IntegrityError:
        # Another report opened the case between our look and our insert: join that one.
        found = await _find_open(session, target)
        if found is None:
            raise
        return found
    return case


async def reports_on_member(session: AsyncSession, subject_id: int, now: datetime) -> int:
    """Member reports (not crisis flags) against one member in the last 30 days."""
    count = await session.scalar(
        select(func.count(Report.id))
        .join(ReportCase, ReportCase.id == Report.case_id)
        .where(
            ReportCase.subject_id == subject_id,
            Report.source == "member",
            Report.created_at >= now - RECENT,
        )
    )
    return int(count or 0)


async def refresh_priorities(session: AsyncSession, subject_id: int, now: datetime) -> None:
    """Recompute every open case about one member after a report against them."""
    on_member = await reports_on_member(session, subject_id, now)
    cases = await session.scalars(
        select(ReportCase).where(
            ReportCase.subject_id == subject_id, ReportCase.status == CaseStatus.open.value
        )
    )
    for case in cases.all():
        case.priority = priority(
            crisis=case.crisis, report_count=case.report_count, reports_on_member=on_member
        )


async def add_report(
    session: AsyncSession,
    *,
    target: Target,
    reporter_id: int,
    reason: ReportReason,
    note: str | None,
    now: datetime,
) -> tuple[Report, bool]:
    """A member's report on a target; the same member's open report comes back unchanged.

    Returns the report and whether it is new.
    """
    case = await open_case(session, target, now)
    existing = await session.scalar(
        select(Report).where(Report.case_id == case.id, Report.reporter_id == reporter_id)
    )
    if existing is not None:
        return existing, False
    report = Report(
        case_id=case.id,
        reporter_id=reporter_id,
        source="member",
        reason=reason.value,
        note=note,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(report)
    except IntegrityError:
        # The same member's identical report, sent twice at once: the first one stands.
        existing = await session.scalar(
            select(Report).where(Report.case_id == case.id, Report.reporter_id == reporter_id)
        )
        if existing is None:
            raise
        return existing, False
    case.report_count += 1
    case.last_report_at = now
    if reason is ReportReason.self_harm_risk:
        case.crisis = True
    await session.flush()
    await refresh_priorities(session, target.subject_id, now)
    return report, True


async def flag_crisis(
    session: AsyncSession,
    *,
    target_type: TargetType,
    target_id: int,
    subject_id: int,
    group_id: int | None,
    categories: tuple[str, ...],
    now: datetime,
) -> None:
    """Put content whose text signals risk at the top of the queue (once per open case)."""
    target = Target(target_type, target_id, subject_id, group_id)
    case = await open_case(session, target, now)
    already = await session.scalar(
        select(Report.id).where(Report.case_id == case.id, Report.source == "crisis").limit(1)
    )
    if already is None:
        session.add(
            Report(
                case_id=case.id,
                reporter_id=None,
                source="crisis",
                reason=ReportReason.self_harm_risk.value,
                categories=",".join(categories)[:100] or None,
                created_at=now,
            )
        )
    case.crisis = True
    case.last_report_at = now
    await session.flush()
    await refresh_priorities(session, subject_id, now)
