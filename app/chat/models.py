"""Conversations between two members and the messages in them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigIntPK, UTCDateTime, utcnow


class Status(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class Conversation(Base):
    """One row per pair of members, stored low id first so a pair can only have one.

    `last_seq` numbers the messages: the write that takes the next number holds the row lock
    until it commits, so numbers become visible in order on every backend.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("user_low_id", "user_high_id"),
        CheckConstraint("user_low_id < user_high_id", name="pair_ordered"),
        CheckConstraint(
            "requester_id = user_low_id OR requester_id = user_high_id", name="requester_in_pair"
        ),
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status_valid"),
        Index("ix_conversations_user_low_id_activity", "user_low_id", "last_message_at", "id"),
        Index("ix_conversations_user_high_id_activity", "user_high_id", "last_message_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_low_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_high_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Who asked most recently; the other member is the one who accepts or declines.
    requester_id: Mapped[int] = mapped_column(BigIntPK)
    status: Mapped[str] = mapped_column(String(10), default=Status.pending.value)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    low_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    high_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def peer_of(self, user_id: int) -> int:
        return self.user_high_id if user_id == self.user_low_id else self.user_low_id

    def read_seq_of(self, user_id: int) -> int:
        return self.low_read_seq if user_id == self.user_low_id else self.high_read_seq


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A retried send carries the same client_id and finds the message already stored.
        UniqueConstraint("conversation_id", "sender_id", "client_id"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    # One of the conversation's two members, who goes with the conversation. Neither indexed
    # nor a foreign key: every index costs each message's insert (migration 0006).
    sender_id: Mapped[int] = mapped_column(BigIntPK)
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
