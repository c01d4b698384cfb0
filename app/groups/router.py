"""HTTP endpoints for categories, the group directory, membership and group moderators.

Everything under /groups is for logged-in members only; categories are public labels.
Lists take `?limit=&before=`, where `before` is the `next_cursor` of the previous page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from app.deps import AdminUser, CurrentUser, LimiterDep, SessionDep
from app.groups import service as groups
from app.groups.schemas import (
    CategoryOut,
    GroupMemberOut,
    GroupOut,
    GroupPage,
    HandleIn,
    JoinRequestPage,
)
from app.ratelimit import GROUP_ACTIONS_PER_MEMBER

router = APIRouter(tags=["groups"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the last page")]


@router.get("/categories", response_model=list[CategoryOut])
async def list_categories(session: SessionDep) -> list[CategoryOut]:
    rows = await groups.list_categories(session)
    return [CategoryOut.model_validate(c, from_attributes=True) for c in rows]


@router.get("/groups", response_model=GroupPage)
async def list_groups(
    user: CurrentUser,
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=60)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="words to find in names and descriptions")
    ] = None,
    limit: Limit = 50,
    before: Cursor = None,
) -> dict[str, Any]:
    items, next_cursor = await groups.list_groups(
        session, viewer=user, category=category, q=q, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/groups/{slug}", response_model=GroupOut)
async def get_group(slug: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return await groups.get_group(session, slug=slug[:60], viewer=user)


@router.post("/groups/{slug}/join", response_model=GroupOut)
async def join_group(
    slug: str, user: CurrentUser, session: SessionDep, limiter: LimiterDep
) -> dict[str, Any]:
    """Open groups: a member at once. Groups by request: pending until a moderator approves."""
    await limiter.hit(GROUP_ACTIONS_PER_MEMBER, "group-action", str(user.id))
    return await groups.join(session, slug=slug[:60], user=user)


@router.post("/groups/{slug}/leave", response_model=GroupOut)
async def leave_group(
    slug: str, user: CurrentUser, session: SessionDep, limiter: LimiterDep
) -> dict[str, Any]:
    """Leave the group (or withdraw a request). My posts stay; I can no longer write there."""
    await limiter.hit(GROUP_ACTIONS_PER_MEMBER, "group-action", str(user.id))
    return await groups.leave(session, slug=slug[:60], user=user)


@router.get("/groups/{slug}/requests", response_model=JoinRequestPage)
async def list_join_requests(
    slug: str,
    user: CurrentUser,
    session: SessionDep,
    limit: Limit = 50,
    before: Cursor = None,
) -> dict[str, Any]:
    """Pending requests to join, oldest first (group moderators and site moderators)."""
    items, next_cursor = await groups.list_requests(
        session, slug=slug[:60], viewer=user, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/groups/{slug}/requests/{handle}/approve", status_code=status.HTTP_204_NO_CONTENT)
async def approve_join_request(
    slug: str, handle: str, user: CurrentUser, session: SessionDep
) -> Response:
    await groups.decide_request(
        session, slug=slug[:60], viewer=user, handle=handle[:64], approve=True
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/groups/{slug}/requests/{handle}/decline", status_code=status.HTTP_204_NO_CONTENT)
async def decline_join_request(
    slug: str, handle: str, user: CurrentUser, session: SessionDep
) -> Response:
    await groups.decide_request(
        session, slug=slug[:60], viewer=user, handle=handle[:64], approve=False
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/groups/{slug}/moderators", response_model=GroupMemberOut)
async def appoint_group_moderator(
    slug: str, body: HandleIn, _admin: AdminUser, session: SessionDep
) -> dict[str, Any]:
    """Admins appoint a group moderator; they become an active member if they were not."""
    return await groups.set_moderator(session, slug=slug[:60], handle=body.handle, moderator=True)


@router.delete("/groups/{slug}/moderators/{handle}", response_model=GroupMemberOut)
async def dismiss_group_moderator(
    slug: str, handle: str, _admin: AdminUser, session: SessionDep
) -> dict[str, Any]:
    """Admins let a group moderator step down; they stay a member."""
    return await groups.set_moderator(session, slug=slug[:60], handle=handle[:64], moderator=False)
