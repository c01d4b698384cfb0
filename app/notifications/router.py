"""HTTP endpoints for my notifications and the bell's unread count."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.deps import CurrentUser, SessionDep
from app.notifications import service as notifications
from app.notifications.schemas import MarkReadIn, NotificationPage, UnreadOut

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=NotificationPage, response_model_exclude_unset=True)
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
    before: Annotated[
        str | None, Query(max_length=20, description="`next_cursor` of the last page")
    ] = None,
) -> dict[str, Any]:
    """Replies to my posts and comments and reactions to my posts, newest first. Live: the
    member's real-time channel carries `{"type": "notification", "notification": {...}}` with
    the same shape."""
    items, next_cursor = await notifications.list_for(
        session, user=user, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/notifications/unread-count", response_model=UnreadOut)
async def unread_count(user: CurrentUser, session: SessionDep) -> UnreadOut:
    return UnreadOut(unread=await notifications.unread_count(await session.connection(), user=user))


@router.post("/notifications/read", response_model=UnreadOut)
async def mark_read(body: MarkReadIn, user: CurrentUser, session: SessionDep) -> UnreadOut:
    unread = await notifications.mark_read(session, user=user, ids=body.ids, everything=body.all)
    return UnreadOut(unread=unread)
