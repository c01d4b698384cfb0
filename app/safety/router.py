"""HTTP endpoints for blocking members, crisis support and my safety plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from limits import parse
from pydantic import BaseModel, ConfigDict

from app.db import utcnow
from app.deps import CurrentUser, LimiterDep, SessionDep
from app.safety import crisis, crisis_lines
from app.safety import plan as safety_plan
from app.safety import service as safety
from app.safety.schemas import CheckIn, CheckOut, SafetyPlanIn, SafetyPlanOut, SupportOut
from app.text import Handle

router = APIRouter(tags=["safety"])


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handle: Handle


class BlockOut(BaseModel):
    handle: str
    created_at: datetime


@router.get("/blocks", response_model=list[BlockOut])
async def list_blocks(user: CurrentUser, session: SessionDep) -> list[BlockOut]:
    rows = await safety.list_blocks(session, blocker=user)
    return [BlockOut(handle=h, created_at=c) for h, c in rows]


@router.post("/blocks", status_code=status.HTTP_201_CREATED, response_model=BlockOut)
async def add_block(body: BlockIn, user: CurrentUser, session: SessionDep) -> BlockOut:
    row = await safety.block(session, blocker=user, handle=body.handle)
    return BlockOut(handle=body.handle, created_at=row.created_at)


@router.delete("/blocks/{handle}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_block(handle: str, user: CurrentUser, session: SessionDep) -> Response:
    await safety.unblock(session, blocker=user, handle=handle[:64])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# A composer may check as the member types; this allows one check every two seconds.
SAFETY_CHECKS_PER_MEMBER = parse("30/minute")
SAFETY_PLAN_SAVES_PER_MEMBER = parse("30/minute")


@router.post("/safety/check", response_model=CheckOut)
async def check_text(body: CheckIn, user: CurrentUser, limiter: LimiterDep) -> dict[str, Any]:
    """Does this text signal risk of suicide or self-harm? Stores and logs nothing of it."""
    await limiter.hit(SAFETY_CHECKS_PER_MEMBER, "safety-check", str(user.id))
    support = crisis.support_for(body.text)
    return {"risk": support is not None, "support": support}


@router.get("/safety/crisis-lines", response_model=SupportOut)
async def crisis_lines_now() -> dict[str, Any]:
    """Danish crisis lines, open ones first. Public: help must be reachable without an account."""
    return crisis_lines.support_payload(utcnow())


@router.get("/me/safety-plan", response_model=SafetyPlanOut)
async def my_safety_plan(
    user: CurrentUser, session: SessionDep, response: Response
) -> dict[str, Any]:
    """My safety plan (empty lists until I write one). No one else can read it."""
    response.headers["Cache-Control"] = "no-store"
    return safety_plan.plan_dict(await safety_plan.get_plan(session, user_id=user.id))


@router.put("/me/safety-plan", response_model=SafetyPlanOut)
async def save_my_safety_plan(
    body: SafetyPlanIn,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
    response: Response,
) -> dict[str, Any]:
    """Replace my safety plan with the one sent (all lists, each with its own limits)."""
    await limiter.hit(SAFETY_PLAN_SAVES_PER_MEMBER, "safety-plan", str(user.id))
    response.headers["Cache-Control"] = "no-store"
    saved = await safety_plan.save_plan(session, user_id=user.id, content=body.model_dump())
    return safety_plan.plan_dict(saved)
