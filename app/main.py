"""Application factory: the lifespan builds the database, hub and limiter; routers under /api."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, WebSocket
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from app import hot_reads
from app.accounts.router import router as accounts_router
from app.chat.router import router as chat_router
from app.chat.runtime import ChatRuntime
from app.chat.ws import CHAT_SOCKET_PATH, chat_socket
from app.config import Settings, get_settings
from app.db import Database
from app.deps import SESSION_KEY
from app.errors import AppError, install_error_handlers
from app.groups.router import router as groups_router
from app.hot_reads import HOT_READS, HotRead
from app.middleware import SecurityMiddleware
from app.moderation.router import router as moderation_router
from app.notifications.router import router as notifications_router
from app.posts.router import router as posts_router
from app.profiles.router import router as profiles_router
from app.ratelimit import RateLimiter
from app.realtime.backends import backend_for
from app.realtime.hub import Hub
from app.safety.personal_router import router as personal_safety_router
from app.safety.router import router as safety_router

MAX_BODY_BYTES = 64 * 1024
# A full garbage collection after this many collections of the middle generation (default 10).
FULL_COLLECTION_EVERY = 1000
FRONTEND_DIR = Path(__file__).resolve().parent.parent / "frontend"

log = logging.getLogger("samvaer")

# Routers are tried in this order and no two share a path, so the order only decides how many
# routes a request is matched against before its own: the most requested go first (every open
# tab polls the notification count; profiles, chat and feeds are what members mostly read).
API_ROUTERS = (
    notifications_router,
    profiles_router,
    chat_router,
    posts_router,
    groups_router,
    safety_router,
    personal_safety_router,
    accounts_router,
    moderation_router,
)


class Samvaer(FastAPI):
    """FastAPI, with the chat socket answered ahead of the middleware and the routing, and
    each request's database session closed once its response is out.

    The busiest reads are answered ahead of the stack too, when they are the plain case
    (app.hot_reads); `hot_reads` is empty to send every request through FastAPI.

    None of the HTTP middleware applies to a socket (it checks its own Origin and
    authenticates itself), yet passing the stack and FastAPI's routing cost about a sixth of
    every handshake, and each frame sent then went through the stack's wrappers of `send`.
    """

    hot_reads: tuple[HotRead, ...] = HOT_READS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == CHAT_SOCKET_PATH:
            scope["app"] = self
            await chat_socket(WebSocket(scope, receive, send))
            return
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and self.hot_reads
            and await hot_reads.answer(
                self.hot_reads, self.state.db, self.state.settings, scope, send
            )
        ):
            return
        try:
            await super().__call__(scope, receive, send)
        finally:
            # The request's database session, if it used one (app.deps.get_session).
            session = scope.pop(SESSION_KEY, None)
            if session is not None:
                await session.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings)
        app.state.hub = Hub(backend_for(settings.redis_url))
        app.state.limiter = RateLimiter(settings)
        await app.state.hub.start()
        app.state.chat = ChatRuntime(settings, app.state.db, app.state.hub)
        await app.state.chat.start()
        # A full collection walks every live object (hundreds per open socket) and stalled
        # all sockets for 70-200 ms under load. What is built by now lives as long as the
        # app, so it is left out of them, and they run a hundred times less often; young
        # garbage is still collected as usual.
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
        try:
            yield
        finally:
            gc.unfreeze()
            await app.state.chat.stop()
            await app.state.hub.stop()
            await app.state.db.dispose()

    app = Samvaer(
        title="Samvær",
        version="0.1.0",
        description="Peer-support community API. Errors are JSON {detail, code}.",
        lifespan=lifespan,
        # Nothing here uses OpenTelemetry; without this FastAPI asks its providers per request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Every member-sent JSON body is small; refuse anything larger before parsing it.
    app.add_middleware(
        SecurityMiddleware,
        allowed_origins=settings.allowed_origins,
        max_body_bytes=MAX_BODY_BYTES,
    )

    # Before the API routers: load balancers ask for it all the time, and routes are tried in order.
    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness and readiness: the database answers."""
        try:
            async with app.state.db.read_sessions() as session:
                await (await session.connection()).exec_driver_sql("SELECT 1")
        except Exception as exc:
            log.warning("health check failed: %s", type(exc).__name__)
            raise AppError("database_unavailable", 503) from None
        return {"status": "ok"}

    for router in API_ROUTERS:
        app.include_router(router, prefix="/api")

    if FRONTEND_DIR.is_dir():
        app.mount("/", StaticFiles(directory=FRONTEND_DIR, html=True), name="frontend")
    return app
