"""Two-factor actions: set up, confirm, turn off, regenerate recovery codes, verify at login."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import totp
from app.accounts.models import RecoveryCode, User
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, Forbidden, Unauthorized
from app.security import verify_password


@dataclass(frozen=True)
class Setup:
    secret: str
    otpauth_uri: str


def _require_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise Forbidden("wrong_password")


async def begin_setup(
    session: AsyncSession, settings: Settings, *, user: User, password: str
) -> Setup:
    """Store a new pending secret; it takes effect once a code from it is confirmed."""
    _require_password(user, password)
    if user.has_two_factor:
        raise Conflict("two_factor_already_on")
    secret = totp.new_secret()
    user.totp_secret = totp.encrypt_secret(settings.secret_key, secret)
    user.totp_last_step = None
    await session.commit()
    return Setup(secret=secret, otpauth_uri=totp.provisioning_uri(secret, user.handle))


async def _replace_recovery_codes(session: AsyncSession, user: User) -> list[str]:
    codes = totp.new_recovery_codes()
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes
    )
    return codes


async def confirm_setup(
    session: AsyncSession, settings: Settings, *, user: User, code: str
) -> list[str]:
    """Turn two-factor on with a first valid code; returns the recovery codes, shown once."""
    if user.has_two_factor:
        raise Conflict("two_factor_already_on")
    secret = totp.decrypt_secret(settings.secret_key, user.totp_secret or "")
    if secret is None:
        raise Conflict("two_factor_not_started")
    step = totp.matching_step(secret, code, last_step=None)
    if step is None:
        raise Forbidden("totp_invalid")
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = await _replace_recovery_codes(session, user)
    await session.commit()
    return codes


async def disable(
    session: AsyncSession, settings: Settings, *, user: User, password: str, code: str
) -> None:
    _require_password(user, password)
    if user.is_moderator:
        raise Forbidden("two_factor_mandatory")
    if not user.has_two_factor:
        return
    await verify_second_factor(session, settings, user=user, code=code, recovery_code=None)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await session.commit()


async def regenerate_recovery_codes(
    session: AsyncSession, *, user: User, password: str
) -> list[str]:
    _require_password(user, password)
    if not user.has_two_factor:
        raise Conflict("two_factor_not_started")
    codes = await _replace_recovery_codes(session, user)
    await session.commit()
    return codes


async def verify_second_factor(
    session: AsyncSession,
    settings: Settings,
    *,
    user: User,
    code: str | None,
    recovery_code: str | None,
) -> None:
    """Check a TOTP code (once per time step) or burn a recovery code; the caller commits."""
    if code:
        secret = totp.decrypt_secret(settings.secret_key, user.totp_secret or "")
        step = totp.matching_step(secret, code, last_step=user.totp_last_step) if secret else None
        if step is None:
            raise Unauthorized("totp_invalid")
        user.totp_last_step = step
        return
    if recovery_code:
        row_id = await session.scalar(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == totp.hash_recovery_code(recovery_code),
                RecoveryCode.used_at.is_(None),
            )
        )
        if row_id is not None:
            used = await session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
            )
            if used.rowcount == 1:  # type: ignore[attr-defined]
                return
        raise Unauthorized("totp_invalid")
    raise Unauthorized("totp_required")
