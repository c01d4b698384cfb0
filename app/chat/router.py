"""HTTP endpoints for conversations: list, request, accept or decline, history, read, send."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from limits import parse
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat import service as chat
from app.chat.runtime import ChatRuntime
from app.chat.schemas import (
    MAX_ID,
    MAX_SEQ,
    ConversationList,
    ConversationOut,
    DeclineIn,
    MessagePage,
    ReadIn,
    RequestIn,
    RequestList,
    SendIn,
    SentOut,
    StartedOut,
)
from app.deps import CurrentUser, HubDep, LimiterDep, SessionDep
from app.errors import TooManyRequests
from app.responses import json_response
from app.safety import crisis, newcomers

router = APIRouter(tags=["chat"])

# New conversations per member: generous for people, tight for someone sending spam.
REQUESTS_PER_MEMBER = parse("30/hour")


async def get_runtime(request: Request) -> ChatRuntime:
    runtime: ChatRuntime = request.app.state.chat
    return runtime


RuntimeDep = Annotated[ChatRuntime, Depends(get_runtime)]
ConversationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=chat.MAX_PAGE)]
Before = Annotated[str | None, Query(max_length=48)]
Seq = Annotated[int | None, Query(ge=0, le=MAX_SEQ)]


@router.get("/conversations", response_model=ConversationList)
async def list_conversations(
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Limit = 20,
    before: Before = None,
) -> dict[str, Any]:
    """Conversations, newest activity first, and (on the first page) requests awaiting an answer."""
    return await chat.list_conversations(
        session, runtime.presence, user=user, before=before, limit=limit
    )


@router.get("/conversations/requests", response_model=RequestList)
async def list_requests(
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Limit = 20,
    before: Before = None,
) -> dict[str, Any]:
    return await chat.list_requests(
        session, runtime.presence, user=user, before=before, limit=limit
    )


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=StartedOut,
    responses={200: {"description": "A retry with the same client_id: nothing new stored"}},
)
async def start_conversation(
    body: RequestIn,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """Send a first message to a member as a request; once accepted, it is just a message."""
    await limiter.hit(REQUESTS_PER_MEMBER, "chat-request", str(user.id))
    # New accounts may start fewer conversations: the commonest shape of harassment and spam.
    await newcomers.limit_new_account(
        limiter, user, newcomers.NEW_ACCOUNT_CHAT_REQUESTS, "chat-request"
    )
    if not runtime.send_budget.take(user.id):
        raise TooManyRequests()
    # The writer takes SQLite's write lock; hand back the one this request holds first.
    await session.commit()
    client_id = body.client_id or secrets.token_urlsafe(16)

    async def action(s: AsyncSession) -> tuple[chat.RequestResult, list[chat.Event]]:
        return await chat.request_conversation(
            s,
            sender_id=user.id,
            sender_handle=user.handle,
            handle=body.handle,
            body=body.body,
            client_id=client_id,
        )

    result = await runtime.writer.run(action)
    if result.duplicate:
        response.status_code = status.HTTP_200_OK
    view = await chat.get_conversation(
        session, runtime.presence, user=user, conversation_id=result.conversation_id
    )
    return {**view, "support": crisis.support_for(body.body)}


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
async def get_conversation(
    conversation_id: ConversationId, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    return await chat.get_conversation(
        session, runtime.presence, user=user, conversation_id=conversation_id
    )


@router.post("/conversations/{conversation_id}/accept", response_model=ConversationOut)
async def accept_request(
    conversation_id: ConversationId,
    user: CurrentUser,
    session: SessionDep,
    hub: HubDep,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    await chat.accept(session, hub, user_id=user.id, conversation_id=conversation_id)
    return await chat.get_conversation(
        session, runtime.presence, user=user, conversation_id=conversation_id
    )


@router.post("/conversations/{conversation_id}/decline", status_code=status.HTTP_204_NO_CONTENT)
async def decline_request(
    conversation_id: ConversationId,
    user: CurrentUser,
    session: SessionDep,
    hub: HubDep,
    body: DeclineIn | None = None,
) -> Response:
    """Decline a request, and with {"block": true} block its sender too."""
    await chat.decline(
        session,
        hub,
        user_id=user.id,
        conversation_id=conversation_id,
        block=body.block if body else False,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def list_messages(
    conversation_id: ConversationId,
    user: CurrentUser,
    session: SessionDep,
    after: Seq = None,
    before: Seq = None,
    limit: Limit = 50,
) -> Response:
    """Messages in seq order: `after` a seq (catching up), `before` one (scrolling back), or
    else the latest."""
    messages, more = await chat.history(
        await session.connection(),
        user_id=user.id,
        conversation_id=conversation_id,
        after=after,
        before=before,
        limit=limit,
    )
    return json_response({"messages": messages, "has_more": more})


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=SentOut,
    responses={200: {"description": "A retry with the same client_id: the original message"}},
)
async def send_message(
    conversation_id: ConversationId,
    body: SendIn,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """The same write path as the websocket's `send`, for clients without a socket."""
    if not runtime.send_budget.take(user.id):
        raise TooManyRequests()
    await session.commit()
    sent = await runtime.writer.send_and_wait(
        sender_id=user.id,
        sender_handle=user.handle,
        conversation_id=conversation_id,
        client_id=body.client_id,
        body=body.body,
    )
    if sent.duplicate:
        response.status_code = status.HTTP_200_OK
    return {
        "message": sent.message,
        "duplicate": sent.duplicate,
        "support": crisis.support_for(body.body),
    }


@router.post("/conversations/{conversation_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_read(
    conversation_id: ConversationId,
    body: ReadIn,
    user: CurrentUser,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Response:
    # The writer takes SQLite's write lock; hand back the one this request holds first.
    await session.commit()
    await runtime.writer.mark_read(
        user_id=user.id,
        handle=user.handle,
        conversation_id=conversation_id,
        message_id=body.message_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
