"""Request and response shapes for posts, comments and reactions.

Fields that only some viewers may see (`is_mine`, `revealed_author`, `removed`) are left out of
the JSON entirely for everyone else; routers return them with `response_model_exclude_unset`.
So are `filtered` (the viewer's own filters matched) and `support` (crisis lines, only in the
writer's response to text that signals risk).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.posts.models import (
    BODY_MAX,
    COMMENT_MAX,
    CW_TEXT_MAX,
    TITLE_MAX,
    ContentWarningTopic,
    ReactionKind,
)
from app.safety.schemas import SupportOut
from app.text import MultiLine, NotBlank, OneLine

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX), OneLine
]
# Bodies are stored exactly as typed: no stripping, line breaks kept.
Body = Annotated[str, StringConstraints(min_length=1, max_length=BODY_MAX), MultiLine, NotBlank]
CommentBody = Annotated[
    str, StringConstraints(min_length=1, max_length=COMMENT_MAX), MultiLine, NotBlank
]
CwText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CW_TEXT_MAX), OneLine
]
ItemId = Annotated[int, Field(ge=1, le=2**53)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContentWarningIn(Strict):
    topic: ContentWarningTopic
    text: CwText | None = None

    @model_validator(mode="after")
    def _other_needs_words(self) -> ContentWarningIn:
        if self.topic is ContentWarningTopic.andet and not self.text:
            raise ValueError("a content warning of topic 'andet' needs a text")
        return self


class PostIn(Strict):
    title: Title
    body: Body
    content_warning: ContentWarningIn | None = None
    anonymous: bool = Field(
        default=False,
        description="Shown as an anonymous member; only moderators can see who wrote it.",
    )


class PostPatch(Strict):
    """Partial edit. Send `content_warning: null` to remove the warning. Anonymity is fixed."""

    title: Title | None = None
    body: Body | None = None
    content_warning: ContentWarningIn | None = None


class CommentIn(Strict):
    body: CommentBody
    parent_id: ItemId | None = Field(
        default=None, description="A top-level comment on the same post; replies are one level."
    )
    anonymous: bool | None = Field(
        default=None,
        description="Defaults to false, except for the author of an anonymous post commenting "
        "on it, who stays anonymous unless they send false.",
    )


class CommentPatch(Strict):
    body: CommentBody


class ReactionIn(Strict):
    kind: ReactionKind


class AuthorOut(BaseModel):
    """Either `{anonymous: true, label_key}` or `{anonymous: false, handle, display_name}`."""

    anonymous: bool
    label_key: str | None = None
    handle: str | None = None
    display_name: str | None = None


class RevealedAuthorOut(BaseModel):
    handle: str


class ContentWarningOut(BaseModel):
    topic: str
    text: str | None


class GroupRefOut(BaseModel):
    slug: str
    name_da: str
    name_en: str


class FilterReasonOut(BaseModel):
    kind: Literal["word", "topic", "hard_day"] = Field(
        description="word or topic: my personal filters; hard_day: my hard-day mode"
    )
    match: str = Field(description="My own filter word or the topic that matched")


FILTERED_DESCRIPTION = "Matches one of my personal filters: show it folded, whatever its warning."
SUPPORT_DESCRIPTION = (
    "Only in my own response, when my text signals risk: crisis lines for the support panel."
)


class ReactionCountsOut(BaseModel):
    hjerte: int
    kram: int
    styrke: int
    tak: int


class PostOut(BaseModel):
    id: int
    group: GroupRefOut
    title: str
    body: str = Field(description="Always sent; the client folds it behind a content warning.")
    content_warning: ContentWarningOut | None
    anonymous: bool
    author: AuthorOut
    created_at: datetime = Field(description="Rounded to the minute for anonymous posts.")
    edited_at: datetime | None
    reactions: ReactionCountsOut
    my_reactions: list[ReactionKind]
    comment_count: int
    locked: bool = Field(description="A moderator locked the thread: no new comments.")
    is_mine: Literal[True] | None = Field(default=None, description="Only on my own posts.")
    revealed_author: RevealedAuthorOut | None = Field(
        default=None, description="Moderators only: who wrote an anonymous post."
    )
    removed: Literal[True] | None = Field(
        default=None, description="Removed by a moderator (shown to the author and moderators)."
    )
    removed_reason: str | None = None
    filtered: Literal[True] | None = Field(default=None, description=FILTERED_DESCRIPTION)
    filter_reason: FilterReasonOut | None = None
    support: SupportOut | None = Field(default=None, description=SUPPORT_DESCRIPTION)


class PostPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None


class CommentOut(BaseModel):
    id: int
    post_id: int
    parent_id: int | None
    body: str
    anonymous: bool
    author: AuthorOut
    created_at: datetime
    edited_at: datetime | None
    is_mine: Literal[True] | None = None
    revealed_author: RevealedAuthorOut | None = None
    removed: Literal[True] | None = None
    removed_reason: str | None = None
    filtered: Literal[True] | None = Field(default=None, description=FILTERED_DESCRIPTION)
    filter_reason: FilterReasonOut | None = None
    support: SupportOut | None = Field(default=None, description=SUPPORT_DESCRIPTION)


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class ReactionSummaryOut(BaseModel):
    reactions: ReactionCountsOut
    my_reactions: list[ReactionKind]


class ReactorOut(BaseModel):
    handle: str
    kind: ReactionKind


class ReactorPage(BaseModel):
    items: list[ReactorOut]
    next_cursor: str | None
