"""Request dependencies: database sessions, the current member, settings and the hub."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import AuthSession, User
from app.config import Settings
from app.db import Database, utcnow
from app.errors import Forbidden, Unauthorized
from app.ratelimit import RateLimiter
from app.realtime.hub import Hub
from app.security import decode_access_token

ACCESS_COOKIE = "samvaer_access"
REFRESH_COOKIE = "samvaer_refresh"
CSRF_COOKIE = "samvaer_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies are async even when they do no I/O: FastAPI runs plain `def` dependencies in a
# thread pool, and that hop cost more than the rest of a small request.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Reads use a deferred transaction; anything else takes SQLite's write lock up front."""
    db: Database = request.app.state.db
    factory = db.read_sessions if request.method in SAFE_METHODS else db.sessions
    async with factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
HubDep = Annotated[Hub, Depends(get_hub)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


@dataclass(frozen=True)
class Principal:
    user: User
    session_id: str


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def check_csrf(request: Request) -> None:
    """Cookie-authenticated writes must echo the CSRF cookie in a header (double submit)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie, header):
        raise Forbidden("csrf_failed")


async def authenticate(session: AsyncSession, settings: Settings, token: str) -> Principal | None:
    """The member and session behind an access token, if both are still valid right now."""
    claims = decode_access_token(settings, token)
    if claims is None:
        return None
    now = utcnow()
    row = (
        await session.execute(
            select(User, AuthSession.revoked_at, AuthSession.expires_at)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(AuthSession.id == claims.session_id, User.id == claims.user_id)
        )
    ).first()
    if row is None:
        return None
    user, revoked_at, expires_at = row
    if revoked_at is not None or expires_at <= now or user.is_suspended(now):
        return None
    return Principal(user=user, session_id=claims.session_id)


async def optional_principal(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        if token is None:
            return None
        if request.method not in SAFE_METHODS:
            check_csrf(request)
    principal = await authenticate(session, settings, token)
    if principal is None:
        raise Unauthorized("session_expired")
    return principal


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized()
    return principal


async def require_user(principal: Annotated[Principal, Depends(require_principal)]) -> User:
    return principal.user


async def optional_user(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> User | None:
    return principal.user if principal else None


async def require_moderator(user: Annotated[User, Depends(require_user)]) -> User:
    if not user.is_moderator:
        raise Forbidden("moderators_only")
    if not user.has_two_factor:
        raise Forbidden("two_factor_required")
    return user


async def require_admin(user: Annotated[User, Depends(require_user)]) -> User:
    if user.role != "admin":
        raise Forbidden("admins_only")
    if not user.has_two_factor:
        raise Forbidden("two_factor_required")
    return user


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
ModeratorUser = Annotated[User, Depends(require_moderator)]
AdminUser = Annotated[User, Depends(require_admin)]
