"""HTTP endpoints for my mutes, my personal filters and "svær dag" (hard-day) mode."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from limits import parse

from app.deps import CurrentUser, LimiterDep, SessionDep
from app.safety import filters, mutes
from app.safety.personal_schemas import (
    FiltersIn,
    FiltersOut,
    HardDayIn,
    HardDayOut,
    MuteIn,
    MuteOut,
    MutePage,
)

router = APIRouter(tags=["safety"])

PERSONAL_CHANGES_PER_MEMBER = parse("60/minute")


@router.get("/mutes", response_model=MutePage)
async def list_mutes(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Members I muted. Only I can see this list; they are never told."""
    items, next_cursor = await mutes.list_mutes(session, muter=user, limit=limit, before=before)
    return {
        "items": [{"handle": h, "created_at": at} for h, at in items],
        "next_cursor": next_cursor,
    }


@router.post("/mutes", status_code=status.HTTP_201_CREATED, response_model=MuteOut)
async def add_mute(
    body: MuteIn, user: CurrentUser, session: SessionDep, limiter: LimiterDep
) -> MuteOut:
    """Hide a member's posts and comments from my lists (their anonymous items excepted)."""
    await limiter.hit(PERSONAL_CHANGES_PER_MEMBER, "personal", str(user.id))
    handle, created_at = await mutes.mute(session, muter=user, handle=body.handle)
    return MuteOut(handle=handle, created_at=created_at)


@router.delete("/mutes/{handle}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_mute(handle: str, user: CurrentUser, session: SessionDep) -> Response:
    await mutes.unmute(session, muter=user, handle=handle[:64])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/filters", response_model=FiltersOut)
async def my_filters(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return filters.filters_dict(await filters.get_row(session, user.id))


@router.put("/me/filters", response_model=FiltersOut)
async def save_my_filters(
    body: FiltersIn, user: CurrentUser, session: SessionDep, limiter: LimiterDep
) -> dict[str, Any]:
    """Content with these words or topics comes marked `filtered` so it is shown folded."""
    await limiter.hit(PERSONAL_CHANGES_PER_MEMBER, "personal", str(user.id))
    row = await filters.save_filters(
        session,
        user_id=user.id,
        words=body.words,
        cw_topics=[t.value for t in body.cw_topics],
    )
    return filters.filters_dict(row)


@router.get("/me/hard-day", response_model=HardDayOut)
async def my_hard_day(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return filters.hard_day_dict(await filters.get_row(session, user.id))


@router.post("/me/hard-day", response_model=HardDayOut)
async def start_hard_day(
    body: HardDayIn, user: CurrentUser, session: SessionDep, limiter: LimiterDep
) -> dict[str, Any]:
    """Hard-day mode ("svær dag"): hide the chosen topics everywhere and pause new chat
    requests to me for 1 to 72 hours; it turns itself off afterwards."""
    await limiter.hit(PERSONAL_CHANGES_PER_MEMBER, "personal", str(user.id))
    row = await filters.start_hard_day(
        session, user_id=user.id, hours=body.hours, topics=[t.value for t in body.topics]
    )
    return filters.hard_day_dict(row)


@router.delete("/me/hard-day", status_code=status.HTTP_204_NO_CONTENT)
async def end_hard_day(user: CurrentUser, session: SessionDep) -> Response:
    await filters.end_hard_day(session, user_id=user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
