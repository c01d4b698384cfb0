"""Account actions: each owns its transaction, commits, then publishes its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import twofactor
from app.accounts.member import Member
from app.accounts.models import AuthSession, RefreshToken, Role, User
from app.accounts.passwords import check_handle, check_password, handle_key
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.profiles.models import Profile
from app.profiles.rules import default_privacy
from app.realtime.hub import Hub, user_channel
from app.security import (
    create_access_token,
    hash_opaque_token,
    hash_password,
    needs_rehash,
    new_opaque_token,
    verify_password,
)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str
    session_id: str


async def account_of(session: AsyncSession, member: Member) -> User:
    """The member's own row, for changing or showing the whole account (requests carry only a
    snapshot of the member)."""
    user = await session.get(User, member.id)
    if user is None:
        # Deleted after this request was authenticated.
        raise Unauthorized("session_expired")
    return user


async def get_by_handle(session: AsyncSession, handle: str) -> User | None:
    return await session.scalar(select(User).where(User.handle_key == handle_key(handle)))


async def register(
    session: AsyncSession,
    settings: Settings,
    *,
    handle: str,
    password: str,
    email: str | None,
    language: str,
    role: Role = Role.member,
) -> User:
    """Create a member with a private profile; consent and 18+ are recorded with the time."""
    handle = check_handle(handle)
    email = email.strip().lower() if email else None
    check_password(password, handle=handle, email=email)
    if await get_by_handle(session, handle) is not None:
        raise Conflict("handle_taken")
    if email and await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("email_taken")
    now = utcnow()
    user = User(
        handle=handle,
        handle_key=handle_key(handle),
        password_hash=hash_password(password),
        email=email,
        language=language,
        role=role.value,
        consent_at=now,
        consent_version=settings.consent_version,
        adult_confirmed_at=now,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    try:
        await session.flush()
        session.add(Profile(user_id=user.id, **default_privacy()))
        await session.commit()
    except IntegrityError:
        # Two registrations raced for the same handle or email.
        await session.rollback()
        raise Conflict("handle_taken") from None
    return user


async def _open_session(session: AsyncSession, settings: Settings, user: User) -> Tokens:
    sid = new_opaque_token()
    refresh = new_opaque_token()
    session.add(
        AuthSession(
            id=sid,
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    session.add(RefreshToken(session_id=sid, token_hash=hash_opaque_token(refresh)))
    access, expires_in = create_access_token(settings, user_id=user.id, session_id=sid)
    return Tokens(access, expires_in, refresh, sid)


async def login(
    session: AsyncSession,
    settings: Settings,
    *,
    handle: str,
    password: str,
    totp_code: str | None = None,
    recovery_code: str | None = None,
) -> Tokens:
    """Check the password (and second factor, if on) and open a session.

    Unknown handles and wrong passwords look alike.
    """
    user = await get_by_handle(session, handle)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("invalid_credentials")
    if user.is_suspended():
        raise Forbidden(
            "account_suspended",
            until=user.suspended_until.isoformat() if user.suspended_until else "",
        )
    if user.has_two_factor:
        await twofactor.verify_second_factor(
            session, settings, user=user, code=totp_code, recovery_code=recovery_code
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    tokens = await _open_session(session, settings, user)
    await session.commit()
    return tokens


async def refresh(
    session: AsyncSession, settings: Settings, hub: Hub, *, refresh_token: str
) -> Tokens:
    """Rotate a refresh token. Presenting one that was already used revokes its whole session."""
    now = utcnow()
    row = (
        await session.execute(
            select(RefreshToken, AuthSession, User)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .join(User, User.id == AuthSession.user_id)
            .where(RefreshToken.token_hash == hash_opaque_token(refresh_token))
        )
    ).first()
    if row is None:
        raise Unauthorized("invalid_refresh_token")
    token, auth, user = row
    if auth.revoked_at is not None or auth.expires_at <= now or user.is_suspended(now):
        raise Unauthorized("invalid_refresh_token")
    if token.used_at is not None:
        # A used token came back: someone holds a copy. End the family for both holders.
        auth.revoked_at = now
        await session.commit()
        await hub.publish(user_channel(user.id), {"type": "session_revoked", "sessions": [auth.id]})
        raise Unauthorized("refresh_token_reused")
    # Mark used only if no concurrent refresh got there first.
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        raise Unauthorized("refresh_token_reused")
    new_refresh = new_opaque_token()
    session.add(RefreshToken(session_id=auth.id, token_hash=hash_opaque_token(new_refresh)))
    access, expires_in = create_access_token(settings, user_id=user.id, session_id=auth.id)
    await session.commit()
    return Tokens(access, expires_in, new_refresh, auth.id)


async def revoke_sessions(
    session: AsyncSession,
    hub: Hub,
    *,
    user_id: int,
    only: str | None = None,
    keep: str | None = None,
) -> list[str]:
    """Revoke one session (`only`), or all but `keep`; commit; then close their live sockets."""
    now = utcnow()
    query = select(AuthSession.id).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if only is not None:
        query = query.where(AuthSession.id == only)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    ids = list((await session.scalars(query)).all())
    if ids:
        await session.execute(
            update(AuthSession).where(AuthSession.id.in_(ids)).values(revoked_at=now)
        )
    await session.commit()
    if ids:
        await hub.publish(user_channel(user_id), {"type": "session_revoked", "sessions": ids})
    return ids


# A ban is a suspension without end; one column keeps every login check the same.
BANNED_UNTIL = datetime(9999, 12, 31, tzinfo=UTC)


async def suspend(
    session: AsyncSession, hub: Hub, *, user: User, until: datetime | None
) -> list[str]:
    """Suspend a member until `until` (None bans them), committing whatever the caller staged
    with it; every session is revoked and live sockets close at once."""
    user.suspended_until = until or BANNED_UNTIL
    return await revoke_sessions(session, hub, user_id=user.id)


async def change_password(
    session: AsyncSession,
    hub: Hub,
    *,
    user: User,
    current_session_id: str,
    current_password: str,
    new_password: str,
) -> None:
    """Set a new password and end every other session of the member."""
    if not verify_password(user.password_hash, current_password):
        raise Forbidden("wrong_password")
    check_password(new_password, handle=user.handle, email=user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    await revoke_sessions(session, hub, user_id=user.id, keep=current_session_id)


async def update_account(
    session: AsyncSession, *, user: User, language: str | None, email: str | None, set_email: bool
) -> User:
    if language is not None:
        user.language = language
    if set_email:
        email = email.strip().lower() if email else None
        if email and email != user.email:
            taken = await session.scalar(
                select(User.id).where(User.email == email, User.id != user.id)
            )
            if taken is not None:
                raise Conflict("email_taken")
        user.email = email
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("email_taken") from None
    return user


async def delete_account(session: AsyncSession, hub: Hub, *, user: User, password: str) -> None:
    """Erase the member and, through cascades, everything that is theirs."""
    if not verify_password(user.password_hash, password):
        raise Forbidden("wrong_password")
    user_id = user.id
    await session.delete(user)
    await session.commit()
    await hub.publish(user_channel(user_id), {"type": "session_revoked", "sessions": "all"})


async def set_role(session: AsyncSession, *, handle: str, role: Role) -> User:
    user = await get_by_handle(session, handle)
    if user is None:
        raise NotFound("member_not_found")
    user.role = role.value
    await session.commit()
    return user
