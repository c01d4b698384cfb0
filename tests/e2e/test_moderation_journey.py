"""Moderation in a real browser: a member reports a post, a moderator with two-step login finds
it in the queue and removes it with a reason, the author reads the reason (signed "Moderator")
and a third member no longer sees the post anywhere."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import update

from app.accounts.models import User
from app.config import Settings
from app.db import Database
from tests.e2e.browsing import (
    OpenPage,
    api,
    create_group,
    log_in,
    new_logged_in_member,
    register_member,
    unique_handle,
    visit,
)
from tests.factories import PASSWORD
from tests.live import LiveServer

pytestmark = pytest.mark.browser

REASON = "Opslaget hænger en navngiven person ud. Skriv gerne igen uden navnet."


async def make_moderator(server: LiveServer, handle: str) -> None:
    """Roles are given by admins; here straight in the server's database."""
    data_dir = Path(server.env["DATA_DIR"])
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'samvaer.db'}",
        secret_key=server.env["SECRET_KEY"],
    )
    db = Database(settings)
    try:
        async with db.sessions() as session:
            await session.execute(
                update(User).where(User.handle == handle).values(role="moderator")
            )
            await session.commit()
    finally:
        await db.dispose()


async def turn_on_two_factor(page: Page) -> str:
    """Set up TOTP through the API for the logged-in browser; returns the secret."""
    setup = await api(page, "POST", "/api/me/2fa/setup", {"password": PASSWORD})
    secret: str = setup["secret"]
    # Confirm with the previous time step so the login that follows can use the current one.
    code = pyotp.TOTP(secret).at(time.time() - 30)
    out = await api(page, "POST", "/api/me/2fa/enable", {"code": code})
    assert len(out["recovery_codes"]) > 0
    await api(page, "POST", "/api/auth/logout")
    return secret


async def test_reported_post_is_removed_and_only_its_author_sees_why(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    author = (await open_page()).page
    reporter = (await open_page()).page
    other_watch = await open_page()
    other = other_watch.page
    # The post the third member asks for is gone (404).
    other_watch.allow.append(re.compile(r"status of 404"))
    mod_watch = await open_page()
    mod = mod_watch.page
    # Refusals the moderator meets on the way: no two-step login yet (403), no code yet (401).
    mod_watch.allow.append(re.compile(r"status of 40[13]"))
    author_handle = await new_logged_in_member(author, "forfatter")
    await new_logged_in_member(reporter, "anmelder")
    await new_logged_in_member(other, "tredje")
    slug = unique_handle("modgruppe")
    await create_group(live_server, slug=slug, name="Fællesskab", description="Om at være sammen.")
    title = "Om min nabo"
    for p in (author, reporter, other):
        await api(p, "POST", f"/api/groups/{slug}/join")
    post = await api(
        author,
        "POST",
        f"/api/groups/{slug}/posts",
        {"title": title, "body": "Min nabo Jens Hansen er et dårligt menneske."},
    )
    post_path = f"/posts/{post['id']}"

    # The reporter reports the post from its page.
    await visit(reporter, post_path)
    await reporter.get_by_role("button", name="Anmeld opslaget").click()
    panel = reporter.locator("#post-report")
    await expect(panel.get_by_role("heading", name="Anmeld opslaget")).to_be_focused()
    await panel.get_by_label("Chikane, trusler eller mobning").check()
    await panel.get_by_label("Vil du fortælle mere?").fill("Han bliver hængt ud med navn.")
    await panel.get_by_role("button", name="Send anmeldelse").click()
    await expect(reporter.get_by_role("status")).to_contain_text("Din anmeldelse er sendt")
    await expect(panel).to_have_count(0)
    await expect(reporter.get_by_role("button", name="Anmeld opslaget")).to_be_focused()

    # A moderator without two-step login is sent to set it up.
    mod_handle = unique_handle("moderator")
    await register_member(mod, mod_handle)
    await make_moderator(live_server, mod_handle)
    await log_in(mod, mod_handle)
    await visit(mod, "/")
    await mod.get_by_role("navigation").get_by_role("link", name="Moderation").click()
    await expect(mod.get_by_role("alert")).to_contain_text("totrinslogin")
    await expect(mod.get_by_role("link", name="Slå totrinslogin til under Konto")).to_be_visible()
    secret = await turn_on_two_factor(mod)

    # Logging in now asks for the code from the app.
    await visit(mod, "/login")
    await mod.get_by_label("Brugernavn").fill(mod_handle)
    await mod.get_by_label("Adgangskode").fill(PASSWORD)
    code_field = mod.get_by_label("Kode fra din godkendelses-app")
    await expect(code_field).to_be_hidden()
    await mod.get_by_role("button", name="Log ind").click()
    await expect(code_field).to_be_focused()
    await code_field.fill(pyotp.TOTP(secret).now())
    await mod.get_by_role("button", name="Log ind").click()

    # The queue shows the post, why it was reported, and never who reported it.
    await mod.get_by_role("navigation").get_by_role("link", name="Moderation").click()
    await expect(mod.get_by_role("heading", level=1)).to_have_text("Anmeldelser")
    case = mod.locator("article.mod-case", has_text=title)
    await expect(case).to_contain_text("Chikane, trusler eller mobning: 1")
    await expect(case).to_contain_text(f"@{author_handle}")
    await expect(case).to_contain_text("Jens Hansen")
    await expect(case).not_to_contain_text("anmelder")
    await case.get_by_role("button", name="Fjern opslag").click()
    reason_field = case.get_by_label("Begrundelse for at fjerne opslaget")
    await expect(reason_field).to_be_focused()  # a reason is required
    await reason_field.fill(REASON)
    await case.get_by_role("button", name="Fjern opslag").click()
    await expect(mod.get_by_role("status")).to_contain_text("Opslaget er fjernet")
    await expect(case).to_have_count(0)

    # The author reads the reason, signed "Moderator", and sees it on the post itself.
    await visit(author, "/notifications")
    notice = author.locator(".notice", has_text="Dit opslag er fjernet af en moderator.")
    await expect(notice).to_contain_text(REASON)
    await expect(notice).to_contain_text("– Moderator")
    await expect(notice).not_to_contain_text(mod_handle)
    await notice.get_by_role("link", name="Se opslaget").click()
    await expect(author.get_by_role("heading", level=1)).to_have_text(title)
    await expect(author.locator(".removed-notice")).to_contain_text(REASON)

    # A third member finds it neither in the feed nor at its address.
    await visit(other, "/feed")
    await expect(other.locator(".page-feed")).not_to_contain_text(title)
    await other.goto(f"/#{post_path}")
    await expect(other.get_by_role("heading", level=1)).not_to_have_text(title)
    await expect(other.locator("main")).not_to_contain_text("Jens Hansen")
