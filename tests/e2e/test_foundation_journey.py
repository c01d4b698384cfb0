"""A member's first visit in a real browser: join, fill in a profile, choose privacy, switch
language; by keyboard alone, on a small phone, with no script errors and no injected markup."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.e2e.browsing import (
    DESKTOP,
    PHONE,
    SMALL_PHONE,
    OpenPage,
    Watched,
    api,
    new_logged_in_member,
    unique_handle,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
GUEST_PAGES = ["/", "/login", "/register", "/hjaelp", "/findes-ikke"]
MEMBER_PAGES = ["/", "/profile", "/privacy", "/account", "/hjaelp"]
XSS = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'


async def visit(page: Page, path: str) -> None:
    """Go to a page of the app and wait until it has rendered its heading."""
    await page.goto(f"/#{path}")
    await expect(page.locator(f'main[data-path="{path}"]:not([aria-busy]) h1')).to_be_visible()


async def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls in <main> without a <label> that has text."""
    result: list[str] = await page.evaluate(
        """() => [...document.querySelectorAll("main input, main select, main textarea")]
              .filter((el) => !el.hidden && el.type !== "hidden")
              .filter((el) => ![...el.labels].some((l) => l.textContent.trim() !== ""))
              .map((el) => el.id || el.name || el.outerHTML)"""
    )
    return result


