"""HTTP endpoints for blocking members."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict

from app.deps import CurrentUser, SessionDep
from app.safety import service as safety
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
