"""Posts, comments (one level of replies) and reactions.

Deleting is soft (`deleted_at`): the row stays for moderation and disappears for everyone.
`removed_at`/`removed_reason` are set by moderators; the author still sees that it was removed.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigIntPK, UTCDateTime, utcnow


class ReactionKind(enum.StrEnum):
    hjerte = "hjerte"
    kram = "kram"
    styrke = "styrke"
    tak = "tak"


class ContentWarningTopic(enum.StrEnum):
    selvskade = "selvskade"
    selvmord = "selvmord"
    spiseforstyrrelse = "spiseforstyrrelse"
    misbrug = "misbrug"
    vold = "vold"
    overgreb = "overgreb"
    sorg = "sorg"
    doed = "doed"
    andet = "andet"


TITLE_MAX = 200
BODY_MAX = 20_000
COMMENT_MAX = 5_000
CW_TEXT_MAX = 200
REMOVED_REASON_MAX = 500


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_group_id", "group_id", "id"),
        Index("ix_posts_author_id", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    cw_topic: Mapped[str | None] = mapped_column(String(30))
    cw_text: Mapped[str | None] = mapped_column(String(CW_TEXT_MAX))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_reason: Mapped[str | None] = mapped_column(String(REMOVED_REASON_MAX))


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_id", "post_id", "id"),
        Index("ix_comments_parent_id", "parent_id"),
        Index("ix_comments_author_id", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # A reply points at a top-level comment; replies to replies are refused by the service.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_reason: Mapped[str | None] = mapped_column(String(REMOVED_REASON_MAX))


class Reaction(Base):
    """One member's reaction of one kind to one post; never anonymous."""

    __tablename__ = "reactions"
    __table_args__ = (
        CheckConstraint("kind IN ('hjerte', 'kram', 'styrke', 'tak')", name="kind_valid"),
        UniqueConstraint("post_id", "user_id", "kind"),
        Index("ix_reactions_post_id", "post_id", "id"),
        # A feed page's counts, per post and kind, read from the index alone and in order.
        Index("ix_reactions_post_id_kind", "post_id", "kind", "user_id"),
        Index("ix_reactions_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
