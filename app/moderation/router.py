"""HTTP endpoints: reporting, notices and appeals for members; /mod/... for moderators.

Everything under /api/mod needs a moderator with two-factor login: site moderators reach
everything, group moderators the content of their own groups (members and chat messages are
for site moderators). The audit log is for admins. Moderator responses are never cached.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from limits import parse
from pydantic import AwareDatetime

from app.accounts.passwords import handle_key
from app.db import utcnow
from app.deps import CurrentUser, HubDep, LimiterDep, SessionDep, SettingsDep
from app.moderation import appeals, audit, charts, notices
from app.moderation import service as moderation
from app.moderation.deps import AdminModerator, AnyModerator, SiteModerator
from app.moderation.models import Action, AppealStatus, TargetType
from app.moderation.schemas import (
    ActionOut,
    AppealIn,
    AppealOut,
    AppealPage,
    CaseOut,
    DashboardOut,
    DecideIn,
    DismissIn,
    LogPage,
    MarkReadIn,
    MessageOut,
    NoticePage,
    PublicLogOut,
    QueuePage,
    RemoveIn,
    ReportIn,
    ReportOut,
    SuspendIn,
    SuspensionAppealIn,
    UnreadOut,
    WarnIn,
)
from app.ratelimit import LOGIN_PER_HANDLE, LOGIN_PER_IP
from app.safety import newcomers

# Enough for anyone who meets a bad day of content; a wall for someone reporting to harass.
REPORTS_PER_MEMBER = parse("10/hour")
APPEALS_PER_MEMBER = parse("10/hour")

ItemId = Annotated[int, Path(ge=1, le=2**53)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=40, description="`next_cursor` of the last page")]


async def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(tags=["moderation"])
mod = APIRouter(prefix="/mod", tags=["moderation"], dependencies=[Depends(_no_store)])


# --- members --------------------------------------------------------------------------------


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportOut,
    responses={200: {"description": "I had already reported this; my open report is returned"}},
)
async def report(
    body: ReportIn,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
    response: Response,
) -> dict[str, Any]:
    """Report a post, comment, chat message (one I received) or member (by handle).

    The reported member is never told who reported; I am told the outcome later as a notice.
    """
    await limiter.hit(REPORTS_PER_MEMBER, "report", str(user.id))
    await newcomers.limit_new_account(limiter, user, newcomers.NEW_ACCOUNT_REPORTS, "report")
    out, created = await moderation.report(
        session,
        reporter=user,
        target_type=body.target_type,
        target_id=body.target_id,
        reason=body.reason,
        note=body.text,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return out


@router.get("/moderation/notices", response_model=NoticePage)
async def my_notices(
    user: CurrentUser, session: SessionDep, limit: Limit = 30, before: Cursor = None
) -> dict[str, Any]:
    """What moderators decided about my content, my account, my reports and my appeals,
    newest first. Live: `{"type": "moderation_notice", "notice": {...}}` on my channel."""
    items, next_cursor = await notices.list_for(session, user=user, limit=limit, before=before)
    unread = await notices.unread_count(session, user=user)
    return {"items": items, "next_cursor": next_cursor, "unread": unread}


@router.post("/moderation/notices/read", response_model=UnreadOut)
async def mark_notices_read(body: MarkReadIn, user: CurrentUser, session: SessionDep) -> UnreadOut:
    unread = await notices.mark_read(session, user=user, ids=body.ids, everything=body.all)
    return UnreadOut(unread=unread)


@router.get("/moderation/log", response_model=PublicLogOut)
async def public_log(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The public part of the moderation log: actions per day over 30 days, by "Moderator"."""
    days = await audit.actions_by_day(session, now=utcnow(), actions=audit.PUBLIC_ACTIONS)
    return {"actor": notices.MODERATOR_LABEL, "days": days}


@router.post("/appeals", status_code=status.HTTP_201_CREATED, response_model=AppealOut)
async def appeal(
    body: AppealIn, user: CurrentUser, session: SessionDep, limiter: LimiterDep
) -> dict[str, Any]:
    """Appeal the removal of my post or comment, once. Another moderator decides."""
    await limiter.hit(APPEALS_PER_MEMBER, "appeal", str(user.id))
    return await appeals.appeal_content(
        session, user=user, target_type=body.target_type, target_id=body.target_id, text=body.text
    )


