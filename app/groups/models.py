"""Categories, groups and who belongs to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, BigIntPK, UTCDateTime, utcnow


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_da: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (
        CheckConstraint("kind IN ('open', 'request')", name="kind_valid"),
        Index("ix_groups_category_id", "category_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    name_da: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    description_da: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    rules_da: Mapped[str] = mapped_column(Text, default="")
    rules_en: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10), default="open")
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Names and descriptions in both languages, case-folded in Python: SQLite's lower() leaves
    # Æ, Ø and Å alone, so searching the raw columns would miss Danish words.
    search_text: Mapped[str] = mapped_column(Text, default="")


def group_search_text(name_da: str, name_en: str, description_da: str, description_en: str) -> str:
    return "\n".join((name_da, name_en, description_da, description_en)).casefold()


@event.listens_for(Group, "before_insert")
@event.listens_for(Group, "before_update")
def _refresh_search_text(_mapper: Any, _connection: Any, group: Group) -> None:
    group.search_text = group_search_text(
        group.name_da or "",
        group.name_en or "",
        group.description_da or "",
        group.description_en or "",
    )


class GroupMembership(Base):
    __tablename__ = "group_memberships"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'moderator')", name="role_valid"),
        CheckConstraint("status IN ('active', 'pending')", name="status_valid"),
        Index("ix_group_memberships_user_id", "user_id", "group_id"),
        # Join requests waiting in a group, oldest first.
        Index("ix_group_memberships_group_id_status", "group_id", "status", "created_at"),
    )

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10), default="member")
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
