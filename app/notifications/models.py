"""Notifications to a member about replies to their posts and comments, and reactions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigIntPK, UTCDateTime, utcnow


class Notification(Base):
    """`actor_id` is kept so blocks can hide it; whether it may be named follows the comment."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('comment', 'reply', 'reaction')", name="kind_valid"),
        Index("ix_notifications_user_id", "user_id", "id"),
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_actor_id", "actor_id"),
        Index("ix_notifications_post_id", "post_id"),
        Index("ix_notifications_comment_id", "comment_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reaction: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
