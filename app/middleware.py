"""Pure ASGI middleware: security headers on every response; on writes, an Origin check and a
limit on the body's size."""

from __future__ import annotations

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_body
from app.i18n import pick_language

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SecurityMiddleware:
    """Adds headers; refuses browser writes whose Origin is not ours (CSRF defence in depth),
    and bodies over `max_body_bytes`.

    The size limit is here rather than FastAPI's `max_body_size`, which wraps every route,
    reads included, in two more layers: on a small read they cost about a tenth of it.
    """

    def __init__(self, app: ASGIApp, allowed_origins: list[str], max_body_bytes: int) -> None:
        self.app = app
        self.allowed = frozenset(o.encode() for o in allowed_origins)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS:
            origin = None
            lang = None
            length = b""
            for k, v in scope["headers"]:
                if k == b"origin":
                    origin = v
                elif k == b"accept-language":
                    lang = v.decode("latin-1")
                elif k == b"content-length":
                    length = v
            if origin is not None and origin not in self.allowed and not _same_host(scope, origin):
                await _reject(send, pick_language(lang), "origin_refused", 403)
                return
            if length.isdigit() and int(length) > self.max_body_bytes:
                await _reject(send, pick_language(lang), "too_large", 413)
                return
            receive = _limited(receive, self.max_body_bytes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _same_host(scope: Scope, origin: bytes) -> bool:
    host = next((v for k, v in scope["headers"] if k == b"host"), None)
    if host is None:
        return False
    return origin.split(b"://", 1)[-1] == host


def _limited(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing a body (one without a Content-Length, say) once it passes `limit`."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413)
        return message

    return limited


async def _reject(send: Send, lang: str, code: str, status: int) -> None:
    body = orjson.dumps(error_body(code, lang))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})
