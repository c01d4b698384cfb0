"""Command line: migrate, seed demo data, create an admin, grant roles.

python -m app.cli migrate
python -m app.cli seed            # only when the database has no members yet
python -m app.cli create-admin HANDLE   (password read from SAMVAER_PASSWORD or a prompt)
python -m app.cli grant-role HANDLE ROLE
python -m app.cli serve [--host H] [--port P] [--workers N] [--proxy-headers]
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from app.accounts import service as accounts
from app.accounts.models import Role
from app.config import get_settings
from app.db import Database
from app.errors import AppError
from app.i18n import translate
from app.seed import DEMO_MEMBERS, DEMO_PASSWORD, is_empty, seed_demo

ROOT = Path(__file__).resolve().parent.parent


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    command.upgrade(cfg, "head")


async def _seed() -> int:
    settings = get_settings()
    db = Database(settings)
    try:
        async with db.sessions() as session:
            if await is_empty(session):
                await seed_demo(session, settings)
            present = [m for m in DEMO_MEMBERS if await accounts.get_by_handle(session, m.handle)]
    finally:
        await db.dispose()
    if not present:
        print("The database has members of its own; no demo data was added.")
        return 0
    print(f"Demo members (password for all: {DEMO_PASSWORD!r}):")
    for m in present:
        print(f"  {m.handle:<14} {m.role.value}")
    print("Moderator tools ask the moderator and admin to set up two-step login first.")
    return 0


async def _create_admin(handle: str) -> int:
    password = os.environ.get("SAMVAER_PASSWORD") or getpass.getpass("Password: ")
    settings = get_settings()
    db = Database(settings)
    try:
        async with db.sessions() as session:
            await accounts.register(
                session,
                settings,
                handle=handle,
                password=password,
                email=None,
                language="da",
                role=Role.admin,
            )
    finally:
        await db.dispose()
    print(f"Admin {handle} created.")
    return 0


async def _grant_role(handle: str, role: str) -> int:
    settings = get_settings()
    db = Database(settings)
    try:
        async with db.sessions() as session:
            await accounts.set_role(session, handle=handle, role=Role(role))
    finally:
        await db.dispose()
    print(f"{handle} is now {role}.")
    return 0


def serve(host: str, port: int, workers: int, proxy_headers: bool) -> None:
    """uvicorn with the settings Samvær is measured and run with, in one place.

    asyncio's own event loop, not uvloop: under load uvloop left some keep-alive connections
    waiting about a second (p99 0.8-1.3 s at 64 connections against 75 ms), while chat was no
    faster with it. A websocket protocol that pauses reading only when the app falls behind
    (app.realtime.websocket_protocol). No access log (it cost about a fifth of a small
    request's time and would log paths with handles); no per-message deflate (memory per
    socket); frames up to 64 KiB.
    """
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="asyncio",
        access_log=False,
        log_level=os.environ.get("LOG_LEVEL", "info"),
        ws="app.realtime.websocket_protocol:ChatWebSocketsProtocol",
        ws_per_message_deflate=False,
        ws_max_size=64 * 1024,
        proxy_headers=proxy_headers,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="samvaer", description="Samvær administration")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed", help="add demo data if the database is empty")
    p = sub.add_parser("create-admin", help="create an admin account")
    p.add_argument("handle")
    p = sub.add_parser("grant-role", help="give a member a role")
    p.add_argument("handle")
    p.add_argument("role", choices=[r.value for r in Role])
    p = sub.add_parser("serve", help="run the web server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-* headers")
    args = parser.parse_args(argv)
    try:
        if args.command == "migrate":
            migrate()
            return 0
        if args.command == "seed":
            return asyncio.run(_seed())
        if args.command == "serve":
            serve(args.host, args.port, args.workers, args.proxy_headers)
            return 0
        if args.command == "create-admin":
            return asyncio.run(_create_admin(args.handle))
        return asyncio.run(_grant_role(args.handle, args.role))
    except AppError as exc:
        print(translate(exc.code, "en", **exc.params), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
