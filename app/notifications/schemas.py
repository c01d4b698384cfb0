"""Shapes for the notification list, the unread count and marking read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.posts.schemas import AuthorOut


class NotificationOut(BaseModel):
    id: int
    kind: Literal["comment", "reply", "reaction"]
    post_id: int
    post_title: str
    comment_id: int | None
    reaction: str | None
    actor: AuthorOut = Field(description="Never named when the comment was anonymous.")
    created_at: datetime
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


class UnreadOut(BaseModel):
    unread: int


class MarkReadIn(BaseModel):
    """Either `ids` (up to 100 of mine) or `all: true`."""

    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[Annotated[int, Field(ge=1, le=2**53)]], Field(max_length=100)] | None = None
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> MarkReadIn:
        if self.all == bool(self.ids):
            raise ValueError("send either a non-empty ids list or all: true")
        return self
