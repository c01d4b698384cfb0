"""Request dependencies: database sessions, the current member, settings and the hub."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.member import Member
from app.accounts.models import AuthSession, User
from app.config import Settings
from app.db import Database, utcnow
from app.errors import Forbidden, Unauthorized
from app.inline_reads import ReadConnection
from app.ratelimit import RateLimiter
from app.realtime.hub import Hub
from app.security import AccessClaims, decode_access_token

ACCESS_COOKIE = "samvaer_access"
REFRESH_COOKIE = "samvaer_refresh"
CSRF_COOKIE = "samvaer_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where a request's database session is kept in its ASGI scope.
SESSION_KEY = "samvaer.session"


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


async def get_session(request: Request) -> AsyncSession:
    """The request's database session, made on first use; app.main.Samvaer closes it after
    the response (a dependency with `yield` cost FastAPI an exit stack and a shielded exit on
    every request). Reads use a deferred transaction; anything else takes SQLite's write lock
    up front."""
    session: AsyncSession | None = request.scope.get(SESSION_KEY)
    if session is None:
        db: Database = request.app.state.db
        factory = db.read_sessions if request.method in SAFE_METHODS else db.sessions
        session = request.scope[SESSION_KEY] = factory()
    return session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
HubDep = Annotated[Hub, Depends(get_hub)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Principal:
    user: Member
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


# One prebuilt statement for every authenticated request: the login session and a snapshot of
# its member, as plain columns. The member's columns come in the order of Member's fields.
_SESSION_AND_MEMBER = (
    select(
        AuthSession.revoked_at,
        AuthSession.expires_at,
        User.id,
        User.handle,
        User.language,
        User.role,
        User.created_at,
        User.suspended_until,
        User.totp_enabled_at,
    )
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.id == bindparam("session_id"), User.id == bindparam("user_id"))
)


class VerifiedTokens:
    """Access tokens whose signature and claims already checked out, remembered by their text.

    A member sends the same token with every request until it expires, and checking its
    signature cost a fifth of a small request. Expiry is checked again at every use; whether
    the login was revoked is not part of the token and is read from the database every time.
    """

    MAX = 4096

    def __init__(self) -> None:
        self._claims: dict[str, AccessClaims] = {}

    def claims(self, settings: Settings, token: str) -> AccessClaims | None:
        claims = self._claims.get(token)
        if claims is None:
            claims = decode_access_token(settings, token)
            if claims is None:
                return None
            if len(self._claims) >= self.MAX:
                self._claims.clear()
            self._claims[token] = claims
        return claims if claims.expires_at > utcnow() else None


# One memory per signing setup: a token verified under one key says nothing under another.
_verified: dict[tuple[str, str, str], VerifiedTokens] = {}


def _verified_tokens(settings: Settings) -> VerifiedTokens:
    key = (settings.secret_key, settings.token_issuer, settings.token_audience)
    tokens = _verified.get(key)
    if tokens is None:
        tokens = _verified[key] = VerifiedTokens()
    return tokens


async def authenticate(conn: ReadConnection, settings: Settings, token: str) -> Principal | None:
    """The member and session behind an access token, if both are still valid right now."""
    claims = _verified_tokens(settings).claims(settings, token)
    if claims is None:
        return None
    row = (
        await conn.execute(
            _SESSION_AND_MEMBER, {"session_id": claims.session_id, "user_id": claims.user_id}
        )
    ).first()
    if row is None:
        return None
    revoked_at, expires_at = row[0], row[1]
    member = Member(*row[2:])
    now = utcnow()
    if revoked_at is not None or expires_at <= now or member.is_suspended(now):
        return None
    return Principal(user=member, session_id=claims.session_id)


# The dependencies below take the request and session directly rather than one another: each
# level of dependency costs FastAPI a resolution on every request.
async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        if token is None:
            return None
        if request.method not in SAFE_METHODS:
            check_csrf(request)
    principal = await authenticate(await session.connection(), request.app.state.settings, token)
    if principal is None:
        raise Unauthorized("session_expired")
    return principal


async def require_principal(request: Request, session: SessionDep) -> Principal:
    principal = await optional_principal(request, session)
    if principal is None:
        raise Unauthorized()
    return principal


async def require_user(request: Request, session: SessionDep) -> Member:
    return (await require_principal(request, session)).user


async def optional_user(request: Request, session: SessionDep) -> Member | None:
    principal = await optional_principal(request, session)
    return principal.user if principal else None


async def require_moderator(request: Request, session: SessionDep) -> Member:
    user = await require_user(request, session)
    if not user.is_moderator:
        raise Forbidden("moderators_only")
    if not user.has_two_factor:
        raise Forbidden("two_factor_required")
    return user


async def require_admin(request: Request, session: SessionDep) -> Member:
    user = await require_user(request, session)
    if user.role != "admin":
        raise Forbidden("admins_only")
    if not user.has_two_factor:
        raise Forbidden("two_factor_required")
    return user


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
CurrentUser = Annotated[Member, Depends(require_user)]
OptionalUser = Annotated[Member | None, Depends(optional_user)]
ModeratorUser = Annotated[Member, Depends(require_moderator)]
AdminUser = Annotated[Member, Depends(require_admin)]
