"""A member's own safety plan: read, replaced and exported only by that member."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import utcnow
from app.safety.models import SafetyPlan

PLAN_LISTS = (
    "warning_signs",
    "coping_strategies",
    "reasons_to_live",
    "contacts",
    "professional_contacts",
    "safe_environment",
)


async def get_plan(session: AsyncSession, *, user_id: int) -> SafetyPlan | None:
    return await session.get(SafetyPlan, user_id)


def plan_dict(plan: SafetyPlan | None) -> dict[str, Any]:
    """The plan as its owner sees it; a member who has not written one gets empty lists."""
    if plan is None:
        return {**{name: [] for name in PLAN_LISTS}, "updated_at": None}
    return {
        **{name: list(getattr(plan, name)) for name in PLAN_LISTS},
        "updated_at": plan.updated_at,
    }


async def save_plan(session: AsyncSession, *, user_id: int, content: dict[str, Any]) -> SafetyPlan:
    """Replace the member's plan with `content` (every list), creating it on the first save."""
    now = utcnow()
    values = {name: content[name] for name in PLAN_LISTS}
    plan = await session.get(SafetyPlan, user_id)
    if plan is None:
        plan = SafetyPlan(user_id=user_id, created_at=now, updated_at=now, **values)
        session.add(plan)
        try:
            await session.commit()
            return plan
        except IntegrityError:
            # A save from another tab created it first; this later save replaces it.
            await session.rollback()
            plan = await session.get(SafetyPlan, user_id)
            if plan is None:
                raise
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_at = now
    await session.commit()
    return plan


async def export_plan(session: AsyncSession, *, user_id: int) -> dict[str, Any] | None:
    """The plan for the member's data export, or None if they never wrote one."""
    plan = await get_plan(session, user_id=user_id)
    if plan is None:
        return None
    out = plan_dict(plan)
    out["created_at"] = plan.created_at.isoformat()
    out["updated_at"] = plan.updated_at.isoformat()
    return out
