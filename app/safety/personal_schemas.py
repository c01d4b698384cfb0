"""Request and response shapes for mutes, personal filters and hard-day mode."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.posts.models import ContentWarningTopic
from app.safety.filters import HARD_DAY_MAX_HOURS, MAX_WORDS, WORD_MAX, WORD_MIN
from app.text import Handle, NotBlank, OneLine

FilterWord = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=WORD_MIN, max_length=WORD_MAX),
    OneLine,
    NotBlank,
]
Topics = Annotated[list[ContentWarningTopic], Field(max_length=len(ContentWarningTopic))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MuteIn(Strict):
    handle: Handle


class MuteOut(BaseModel):
    handle: str
    created_at: datetime


class MutePage(BaseModel):
    items: list[MuteOut]
    next_cursor: str | None


class FiltersIn(Strict):
    """The whole filter: both lists are sent each time."""

    words: Annotated[list[FilterWord], Field(max_length=MAX_WORDS)] = Field(
        description="Words or short phrases; content containing one is folded for me."
    )
    cw_topics: Topics = Field(description="Content-warning topics I always want folded.")


class FiltersOut(BaseModel):
    words: list[str]
    cw_topics: list[str]


class HardDayIn(Strict):
    hours: Annotated[int, Field(ge=1, le=HARD_DAY_MAX_HOURS)]
    topics: Topics = Field(description="Topics left out of every feed while the mode is on.")


class HardDayOut(BaseModel):
    active: bool
    until: datetime | None = Field(description="When the mode turns itself off")
    topics: list[str]
