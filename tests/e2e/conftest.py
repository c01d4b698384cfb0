"""Browser fixtures: one real server with demo data and one headless Chromium per test session.

Every page opened through `open_page` is watched: console errors, uncaught exceptions, missing
translations and Content-Security-Policy violations are collected, and the test fails if any
appeared that it did not expect.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.conftest import need
from tests.e2e.browsing import DESKTOP, REPORT_CSP, OpenPage, Watched
from tests.live import LiveServer, migrate_and_seed, server_env

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    need(HAVE_CHROMIUM, "Chromium not installed")
    # Many members join from one address within minutes here; limits have their own tests.
    env = server_env(tmp_path_factory.mktemp("e2e"), RATE_LIMITS_ENABLED="false")
    migrate_and_seed(env)
    server = LiveServer(env).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    need(HAVE_CHROMIUM, "Chromium not installed")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def open_page(browser: Browser, live_server: LiveServer) -> AsyncIterator[OpenPage]:
    """Open a fresh browser profile (own cookies and storage) at a viewport size."""
    contexts: list[BrowserContext] = []
    watched: list[Watched] = []

    async def open_(viewport: dict[str, int] = DESKTOP) -> Watched:
        context = await browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="da-DK"
        )
        contexts.append(context)
        await context.add_init_script(REPORT_CSP)
        page = await context.new_page()
        w = Watched(page)
        page.on("console", w.on_console)
        page.on("pageerror", w.on_page_error)
        watched.append(w)
        return w

    yield open_
    for context in contexts:
        await context.close()
    problems = [p for w in watched for p in w.unexpected()]
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
async def page(open_page: OpenPage) -> Watched:
    return await open_page()
