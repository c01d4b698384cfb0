"""Errors that carry their HTTP status and a stable code, and the one place that renders them."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import request_language, translate

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a person can act on: `code` picks the translated message, `params` fill it."""

    status_code = 400

    def __init__(self, code: str, status_code: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.params = params
        self.headers: dict[str, str] | None = None


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401

    def __init__(self, code: str = "not_authenticated", **params: Any) -> None:
        super().__init__(code, **params)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Gone(AppError):
    status_code = 410


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, code: str = "rate_limited", retry_after: int = 60, **params: Any) -> None:
        super().__init__(code, **params)
        self.headers = {"Retry-After": str(retry_after)}


def error_body(code: str, lang: str, **params: Any) -> dict[str, Any]:
    return {"detail": translate(code, lang, **params), "code": code}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic's error list without echoing the submitted input back (it may hold a password)."""
    out = []
    for err in exc.errors():
        out.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "type": err.get("type"),
                "msg": err.get("msg"),
            }
        )
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        lang = request_language(request)
        return JSONResponse(
            error_body(exc.code, lang, **exc.params),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_language(request)
        errors = _validation_errors(exc)
        code = (
            "invalid_json" if any(e["type"] == "json_invalid" for e in errors) else "invalid_input"
        )
        body = error_body(code, lang)
        body["errors"] = errors
        status = 400 if code == "invalid_json" else 422
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = request_language(request)
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, lang), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Log the type and where, never the request body: it may hold personal text.
        log.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        lang = request_language(request)
        return JSONResponse(error_body("internal_error", lang), status_code=500)
