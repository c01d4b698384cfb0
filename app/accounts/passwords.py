"""Password and handle rules: long enough, not common, not guessable from the handle."""

from __future__ import annotations

import re
import unicodedata

from zxcvbn import zxcvbn

from app.errors import BadRequest

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's cost grows quickly with length; past this a password is not "common" anyway.
_STRENGTH_CHECK_CHARS = 64
_MIN_SCORE = 2

HANDLE_PATTERN = re.compile(r"^[A-Za-z0-9ÆØÅæøå][A-Za-z0-9ÆØÅæøå_.\-]{2,29}$")
RESERVED_HANDLES = frozenset(
    {
        "admin",
        "administrator",
        "moderator",
        "mod",
        "samvaer",
        "samvær",
        "support",
        "system",
        "anonym",
        "anonymous",
        "anonymt",
        "root",
        "staff",
        "help",
        "hjaelp",
        "hjælp",
        "me",
    }
)


def handle_key(handle: str) -> str:
    """The form handles are compared in: normalised and case-folded."""
    return unicodedata.normalize("NFC", handle).casefold()


def check_handle(handle: str) -> str:
    handle = unicodedata.normalize("NFC", handle.strip())
    if not HANDLE_PATTERN.match(handle):
        raise BadRequest("handle_invalid")
    if handle_key(handle) in RESERVED_HANDLES:
        raise BadRequest("handle_reserved")
    return handle


def check_password(password: str, *, handle: str = "", email: str | None = None) -> None:
    """Raise a 400 that says why a password is refused; return quietly when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest("password_too_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadRequest("password_too_long", max=MAX_PASSWORD_LENGTH)
    lowered = password.casefold()
    if handle and len(handle) >= 3 and handle_key(handle) in lowered:
        raise BadRequest("password_contains_handle")
    user_inputs = [v for v in (handle, email, "samvaer", "samvær", "peer", "kodeord") if v]
    result = zxcvbn(password[:_STRENGTH_CHECK_CHARS], user_inputs=user_inputs)
    if result["score"] < _MIN_SCORE:
        raise BadRequest("password_too_common")
