"""Helpers for browser tests: watched pages, viewport sizes, and members made through the API."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import ConsoleMessage, Page

from tests.factories import PASSWORD

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
