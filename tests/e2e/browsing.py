"""Helpers for browser tests: watched pages, viewport sizes, members made through the API, and
groups put straight into the database."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import ConsoleMessage, Page, expect
from sqlalchemy import select

from app.accounts.models import User
from app.config import Settings
from app.db import Database
from app.groups.models import Category, Group, GroupMembership
from tests.factories import PASSWORD
from tests.live import LiveServer

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}

# Runs in every document before the app: CSP violations become console errors we can see.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""

_handles = itertools.count(1)


@dataclass
class Watched:
    """A page and everything worrying it printed; `allow` lists patterns a test expects."""

    page: Page
    problems: list[str] = field(default_factory=list)
    allow: list[re.Pattern[str]] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or "missing translation" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"uncaught: {error}")

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self.allow)]


OpenPage = Callable[..., Awaitable[Watched]]


def unique_handle(prefix: str = "gæst") -> str:
    return f"{prefix}{next(_handles)}"


async def register_member(page: Page, handle: str, password: str = PASSWORD) -> None:
    """Create a member through the API (fast); the browser's tests of the form are separate."""
    r = await page.request.post(
        "/api/auth/register",
        data={"handle": handle, "password": password, "consent": True, "is_adult": True},
    )
    assert r.status == 201, await r.text()


async def log_in(page: Page, handle: str, password: str = PASSWORD) -> None:
    """Log this browser profile in: the cookies land in the same jar the page uses."""
    r = await page.request.post("/api/auth/login", data={"handle": handle, "password": password})
    assert r.ok, await r.text()


async def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the API as the logged-in browser would, CSRF header included."""
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    r = await page.request.fetch(
        path,
        method=method,
        data=body,
        headers={"X-CSRF-Token": cookies.get("samvaer_csrf", "")},
    )
    assert r.ok, await r.text()
    return await r.json() if r.status != 204 else None


async def new_logged_in_member(page: Page, prefix: str = "gæst") -> str:
    handle = unique_handle(prefix)
    await register_member(page, handle)
    await log_in(page, handle)
    return handle


async def visit(page: Page, path: str) -> None:
    """Go to a page of the app and wait until it has rendered its heading."""
    await page.goto(f"/#{path}")
    await expect(page.locator(f'main[data-path="{path}"]:not([aria-busy]) h1')).to_be_visible()


async def create_group(
    server: LiveServer,
    *,
    slug: str,
    name: str,
    description: str = "",
    rules: str = "",
    kind: str = "open",
    category: str = "ensomhed",
    moderators: tuple[str, ...] = (),
) -> None:
    """Put a group (and its moderators, by handle) straight into the server's database: groups
    are made by admins, not through the API."""
    data_dir = Path(server.env["DATA_DIR"])
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'samvaer.db'}",
        secret_key=server.env["SECRET_KEY"],
    )
    db = Database(settings)
    try:
        async with db.sessions() as session:
            category_id = await session.scalar(select(Category.id).where(Category.slug == category))
            assert category_id is not None, category
            group = Group(
                slug=slug,
                category_id=category_id,
                name_da=name,
                name_en=name,
                description_da=description,
                description_en=description,
                rules_da=rules,
                rules_en=rules,
                kind=kind,
                member_count=len(moderators),
            )
            session.add(group)
            await session.flush()
            for handle in moderators:
                user_id = await session.scalar(select(User.id).where(User.handle == handle))
                assert user_id is not None, handle
                session.add(GroupMembership(group_id=group.id, user_id=user_id, role="moderator"))
            await session.commit()
    finally:
        await db.dispose()
