"""HTTP endpoints for my profile, my privacy settings, my data, and other members' profiles."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app import exports
from app.accounts import service as accounts
from app.accounts.schemas import AccountOut
from app.deps import CurrentUser, OptionalUser, SessionDep
from app.profiles import service as profiles
from app.profiles.rules import Audience
from app.profiles.schemas import (
    PrivacyOut,
    PrivacyPatch,
    ProfileOut,
    ProfilePatch,
    PublicProfileOut,
)
from app.responses import json_response

router = APIRouter(tags=["profiles"])


class MeOut(BaseModel):
    account: AccountOut
    profile: ProfileOut
    privacy: PrivacyOut


@router.get("/me", response_model=MeOut)
async def me(user: CurrentUser, session: SessionDep) -> MeOut:
    account = await accounts.account_of(session, user)
    profile = await profiles.get_profile(session, user.id)
    return MeOut(
        account=AccountOut.model_validate(account, from_attributes=True),
        profile=ProfileOut.model_validate(profiles.profile_dict(profile)),
        privacy=PrivacyOut.model_validate(profiles.privacy_dict(profile)),
    )


@router.patch("/me/profile", response_model=ProfileOut)
async def patch_profile(body: ProfilePatch, user: CurrentUser, session: SessionDep) -> ProfileOut:
    changes = body.model_dump(include=body.model_fields_set)
    profile = await profiles.update_profile(session, user_id=user.id, changes=changes)
    return ProfileOut.model_validate(profiles.profile_dict(profile))


@router.patch("/me/privacy", response_model=PrivacyOut)
async def patch_privacy(body: PrivacyPatch, user: CurrentUser, session: SessionDep) -> PrivacyOut:
    changes = body.model_dump(include=body.model_fields_set)
    profile = await profiles.update_privacy(session, user_id=user.id, changes=changes)
    return PrivacyOut.model_validate(profiles.privacy_dict(profile))


@router.get(
    "/me/profile/preview", response_model=PublicProfileOut, response_model_exclude_unset=True
)
async def preview_profile(
    user: CurrentUser,
    session: SessionDep,
    as_: Literal["visitor", "member"] = Query(alias="as"),
) -> dict[str, Any]:
    """My profile exactly as a visitor or another member would see it."""
    profile = await profiles.get_profile(session, user.id)
    return profiles.project(
        user.handle, profiles.profile_dict(profile), profile.field_visibility, Audience(as_)
    )


@router.get("/me/export")
async def export_my_data(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Everything Samvær stores about me, as one JSON document (right of access)."""
    return await exports.export_member(session, user)


@router.get("/users/{handle}", response_model=PublicProfileOut, response_model_exclude_unset=True)
async def view_user(handle: str, viewer: OptionalUser, session: SessionDep) -> Response:
    conn = await session.connection()
    return json_response(await profiles.view_profile(conn, handle=handle[:64], viewer=viewer))