@router.post("/appeals/suspension", status_code=status.HTTP_201_CREATED, response_model=AppealOut)
async def appeal_suspension(
    body: SuspensionAppealIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """Appeal my suspension or ban, once. I cannot log in, so I send my handle and password
    (and two-factor code, when it is on) with the appeal; nothing else can be done this way."""
    client = request.client.host if request.client else "unknown"
    await limiter.hit(LOGIN_PER_IP, "login-ip", client)
    await limiter.hit(LOGIN_PER_HANDLE, "login-handle", handle_key(body.handle))
    return await appeals.appeal_suspension(
        session,
        settings,
        handle=body.handle,
        password=body.password,
        totp_code=body.totp_code,
        recovery_code=body.recovery_code,
        text=body.text,
    )


# --- moderators: the queue ------------------------------------------------------------------


@mod.get("/reports", response_model=QueuePage)
async def review_queue(
    moderator: AnyModerator, session: SessionDep, limit: Limit = 20, before: Cursor = None
) -> dict[str, Any]:
    """Open reports grouped by target, crisis and repeatedly reported members first."""
    items, next_cursor = await moderation.queue(
        session, moderator=moderator, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@mod.get("/reports/{case_id}", response_model=CaseOut)
async def review_item(case_id: ItemId, moderator: AnyModerator, session: SessionDep) -> Any:
    """One queue item with its reports (never who sent them)."""
    return await moderation.get_case(session, moderator=moderator, case_id=case_id)


@mod.post("/reports/{case_id}/message", response_model=MessageOut)
async def open_reported_message(
    case_id: ItemId, moderator: AnyModerator, session: SessionDep
) -> Any:
    """Read the reported chat message, and only it. Each opening is written to the audit log,
    which is why this is a POST."""
    return await moderation.open_message(session, moderator=moderator, case_id=case_id)


@mod.post("/reports/{case_id}/dismiss", response_model=ActionOut)
async def dismiss(
    case_id: ItemId,
    moderator: AnyModerator,
    session: SessionDep,
    hub: HubDep,
    body: DismissIn | None = None,
) -> Any:
    """No action: the reporters are told so."""
    return await moderation.dismiss(
        session, hub, moderator=moderator, case_id=case_id, note=body.note if body else None
    )


# --- moderators: content --------------------------------------------------------------------


@mod.post("/posts/{post_id}/remove", response_model=ActionOut)
async def remove_post(
    post_id: ItemId, body: RemoveIn, moderator: AnyModerator, session: SessionDep, hub: HubDep
) -> Any:
    """Hide the post from everyone but its author (who is told the reason) and moderators."""
    return await moderation.set_removed(
        session,
        hub,
        moderator=moderator,
        target_type=TargetType.post,
        target_id=post_id,
        reason=body.reason,
    )


@mod.post("/posts/{post_id}/restore", response_model=ActionOut)
async def restore_post(
    post_id: ItemId, moderator: AnyModerator, session: SessionDep, hub: HubDep
) -> Any:
    return await moderation.set_removed(
        session,
        hub,
        moderator=moderator,
        target_type=TargetType.post,
        target_id=post_id,
        reason=None,
    )


@mod.post("/posts/{post_id}/lock", response_model=ActionOut)
async def lock_post(post_id: ItemId, moderator: AnyModerator, session: SessionDep) -> Any:
    """No new comments on the thread until it is unlocked."""
    return await moderation.set_locked(session, moderator=moderator, post_id=post_id, locked=True)


@mod.post("/posts/{post_id}/unlock", response_model=ActionOut)
async def unlock_post(post_id: ItemId, moderator: AnyModerator, session: SessionDep) -> Any:
    return await moderation.set_locked(session, moderator=moderator, post_id=post_id, locked=False)


@mod.post("/comments/{comment_id}/remove", response_model=ActionOut)
async def remove_comment(
    comment_id: ItemId, body: RemoveIn, moderator: AnyModerator, session: SessionDep, hub: HubDep
) -> Any:
    return await moderation.set_removed(
        session,
        hub,
        moderator=moderator,
        target_type=TargetType.comment,
        target_id=comment_id,
        reason=body.reason,
    )


@mod.post("/comments/{comment_id}/restore", response_model=ActionOut)
async def restore_comment(
    comment_id: ItemId, moderator: AnyModerator, session: SessionDep, hub: HubDep
) -> Any:
    return await moderation.set_removed(
        session,
        hub,
        moderator=moderator,
        target_type=TargetType.comment,
        target_id=comment_id,
        reason=None,
    )


# --- moderators: members (site moderators only) ---------------------------------------------


@mod.post("/users/{handle}/warn", response_model=ActionOut)
async def warn(
    handle: str, body: WarnIn, moderator: SiteModerator, session: SessionDep, hub: HubDep
) -> Any:
    return await moderation.warn(
        session,
        hub,
        moderator=moderator,
        handle=handle[:64],
        reason=body.reason,
        report_id=body.report_id,
    )


@mod.post("/users/{handle}/suspend", response_model=ActionOut)
async def suspend(
    handle: str, body: SuspendIn, moderator: SiteModerator, session: SessionDep, hub: HubDep
) -> Any:
    """Suspend for `days`, or ban with `days: null`. Sessions end and live sockets close now."""
    return await moderation.suspend(
        session,
        hub,
        moderator=moderator,
        handle=handle[:64],
        reason=body.reason,
        days=body.days,
        report_id=body.report_id,
    )


@mod.post("/users/{handle}/unsuspend", response_model=ActionOut)
async def unsuspend(handle: str, moderator: SiteModerator, session: SessionDep, hub: HubDep) -> Any:
    return await moderation.unsuspend(session, hub, moderator=moderator, handle=handle[:64])


# --- moderators: appeals, log, dashboard ----------------------------------------------------


@mod.get("/appeals", response_model=AppealPage)
async def list_appeals(
    moderator: AnyModerator,
    session: SessionDep,
    status_: Annotated[AppealStatus, Query(alias="status")] = AppealStatus.open,
    limit: Limit = 20,
    before: Cursor = None,
) -> dict[str, Any]:
    items, next_cursor = await appeals.list_appeals(
        session, moderator=moderator, status=status_, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@mod.post("/appeals/{appeal_id}/decide", response_model=ActionOut)
async def decide_appeal(
    appeal_id: ItemId, body: DecideIn, moderator: AnyModerator, session: SessionDep, hub: HubDep
) -> Any:
    """A moderator other than the one who acted decides (403 otherwise); the member is told."""
    return await appeals.decide(
        session,
        hub,
        moderator=moderator,
        appeal_id=appeal_id,
        decision=body.decision,
        note=body.note,
    )


@mod.get("/log", response_model=LogPage)
async def audit_log(
    admin: AdminModerator,
    session: SessionDep,
    moderator: Annotated[str | None, Query(max_length=30)] = None,
    action: Action | None = None,
    target_type: Annotated[str | None, Query(max_length=12)] = None,
    target_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Limit = 50,
    before: Cursor = None,
) -> dict[str, Any]:
    """Every moderator action, newest first (admins only). Times are ISO 8601 with a zone."""
    items, next_cursor = await audit.list_log(
        session,
        filters=audit.LogFilter(
            moderator=moderator,
            action=action,
            target_type=target_type,
            target_id=target_id,
            since=since,
            until=until,
        ),
        limit=limit,
        before=before,
    )
    return {"items": items, "next_cursor": next_cursor}


@mod.get("/dashboard", response_model=DashboardOut)
async def dashboard(moderator: SiteModerator, session: SessionDep) -> dict[str, Any]:
    """Open reports, median time to first action, and actions by type per day (30 days)."""
    return await moderation.dashboard(session)


@mod.get(
    "/dashboard.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def dashboard_svg(moderator: SiteModerator, session: SessionDep) -> Response:
    """The dashboard drawn as bar charts."""
    svg = charts.dashboard_svg(await moderation.dashboard(session))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


router.include_router(mod)
