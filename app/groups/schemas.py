"""Request and response shapes for categories, groups, memberships and join requests."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.text import Handle


class CategoryOut(BaseModel):
    slug: str
    name_da: str
    name_en: str


class MembershipOut(BaseModel):
    """The viewer's own standing in a group."""

    status: Literal["active", "pending"]
    role: Literal["member", "moderator"]


class GroupOut(BaseModel):
    slug: str
    category: CategoryOut
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    rules_da: str
    rules_en: str
    kind: Literal["open", "request"]
    member_count: int
    membership: MembershipOut | None
    can_read: bool
    can_post: bool
    can_moderate: bool


class GroupPage(BaseModel):
    items: list[GroupOut]
    next_cursor: str | None


class JoinRequestOut(BaseModel):
    handle: str
    requested_at: datetime


class JoinRequestPage(BaseModel):
    items: list[JoinRequestOut]
    next_cursor: str | None


class HandleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handle: Handle


class GroupMemberOut(BaseModel):
    handle: str
    role: Literal["member", "moderator"]
    status: Literal["active", "pending"]
