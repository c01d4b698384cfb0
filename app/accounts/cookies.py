"""Browser session cookies: HttpOnly tokens, a readable CSRF token, SameSite=Strict."""

from __future__ import annotations

import secrets

from fastapi import Response

from app.accounts.service import Tokens
from app.config import Settings
from app.deps import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE

REFRESH_PATH = "/api/auth"


def set_session_cookies(response: Response, settings: Settings, tokens: Tokens) -> None:
    secure = settings.cookie_secure
    response.set_cookie(
        ACCESS_COOKIE,
        tokens.access_token,
        max_age=tokens.expires_in,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )
    refresh_age = settings.refresh_token_days * 86400
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=refresh_age,
        httponly=True,
        secure=secure,
        samesite="strict",
        path=REFRESH_PATH,
    )
    # Readable by our own script so it can echo it in X-CSRF-Token; useless to other sites.
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        max_age=refresh_age,
        httponly=False,
        secure=secure,
        samesite="strict",
        path="/",
    )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, path in ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_PATH), (CSRF_COOKIE, "/")):
        response.delete_cookie(
            name,
            path=path,
            secure=settings.cookie_secure,
            httponly=name != CSRF_COOKIE,
            samesite="strict",
        )
