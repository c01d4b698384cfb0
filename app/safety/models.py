"""Blocks and mutes between members, each member's private safety plan and personal filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Block(Base):
    """`blocker_id` blocked `blocked_id`; its effects apply both ways."""

    __tablename__ = "blocks"
    __table_args__ = (
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
        Index("ix_blocks_blocked_id", "blocked_id"),
    )

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SafetyPlan(Base):
    """The plan a member writes for hard moments; only that member ever reads it.

    Each list is stored whole: the plan is always read and replaced as one document.
    `contacts` and `professional_contacts` hold {"name", "phone", "note"} objects.
    """

    __tablename__ = "safety_plans"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    warning_signs: Mapped[list[str]] = mapped_column(JSON, default=list)
    coping_strategies: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons_to_live: Mapped[list[str]] = mapped_column(JSON, default=list)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    professional_contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    safe_environment: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Mute(Base):
    """`muter_id` no longer sees `muted_id`'s content in lists; the muted member is not told."""

    __tablename__ = "mutes"
    __table_args__ = (
        CheckConstraint("muter_id <> muted_id", name="not_self"),
        Index("ix_mutes_muted_id", "muted_id"),
    )

    muter_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    muted_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PersonalFilter(Base):
    """Words and content-warning topics a member wants folded, and their "svær dag" mode.

    One row holds both so that a feed reads everything it needs about the viewer in one query.
    Hard-day mode is on while `hard_day_until` is in the future; nothing has to switch it off.
    """

    __tablename__ = "personal_filters"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    words: Mapped[list[str]] = mapped_column(JSON, default=list)
    cw_topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    hard_day_topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    hard_day_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hard_day_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
