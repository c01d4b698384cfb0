"""Request and response shapes for chat over HTTP, and the websocket frames a client sends."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.safety.schemas import SupportOut
from app.text import Handle, MultiLine, NotBlank

MAX_BODY_CHARS = 4000

MessageBody = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_BODY_CHARS), MultiLine, NotBlank
]
# Chosen by the client (a UUID is typical); printable ASCII keeps it safe to log and compare.
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[!-~]+$")]
# Ids are 64-bit in PostgreSQL; a conversation's seq is a 32-bit integer.
MAX_ID = 2**62
MAX_SEQ = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestIn(_In):
    """Start a conversation: a request to `handle`, carrying its first message."""

    handle: Handle
    body: MessageBody
    client_id: ClientId | None = None


class SendIn(_In):
    client_id: ClientId
    body: MessageBody


class DeclineIn(_In):
    block: bool = False


class ReadIn(_In):
    message_id: Id


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    seq: int
    sender: str
    body: str
    created_at: datetime


class ConversationOut(BaseModel):
    id: int
    # pending | accepted | not_accepted (a request this member sent that was declined)
    status: str
    # True when the other member asked and this member has not answered yet.
    incoming: bool
    peer_handle: str
    # Only when the other member shows that they are online.
    peer_online: bool | None = None
    last_seq: int
    read_seq: int
    # Only when both members have read receipts on and the conversation is accepted.
    peer_read_seq: int | None = None
    unread: int
    last_message: MessageOut | None
    last_message_at: datetime


class StartedOut(ConversationOut):
    # Crisis lines, when the first message signals risk (the same object as the safety check).
    support: SupportOut | None = None


class ConversationList(BaseModel):
    conversations: list[ConversationOut]
    next_before: str | None
    # Requests waiting for this member's answer, newest first (first page only).
    requests: list[ConversationOut]
    requests_next_before: str | None


class RequestList(BaseModel):
    requests: list[ConversationOut]
    next_before: str | None


class MessagePage(BaseModel):
    messages: list[MessageOut]
    has_more: bool


class SentOut(BaseModel):
    message: MessageOut
    duplicate: bool
    support: SupportOut | None = None


# Websocket frames, client to server. Each is validated on its own after reading its "type".


class AuthFrame(_In):
    type: Literal["auth"]
    token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class SendFrame(_In):
    type: Literal["send"]
    conversation_id: Id
    client_id: ClientId
    body: MessageBody


class TypingFrame(_In):
    type: Literal["typing"]
    conversation_id: Id


class ReadFrame(_In):
    type: Literal["read"]
    conversation_id: Id
    message_id: Id


class ResumeFrame(_In):
    type: Literal["resume"]
    # conversation id (as a JSON object key) -> the last seq this client holds in it
    after: Annotated[dict[Id, Seq], Field(max_length=1000)] = Field(default_factory=dict)


class PingFrame(_In):
    type: Literal["ping"]