async def test_new_member_joins_chooses_privacy_and_sees_it_kept(
    page: Watched, tmp_path: Path
) -> None:
    p = page.page
    handle = unique_handle("ida")
    await visit(p, "/")
    await p.get_by_role("navigation").get_by_role("link", name="Bliv medlem").click()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Bliv medlem")

    # Join: both checkboxes are required, and a missing one is explained next to it.
    await p.get_by_label("Brugernavn").fill(handle)
    await p.get_by_label("Adgangskode").fill(PASSWORD)
    await p.get_by_label("Jeg er 18 år eller ældre").check()
    await p.get_by_role("button", name="Opret min konto").click()
    consent = p.get_by_label("Jeg har læst ovenstående", exact=False)
    await expect(p.get_by_role("alert")).to_be_visible()
    await expect(consent).to_have_attribute("aria-invalid", "true")
    await expect(consent).to_be_focused()
    # Described by what it consents to, and by what went wrong.
    await expect(consent).to_have_accessible_description(
        re.compile("kan handle om dit helbred.*kun oprette din konto")
    )
    await consent.check()
    await p.get_by_role("button", name="Opret min konto").click()

    # Registering logs in and opens the profile, which starts hidden from everyone.
    await expect(p.get_by_role("heading", level=1)).to_have_text("Min profil")
    await expect(p.get_by_role("status")).to_contain_text("Velkommen til Samvær")
    await expect(p.get_by_role("navigation").get_by_role("button", name="Log ud")).to_be_visible()
    await expect(p.get_by_text("Kan ses af: Kun mig").first).to_be_visible()

    await p.get_by_label("Navn, der vises").fill("Ida")
    await p.get_by_label("By").fill("Odense")
    await p.get_by_label("Om mig").fill("Jeg kan godt lide lange gåture.\nOg te.")
    await p.get_by_label("Dansk").check()
    await p.get_by_role("button", name="Gem profil").click()
    await expect(p.get_by_role("status")).to_have_text("Din profil er gemt.")

    await p.get_by_role("navigation").get_by_role("link", name="Privatliv").click()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Privatliv")
    await p.get_by_label("Navn, der vises").select_option("public")
    await p.get_by_label("By").select_option("members")
    await p.get_by_label("Om mig").select_option("members")
    await p.get_by_label("Alle medlemmer").check()
    await p.get_by_role("button", name="Gem indstillinger").click()
    await expect(p.get_by_role("status")).to_have_text("Dine indstillinger er gemt.")

    # Both survive a reload: they came back from the server, not from the page's memory.
    await p.reload()
    await expect(p.get_by_label("By")).to_have_value("members")
    await expect(p.get_by_label("Navn, der vises")).to_have_value("public")
    await expect(p.get_by_label("Alder")).to_have_value("nobody")
    await expect(p.get_by_label("Alle medlemmer")).to_be_checked()
    await visit(p, "/profile")
    await expect(p.get_by_label("By")).to_have_value("Odense")
    await expect(p.get_by_label("Om mig")).to_have_value("Jeg kan godt lide lange gåture.\nOg te.")
    await expect(p.get_by_label("Dansk")).to_be_checked()
    await expect(p.get_by_text("Kan ses af: Kun medlemmer").first).to_be_visible()

    # The preview shows exactly what each audience receives.
    await visit(p, "/privacy")
    card = p.locator(".preview-card")
    await p.get_by_role("button", name="Som besøgende").click()
    await expect(card).to_contain_text("Sådan ser en besøgende")
    await expect(card).to_contain_text("Ida")
    await expect(card).not_to_contain_text("Odense")
    await expect(card).not_to_contain_text("Og te.")
    await expect(card.locator(".preview-hidden")).to_contain_text("By")
    await p.get_by_role("button", name="Som medlem").click()
    await expect(card).to_contain_text("Sådan ser et andet medlem din profil")
    await expect(card).to_contain_text("Odense")
    await expect(card).to_contain_text("Og te.")
    await expect(card).to_contain_text("Ida")
    await expect(card.locator(".preview-hidden")).not_to_contain_text("By")

    await save_screenshots(p, tmp_path)

    # English, everywhere, and still after a reload; the account remembers it too.
    await p.get_by_role("button", name="English").click()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Privacy")
    await expect(p.locator("html")).to_have_attribute("lang", "en")
    await expect(p.get_by_role("link", name="Need help now?").first).to_be_visible()
    await expect(p.get_by_role("navigation").get_by_role("link", name="My profile")).to_be_visible()
    await expect(p.get_by_role("button", name="Save settings")).to_be_visible()
    await p.reload()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Privacy")
    await expect(p.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    await visit(p, "/profile")
    await expect(p.get_by_role("heading", level=1)).to_have_text("My profile")
    await expect(p.get_by_label("City")).to_have_value("Odense")
    me = await api(p, "GET", "/api/me")
    assert me["account"]["language"] == "en"

    assert page.unexpected() == []


async def save_screenshots(p: Page, tmp_path: Path) -> None:
    """The privacy page with its preview, at phone and desktop size (for the README)."""
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await p.set_viewport_size(size)
        await expect(p.locator(".preview-card")).to_be_visible()
        await p.screenshot(path=tmp_path / f"privacy-{name}.png", full_page=True)
    await p.set_viewport_size(DESKTOP)
    if os.environ.get("SAMVAER_UPDATE_SCREENSHOT"):
        shutil.copyfile(tmp_path / "privacy-desktop.png", ROOT / "docs" / "screenshot.png")


async def test_keyboard_alone_can_log_in(page: Watched) -> None:
    p = page.page
    await visit(p, "/login")
    # The first Tab reaches the skip link, which takes focus straight to the page heading.
    await p.keyboard.press("Tab")
    await expect(p.get_by_role("link", name="Gå til indhold")).to_be_focused()
    await p.keyboard.press("Enter")
    await expect(p.get_by_role("heading", level=1)).to_be_focused()

    handle = p.get_by_label("Brugernavn")
    for _ in range(20):
        await p.keyboard.press("Tab")
        if await handle.evaluate("(el) => el === document.activeElement"):
            break
    await expect(handle).to_be_focused()
    await p.keyboard.type("maja")
    await p.keyboard.press("Tab")
    await expect(p.get_by_label("Adgangskode")).to_be_focused()
    await p.keyboard.type("Et fælles skridt ad gangen")
    await p.keyboard.press("Enter")

    await expect(p.get_by_role("heading", level=1)).to_have_text("Hej, Maja")
    await expect(p.get_by_role("heading", level=1)).to_be_focused()
    await expect(p.get_by_role("navigation").get_by_role("button", name="Log ud")).to_be_visible()


async def test_wrong_password_is_explained_without_leaving_the_form(page: Watched) -> None:
    p = page.page
    # The server answers 401, which the browser itself logs; that one is expected.
    page.allow.append(re.compile(r"status of 401"))
    await visit(p, "/login")
    await p.get_by_label("Brugernavn").fill("maja")
    await p.get_by_label("Adgangskode").fill("ikke den rigtige kode")
    await p.get_by_role("button", name="Log ind").last.click()
    await expect(p.get_by_role("alert")).to_have_text(
        "Brugernavn eller adgangskode er ikke rigtig."
    )
    await expect(p.get_by_role("heading", level=1)).to_have_text("Log ind")


async def test_every_form_field_has_a_label(open_page: OpenPage) -> None:
    guest = (await open_page()).page
    for path in ("/login", "/register"):
        await visit(guest, path)
        assert await unlabelled_controls(guest) == [], path

    member = (await open_page()).page
    await new_logged_in_member(member)
    for path in ("/profile", "/privacy", "/account"):
        await visit(member, path)
        assert await unlabelled_controls(member) == [], path
        controls = member.locator("main").locator("input:visible, select:visible, textarea:visible")
        assert await controls.count() > 0
        for i in range(await controls.count()):
            await expect(controls.nth(i)).to_have_accessible_name(re.compile(r"\S"))


async def test_help_link_is_on_every_page_and_offers_livslinien(open_page: OpenPage) -> None:
    guest = (await open_page()).page
    member = (await open_page()).page
    await new_logged_in_member(member)
    for p, paths in ((guest, GUEST_PAGES), (member, MEMBER_PAGES)):
        for path in paths:
            await visit(p, path)
            await expect(
                p.get_by_role("banner").get_by_role("link", name="Brug for hjælp nu?")
            ).to_be_visible()

    await visit(guest, "/register")
    await guest.get_by_role("banner").get_by_role("link", name="Brug for hjælp nu?").click()
    await expect(guest.get_by_role("heading", level=1)).to_have_text("Brug for hjælp nu?")
    livslinien = guest.locator('main a[href="tel:+4570201201"]')
    await expect(livslinien).to_contain_text("70 201 201")
    await expect(guest.locator('main a[href="tel:112"]')).to_contain_text("112")


async def test_nothing_overflows_on_a_small_phone(open_page: OpenPage) -> None:
    guest = (await open_page(SMALL_PHONE)).page
    member = (await open_page(SMALL_PHONE)).page
    await new_logged_in_member(member)
    # Long unbroken words are the usual way member text pushes a page sideways.
    long_word = "Langtordsomikkestopperigenogigenogigen" * 2
    await api(
        member, "PATCH", "/api/me/profile", {"display_name": long_word[:60], "bio": long_word}
    )
    await api(
        member,
        "PATCH",
        "/api/me/privacy",
        {"field_visibility": {"display_name": "public", "bio": "public"}},
    )
    for p, paths in ((guest, GUEST_PAGES), (member, MEMBER_PAGES)):
        for path in paths:
            await visit(p, path)
            if path == "/privacy":
                await p.get_by_role("button", name="Som besøgende").click()
                await expect(p.locator(".preview-card")).to_be_visible()
            overflow = await p.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px too wide at 360px"


async def test_markup_in_a_bio_is_shown_as_text(page: Watched) -> None:
    p = page.page
    await new_logged_in_member(p)
    await api(p, "PATCH", "/api/me/privacy", {"field_visibility": {"bio": "members"}})
    await visit(p, "/profile")
    await p.get_by_label("Om mig").fill(XSS)
    await p.get_by_role("button", name="Gem profil").click()
    await expect(p.get_by_role("status")).to_have_text("Din profil er gemt.")

    await p.reload()
    await expect(p.get_by_label("Om mig")).to_have_value(XSS)
    await visit(p, "/privacy")
    await p.get_by_role("button", name="Som medlem").click()
    await expect(p.locator(".preview-card")).to_contain_text(XSS)
    assert await p.locator("main img, main script").count() == 0
    assert await p.evaluate("() => window.__xss") is None
    assert page.unexpected() == []


async def test_a_blocked_inline_script_would_be_noticed(page: Watched) -> None:
    """The CSP watcher works: our policy blocks inline script, and the test sees it."""
    p = page.page
    page.allow.append(re.compile("CSP violation|Content Security Policy"))
    await visit(p, "/")
    await p.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__inline = 1";
            document.body.append(s);
        }"""
    )
    for _ in range(50):
        if any("CSP violation" in problem for problem in page.problems):
            break
        await asyncio.sleep(0.1)
    assert any("CSP violation" in problem for problem in page.problems), page.problems
    assert await p.evaluate("() => window.__inline") is None


async def test_an_expired_access_token_is_renewed_quietly(page: Watched) -> None:
    p = page.page
    page.allow.append(re.compile(r"status of 401"))
    handle = await new_logged_in_member(p)
    await p.context.clear_cookies(name="samvaer_access")
    await visit(p, "/account")
    await expect(p.get_by_role("heading", level=1)).to_have_text("Konto")
    await expect(p.locator(".summary")).to_contain_text(handle)
    names = {c["name"] for c in await p.context.cookies()}
    assert "samvaer_access" in names


async def test_logging_out_returns_to_the_front_page_as_a_guest(page: Watched) -> None:
    p = page.page
    await new_logged_in_member(p)
    await visit(p, "/profile")
    await p.get_by_role("navigation").get_by_role("button", name="Log ud").click()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Velkommen til Samvær")
    await expect(p.get_by_role("status")).to_contain_text("Du er logget ud")
    await p.goto("/#/profile")
    await expect(p.get_by_role("heading", level=1)).to_have_text("Log ind")


async def test_account_page_changes_password_hands_over_data_and_deletes(page: Watched) -> None:
    p = page.page
    handle = await new_logged_in_member(p)
    await visit(p, "/account")
    new_password = "blå cykel under pæretræet"
    await p.get_by_label("Nuværende adgangskode").fill(PASSWORD)
    await p.get_by_label("Ny adgangskode").fill(new_password)
    await p.get_by_role("button", name="Skift adgangskode").click()
    await expect(p.get_by_role("status")).to_contain_text("Din adgangskode er skiftet")

    async with p.expect_download() as download_info:
        await p.get_by_role("button", name="Hent mine data").click()
    download = await download_info.value
    assert download.suggested_filename == f"samvaer-{handle}.json"
    saved = Path(await download.path())
    exported = json.loads(await asyncio.to_thread(saved.read_text, encoding="utf-8"))
    assert exported["account"]["handle"] == handle
    assert exported["privacy"]["field_visibility"]["city"] == "nobody"

    # Deleting needs the password and a tick; without the tick nothing happens.
    await p.get_by_label("Din adgangskode").fill(new_password)
    await p.get_by_role("button", name="Slet min konto").click()
    await expect(p.get_by_label("Ja, jeg vil slette min konto")).to_have_attribute(
        "aria-invalid", "true"
    )
    await p.get_by_label("Ja, jeg vil slette min konto").check()
    await p.get_by_role("button", name="Slet min konto").click()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Velkommen til Samvær")
    await expect(p.get_by_role("status")).to_contain_text("Din konto er slettet")
    r = await p.request.post("/api/auth/login", data={"handle": handle, "password": new_password})
    assert r.status == 401


async def test_switching_language_keeps_what_was_typed(page: Watched) -> None:
    p = page.page
    await visit(p, "/register")
    await p.get_by_label("Brugernavn").fill("halvfærdig")
    await p.get_by_label("Jeg er 18 år eller ældre").check()
    await p.get_by_role("button", name="English").click()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Join Samvær")
    await expect(p.get_by_label("Handle")).to_have_value("halvfærdig")
    await expect(p.get_by_label("I am 18 or older")).to_be_checked()
    # A guest's choice stays on this device.
    await p.reload()
    await expect(p.get_by_role("heading", level=1)).to_have_text("Join Samvær")
