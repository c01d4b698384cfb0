"""Reports grouped into cases, the audit log, member notices, appeals and locked threads."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigIntPK, UTCDateTime, utcnow


class TargetType(enum.StrEnum):
    post = "post"
    comment = "comment"
    message = "message"
    user = "user"


class ReportReason(enum.StrEnum):
    harassment = "harassment"
    hate = "hate"
    self_harm_risk = "self_harm_risk"
    spam = "spam"
    sexual_content = "sexual_content"
    private_info = "private_info"
    other = "other"


class CaseStatus(enum.StrEnum):
    open = "open"
    actioned = "actioned"
    dismissed = "dismissed"


class Action(enum.StrEnum):
    """Everything written to the audit log."""

    report_dismissed = "report_dismissed"
    post_removed = "post_removed"
    post_restored = "post_restored"
    comment_removed = "comment_removed"
    comment_restored = "comment_restored"
    post_locked = "post_locked"
    post_unlocked = "post_unlocked"
    user_warned = "user_warned"
    user_suspended = "user_suspended"
    user_banned = "user_banned"
    user_unsuspended = "user_unsuspended"
    message_viewed = "message_viewed"
    appeal_upheld = "appeal_upheld"
    appeal_overturned = "appeal_overturned"


class NoticeKind(enum.StrEnum):
    content_removed = "content_removed"
    content_restored = "content_restored"
    warning = "warning"
    suspended = "suspended"
    banned = "banned"
    unsuspended = "unsuspended"
    report_outcome = "report_outcome"
    appeal_decided = "appeal_decided"


class AppealStatus(enum.StrEnum):
    open = "open"
    upheld = "upheld"
    overturned = "overturned"


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


NOTE_MAX = 1000
REASON_MAX = 500


class ReportCase(Base):
    """All reports on one target while it waits for a moderator: one queue item.

    `open_marker` is true while the case is open and NULL once closed. Unique constraints treat
    NULLs as distinct on every backend, so each target has at most one open case but may have
    any number of closed ones.
    """

    __tablename__ = "report_cases"
    __table_args__ = (
        CheckConstraint(_in("target_type", TargetType), name="target_type_valid"),
        CheckConstraint(_in("status", CaseStatus), name="status_valid"),
        CheckConstraint("open_marker IS NULL OR status = 'open'", name="marker_only_open"),
        UniqueConstraint("target_type", "target_id", "open_marker"),
        Index("ix_report_cases_status", "status", "priority", "id"),
        Index("ix_report_cases_group_id", "group_id", "status", "priority", "id"),
        Index("ix_report_cases_subject_id", "subject_id", "status"),
        Index("ix_report_cases_closed_at", "closed_at"),
        Index("ix_report_cases_closed_by_id", "closed_by_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(BigInteger)
    # The member whose content or conduct was reported (the real author of anonymous posts).
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The group of a reported post or comment; NULL for messages and members (site moderators).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=CaseStatus.open.value)
    open_marker: Mapped[bool | None] = mapped_column(Boolean, default=True)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_report_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Report(Base):
    """One member's report, or the crisis detector's flag (`source` 'crisis', no reporter).

    A reporter has one report per case, so reporting the same open target again changes nothing.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(_in("reason", ReportReason), name="reason_valid"),
        CheckConstraint("source IN ('member', 'crisis')", name="source_valid"),
        UniqueConstraint("case_id", "reporter_id"),
        Index("ix_reports_reporter_id", "reporter_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("report_cases.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), default="member")
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    # What the crisis detector recognised (e.g. "suicide,self_harm"); never the matched words.
    categories: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """One moderator action. Entries outlive the people in them (their ids become NULL)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint(_in("action", Action), name="action_valid"),
        Index("ix_audit_entries_actor_id", "actor_id", "id"),
        Index("ix_audit_entries_action", "action", "id"),
        Index("ix_audit_entries_target", "target_type", "target_id", "id"),
        Index("ix_audit_entries_subject_id", "subject_id", "id"),
        Index("ix_audit_entries_created_at", "created_at"),
        Index("ix_audit_entries_group_id", "group_id"),
        Index("ix_audit_entries_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    target_type: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[int | None] = mapped_column(BigInteger)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("report_cases.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notice(Base):
    """What a member is told about moderation that concerns them; never who moderated."""

    __tablename__ = "moderation_notices"
    __table_args__ = (
        CheckConstraint(_in("kind", NoticeKind), name="kind_valid"),
        Index("ix_moderation_notices_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    target_type: Mapped[str | None] = mapped_column(String(12))
    target_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    outcome: Mapped[str | None] = mapped_column(String(20))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Appeal(Base):
    """A member's one appeal against a removal or a suspension (`target_id` is then the
    audit entry of the suspension), decided by a moderator other than the one who acted."""

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint("target_type IN ('post', 'comment', 'suspension')", name="target_valid"),
        CheckConstraint(_in("status", AppealStatus), name="status_valid"),
        UniqueConstraint("appellant_id", "target_type", "target_id"),
        Index("ix_appeals_status", "status", "id"),
        Index("ix_appeals_group_id", "group_id", "status", "id"),
        Index("ix_appeals_acted_by_id", "acted_by_id"),
        Index("ix_appeals_decided_by_id", "decided_by_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[int] = mapped_column(BigInteger)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    acted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action_reason: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=AppealStatus.open.value)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PostLock(Base):
    """A thread a moderator locked: no new comments until it is unlocked."""

    __tablename__ = "post_locks"
    __table_args__ = (Index("ix_post_locks_locked_by_id", "locked_by_id"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
