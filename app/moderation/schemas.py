"""Request and response shapes for reports, the review queue, actions, appeals and the log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.accounts.schemas import Password
from app.moderation.models import NOTE_MAX, REASON_MAX, ReportReason, TargetType
from app.text import Handle, MultiLine, NotBlank, OneLine

ItemId = Annotated[int, Field(ge=1, le=2**53)]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX), MultiLine, NotBlank
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX),
    MultiLine,
    NotBlank,
]
AppealText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX),
    MultiLine,
    NotBlank,
]
HandleOrId = ItemId | Annotated[str, StringConstraints(max_length=30), OneLine]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- reports ----------------------------------------------------------------------------


class ReportIn(Strict):
    target_type: TargetType
    target_id: HandleOrId = Field(description="The item's id; for a member, their handle.")
    reason: ReportReason
    text: Note | None = Field(default=None, description="Optional details, up to 1000 chars.")

    @model_validator(mode="after")
    def _id_matches_type(self) -> ReportIn:
        if self.target_type is TargetType.user:
            if not isinstance(self.target_id, str) or len(self.target_id.strip()) < 3:
                raise ValueError("a member is reported by handle")
        elif isinstance(self.target_id, str):
            if not self.target_id.isdigit() or not 1 <= int(self.target_id) <= 2**53:
                raise ValueError("posts, comments and messages are reported by id")
            self.target_id = int(self.target_id)
        return self


class ReportOut(BaseModel):
    id: int
    target_type: TargetType
    reason: ReportReason
    status: Literal["open", "actioned", "dismissed"]
    created_at: datetime


# --- the queue --------------------------------------------------------------------------


class SubjectOut(BaseModel):
    handle: str


class QueueItemOut(BaseModel):
    """All reports on one target. `id` is what /api/mod/reports/{id} takes."""

    id: int
    status: Literal["open", "actioned", "dismissed"]
    target_type: TargetType
    target_id: int
    subject: SubjectOut = Field(
        description="Whose content or conduct it is: the real author, even of anonymous posts."
    )
    group: str | None
    crisis: bool = Field(description="Risk of suicide or self-harm: handle first.")
    crisis_categories: list[str]
    priority: int
    report_count: int = Field(description="Members who reported this target")
    reasons: dict[str, int]
    reports_against_member_30d: int
    opened_at: datetime
    last_report_at: datetime
    closed_at: datetime | None
    content: dict[str, Any] | None = Field(
        description="The reported item as moderators see it; a message's body only via "
        "POST /api/mod/reports/{id}/message (logged). None if it was deleted."
    )


class QueuePage(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None


class CaseReportOut(BaseModel):
    """One report in a case; who sent it is never shown, not even to moderators."""

    id: int
    source: Literal["member", "crisis"]
    reason: ReportReason
    note: str | None
    created_at: datetime


class CaseOut(QueueItemOut):
    reports: list[CaseReportOut]


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    sender: str
    body: str
    created_at: datetime


# --- actions ----------------------------------------------------------------------------


class DismissIn(Strict):
    note: Note | None = Field(default=None, description="For the audit log only.")


class RemoveIn(Strict):
    reason: Reason = Field(description="Shown to the author (signed 'Moderator').")


class WarnIn(Strict):
    reason: Reason = Field(description="Shown to the member (signed 'Moderator').")
    report_id: ItemId | None = Field(
        default=None, description="An open report about this member's content to close with it."
    )


class SuspendIn(Strict):
    reason: Reason
    days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        description="How long; null bans the member until a moderator lifts it."
    )
    report_id: ItemId | None = None


class ActionOut(BaseModel):
    action: str
    target_type: str
    target_id: int
    audit_id: int
    closed_reports: list[int] = Field(description="Queue items this action closed")


# --- appeals ----------------------------------------------------------------------------


class AppealIn(Strict):
    target_type: Literal["post", "comment"]
    target_id: ItemId
    text: AppealText


class SuspensionAppealIn(Strict):
    """A suspended member cannot log in, so they prove who they are here instead."""

    handle: Handle
    password: Password
    totp_code: Annotated[str, StringConstraints(max_length=12)] | None = None
    recovery_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    text: AppealText


class AppealOut(BaseModel):
    id: int
    target_type: Literal["post", "comment", "suspension"]
    target_id: int | None = Field(description="The post or comment; null for a suspension")
    status: Literal["open", "upheld", "overturned"]
    created_at: datetime


class AppealQueueItemOut(BaseModel):
    id: int
    target_type: Literal["post", "comment", "suspension"]
    target_id: int
    appellant: SubjectOut
    group: str | None
    text: str
    action_reason: str | None
    acted_by_me: bool = Field(description="You took the action, so you may not decide this.")
    status: Literal["open", "upheld", "overturned"]
    decision_note: str | None
    created_at: datetime
    decided_at: datetime | None
    content: dict[str, Any] | None


class AppealPage(BaseModel):
    items: list[AppealQueueItemOut]
    next_cursor: str | None


class DecideIn(Strict):
    decision: Literal["uphold", "overturn"]
    note: AppealText = Field(description="Shown to the member (signed 'Moderator').")


# --- log, notices, dashboard ------------------------------------------------------------


class LogEntryOut(BaseModel):
    id: int
    action: str
    moderator: SubjectOut | None
    target_type: str
    target_id: int | None
    subject: SubjectOut | None
    group: str | None
    report_id: int | None
    reason: str | None
    detail: dict[str, Any] | None
    created_at: datetime


class LogPage(BaseModel):
    items: list[LogEntryOut]
    next_cursor: str | None


class DayCountsOut(BaseModel):
    date: date
    actions: dict[str, int]


class PublicLogOut(BaseModel):
    """What moderators did, as counts per day; moderators are only ever 'Moderator'."""

    actor: Literal["Moderator"]
    days: list[DayCountsOut]


class NoticeOut(BaseModel):
    id: int
    kind: str
    target_type: str | None
    target_id: int | None
    reason: str | None
    outcome: str | None
    until: datetime | None
    actor: Literal["Moderator"]
    created_at: datetime
    read: bool


class NoticePage(BaseModel):
    items: list[NoticeOut]
    next_cursor: str | None
    unread: int


class MarkReadIn(Strict):
    """Either `ids` (up to 100 of mine) or `all: true`."""

    ids: Annotated[list[ItemId], Field(max_length=100)] | None = None
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> MarkReadIn:
        if self.all == bool(self.ids):
            raise ValueError("send either a non-empty ids list or all: true")
        return self


class UnreadOut(BaseModel):
    unread: int


class DashboardOut(BaseModel):
    open_reports: int
    open_crisis_reports: int
    open_appeals: int
    median_seconds_to_first_action: float | None = Field(
        description="From the first report to the action that closed it, last 30 days"
    )
    actions_by_day: list[DayCountsOut]
