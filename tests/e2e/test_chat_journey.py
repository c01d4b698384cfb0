"""Two members chat in real browsers: a request shown folded until read, accepted, then live
both ways with typing shown; a message sent while one of them is away arrives exactly once when
they come back; a send that failed offline is retried without a duplicate."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.e2e.browsing import SMALL_PHONE, OpenPage, Watched, api, new_logged_in_member

pytestmark = pytest.mark.browser

# Going offline on purpose makes the browser report the connections it could not make.
OFFLINE_NOISE = [
    re.compile(r"WebSocket connection to .* failed"),
    re.compile(r"net::ERR_INTERNET_DISCONNECTED"),
]


async def visit(page: Page, path: str) -> None:
    """Go to a page of the app and wait until it has rendered its heading."""
    await page.goto(f"/#{path}")
    route = path.split("?")[0]
    await expect(page.locator(f'main[data-path="{route}"]:not([aria-busy]) h1')).to_be_visible()


async def live(page: Page) -> None:
    """Wait until the page's socket is connected and has caught up."""
    await expect(page.locator(".connection")).to_have_attribute("data-status", "online")


async def watched_page(context: BrowserContext) -> Watched:
    """Another tab in a member's browser, watched for errors like the fixture's pages."""
    page = await context.new_page()
    w = Watched(page)
    page.on("console", w.on_console)
    page.on("pageerror", w.on_page_error)
    return w


async def two_members(open_page: OpenPage, **viewport: Any) -> tuple[Watched, str, Watched, str]:
    """Anna and Bo, each in their own browser; Bo takes messages from every member."""
    a, b = await open_page(**viewport), await open_page(**viewport)
    anna = await new_logged_in_member(a.page, "anna")
    bo = await new_logged_in_member(b.page, "bo")
    await api(b.page, "PATCH", "/api/me/privacy", {"who_can_message": "everyone"})
    return a, anna, b, bo


async def chatting(a: Page, bo: str, b: Page) -> int:
    """A conversation Anna asked for and Bo accepted, set up through the API."""
    conv = await api(a, "POST", "/api/conversations", {"handle": bo, "body": "Hej Bo"})
    await api(b, "POST", f"/api/conversations/{conv['id']}/accept")
    conversation_id: int = conv["id"]
    return conversation_id


async def bodies(page: Page, conversation_id: int) -> list[str]:
    history = await api(page, "GET", f"/api/conversations/{conversation_id}/messages?limit=100")
    return [m["body"] for m in history["messages"]]


async def test_request_is_accepted_and_both_chat_live_and_nothing_is_missed(
    open_page: OpenPage,
) -> None:
    a, anna, b, bo = await two_members(open_page)
    for w in (a, b):
        await api(w.page, "PATCH", "/api/me/privacy", {"read_receipts": True})
    pa, pb = a.page, b.page
    await visit(pb, "/chat")
    await live(pb)
    await expect(pb.get_by_text("Du har ingen samtaler endnu")).to_be_visible()

    # Anna writes to Bo by his handle; her first message is a request.
    await visit(pa, f"/chat/new?to={bo}")
    await expect(pa.get_by_role("heading", level=1)).to_have_text(f"Skriv til @{bo}")
    await expect(pa.get_by_label("Medlemmets brugernavn")).to_have_value(bo)
    first = "Hej Bo. Jeg så dit opslag om at gå ture, må jeg skrive lidt med dig?"
    await pa.get_by_label("Din første besked").fill(first)
    await expect(pa.get_by_text(f"{len(first)} af 4000 tegn")).to_be_visible()
    await pa.get_by_role("button", name="Send anmodning").click()
    await expect(pa.get_by_role("heading", level=1)).to_have_text(f"Samtale med @{bo}")
    await expect(pa.get_by_text(f"Din anmodning venter på svar fra @{bo}")).to_be_visible()
    await expect(pa.get_by_label("Din besked")).to_have_count(0)

    # Bo's open list shows the request as it arrives, its text folded until he asks for it.
    card = pb.locator(".request-card")
    await expect(card).to_contain_text(f"@{anna} vil gerne skrive med dig")
    await expect(card.get_by_text(first)).to_be_hidden()
    show = card.get_by_role("button", name="Vis beskeden")
    await expect(show).to_have_attribute("aria-expanded", "false")
    await show.click()
    await expect(card.get_by_text(first)).to_be_visible()
    await expect(card.get_by_role("button", name="Skjul beskeden")).to_have_attribute(
        "aria-expanded", "true"
    )
    await card.get_by_role("button", name="Accepter").click()
    await expect(pb.get_by_role("heading", level=1)).to_have_text(f"Samtale med @{anna}")
    await expect(pb.get_by_role("heading", level=1)).to_be_focused()
    await live(pb)
    await expect(pb.locator(".message-theirs .message-body")).to_have_text([first])

    # Anna's page hears of the answer and opens the conversation for writing.
    await expect(pa.get_by_label("Din besked")).to_be_visible()
    await live(pa)

    # Bo types: Anna sees it, then the message, live.
    box_b = pb.get_by_label("Din besked")
    await box_b.press_sequentially("Hej Anna, ", delay=30)
    await expect(pa.get_by_text(f"@{bo} skriver…")).to_be_visible()
    await box_b.press_sequentially("selvfølgelig.", delay=10)
    await box_b.press("Enter")
    reply = "Hej Anna, selvfølgelig."
    await expect(pa.locator(".message-theirs .message-body")).to_have_text([reply])
    await expect(pa.get_by_text(f"@{bo} skriver…")).to_be_hidden()
    await expect(box_b).to_have_value("")
    await expect(box_b).to_be_focused()

    # Anna answers on two lines (Shift+Enter); Bo sees it live, and Anna sees it read.
    box_a = pa.get_by_label("Din besked")
    await box_a.press_sequentially("Hvor dejligt.", delay=10)
    await box_a.press("Shift+Enter")
    await box_a.press_sequentially("Går du tit ved åen?", delay=10)
    await pa.get_by_role("button", name="Send", exact=True).click()
    answer = "Hvor dejligt.\nGår du tit ved åen?"
    await expect(pb.locator(".message-theirs .message-body").last).to_have_text(answer)
    mine = pa.locator(".message-mine")
    await expect(mine.last.locator(".message-body")).to_have_text(answer)
    await expect(mine.last.locator(".message-state")).to_have_text("Læst")

    # Bo closes his page; Anna writes while he is away.
    await pb.close()
    away = "Skriv bare, når du har lyst. Jeg er her i aften."
    await box_a.fill(away)
    await box_a.press("Enter")
    await expect(pa.locator(".message-mine .message-body").last).to_have_text(away)
    await expect(pa.locator(".message-pending")).to_have_count(0)

    # Bo comes back in a new tab: the list shows it unread, the conversation shows it once.
    back = await watched_page(pb.context)
    pb2 = back.page
    await visit(pb2, "/chat")
    await live(pb2)
    item = pb2.locator(".conversation-item", has_text=f"@{anna}")
    await expect(item.locator(".badge-unread")).to_have_text("1 ulæst")
    await expect(item.locator(".conversation-preview")).to_have_text(away)
    await item.get_by_role("link").click()
    await expect(pb2.get_by_role("heading", level=1)).to_have_text(f"Samtale med @{anna}")
    await live(pb2)
    await expect(pb2.locator(".message-body")).to_have_text([first, reply, answer, away])
    # Reading it there clears the badge. The read mark travels over the socket; wait until the
    # server has it, so the list below is not racing it on a busy machine.
    conv_b = int(re.sub(r"\D", "", pb2.url.split("/chat/")[1]))
    for _ in range(50):
        listing = await api(pb2, "GET", "/api/conversations")
        if all(c["unread"] == 0 for c in listing["conversations"] if c["id"] == conv_b):
            break
        await asyncio.sleep(0.2)
    await visit(pb2, "/chat")
    await expect(pb2.locator(".conversation-item", has_text=f"@{anna}")).to_be_visible()
    await expect(pb2.locator(".badge-unread")).to_have_count(0)

    # Anna's page says the same, and the server holds each message once.
    conv_id = int(re.sub(r"\D", "", pa.url.split("/chat/")[1]))
    assert await bodies(pa, conv_id) == [first, reply, answer, away]
    assert back.unexpected() == []


async def test_a_send_that_failed_offline_is_retried_once(open_page: OpenPage) -> None:
    a, _, b, bo = await two_members(open_page)
    pa, pb = a.page, b.page
    a.allow.extend(OFFLINE_NOISE)
    conv_id = await chatting(pa, bo, pb)
    await visit(pb, f"/chat/{conv_id}")
    await live(pb)
    await visit(pa, f"/chat/{conv_id}")
    await live(pa)

    await pa.context.set_offline(True)
    await expect(pa.locator(".connection")).to_have_attribute("data-status", "offline")
    await expect(pa.locator(".connection")).to_have_text(re.compile("Ingen forbindelse"))
    text = "Den her skrev jeg uden net."
    await pa.get_by_label("Din besked").fill(text)
    await pa.get_by_label("Din besked").press("Enter")
    failed = pa.locator(".message-failed")
    await expect(failed).to_contain_text(text)
    await expect(failed).to_contain_text("Ikke sendt.")
    await expect(pb.get_by_text(text)).to_have_count(0)
    # Meanwhile Bo writes; Anna's tab catches up when it reconnects.
    await pb.get_by_label("Din besked").fill("Er du der?")
    await pb.get_by_label("Din besked").press("Enter")
    await expect(pb.locator(".message-mine .message-body")).to_have_text(["Er du der?"])

    await pa.context.set_offline(False)
    await live(pa)
    await expect(pa.locator(".message-theirs .message-body")).to_have_text(["Er du der?"])
    # Nothing goes out by itself: the member decides to send it again.
    await expect(failed).to_have_count(1)
    await failed.get_by_role("button", name="Prøv igen").click()
    await expect(pa.locator(".message-failed, .message-pending")).to_have_count(0)
    await expect(pa.locator(".message-mine .message-body").last).to_have_text(text)
    await expect(pb.locator(".message-body")).to_have_text(["Hej Bo", "Er du der?", text])
    assert await bodies(pb, conv_id) == ["Hej Bo", "Er du der?", text]
    # Focus did not get lost with the retry button.
    await expect(pa.get_by_label("Din besked")).to_be_focused()


async def test_member_who_cannot_be_written_to_is_explained_in_plain_words(
    open_page: OpenPage,
) -> None:
    a = await open_page()
    c = await open_page()
    await new_logged_in_member(a.page, "anna")
    # New members take messages only from members they share a group with.
    carl = await new_logged_in_member(c.page, "carl")
    a.allow.append(re.compile(r"status of 403"))
    pa = a.page
    await visit(pa, "/chat/new")
    await pa.get_by_label("Medlemmets brugernavn").fill(carl)
    await pa.get_by_role("button", name="Send anmodning").click()
    await expect(pa.get_by_label("Din første besked")).to_have_attribute("aria-invalid", "true")
    await expect(pa.get_by_label("Din første besked")).to_be_focused()
    await pa.get_by_label("Din første besked").fill("Hej Carl")
    await pa.get_by_role("button", name="Send anmodning").click()
    await expect(pa.get_by_role("alert")).to_contain_text(
        f"@{carl} modtager ikke beskeder fra dig lige nu"
    )
    await expect(pa.get_by_role("alert")).to_contain_text("Det er ikke noget, du har gjort forkert")
    await expect(pa.get_by_role("heading", level=1)).to_have_text("Skriv til et medlem")
    await expect(pa.get_by_label("Din første besked")).to_have_value("Hej Carl")


async def test_markup_in_a_message_is_text_and_chat_fits_a_small_phone(
    open_page: OpenPage,
) -> None:
    a, anna, b, bo = await two_members(open_page, viewport=SMALL_PHONE)
    pa, pb = a.page, b.page
    conv_id = await chatting(pa, bo, pb)
    xss = '<img src=x onerror="window.__xss = 1"><b>fed</b>'
    long_word = "Langtordsomikkestopperigenogigenogigen" * 3
    await api(
        pa, "POST", f"/api/conversations/{conv_id}/messages", {"client_id": "x1", "body": xss}
    )
    await api(
        pa, "POST", f"/api/conversations/{conv_id}/messages", {"client_id": "x2", "body": long_word}
    )
    for path in ("/chat", f"/chat/{conv_id}", f"/chat/new?to={anna}"):
        await visit(pb, path)
        await expect(
            pb.get_by_role("banner").get_by_role("link", name="Brug for hjælp nu?")
        ).to_be_visible()
        overflow = await pb.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px too wide at 360px"
        unlabelled = await pb.evaluate(
            """() => [...document.querySelectorAll("main input, main textarea")]
                .filter((el) => ![...el.labels].some((l) => l.textContent.trim() !== ""))
                .map((el) => el.id)"""
        )
        assert unlabelled == [], path
    await visit(pb, f"/chat/{conv_id}")
    await expect(pb.locator(".message-theirs .message-body")).to_have_text(
        ["Hej Bo", xss, long_word]
    )
    assert await pb.locator("main img, main b").count() == 0
    assert await pb.evaluate("() => window.__xss") is None


async def test_a_request_can_be_reported_and_declined_and_the_sender_only_sees_not_accepted(
    open_page: OpenPage,
) -> None:
    a, anna, b, bo = await two_members(open_page)
    pa, pb = a.page, b.page
    text = "Køb billige piller hos mig, skriv tilbage"
    await api(pa, "POST", "/api/conversations", {"handle": bo, "body": text})
    await visit(pb, "/chat")
    card = pb.locator(".request-card")
    await expect(card.get_by_text(text)).to_be_hidden()

    # Reporting asks why, shows what is reported, and returns focus to where it started.
    await card.get_by_role("button", name="Anmeld").click()
    panel = pb.locator(".report-panel")
    await expect(
        panel.get_by_role("heading", name=f"Anmeld anmodningen fra @{anna}")
    ).to_be_focused()
    await expect(panel.locator(".report-quote")).to_have_text(text)
    await panel.get_by_role("button", name="Send anmeldelse").click()
    await expect(panel.get_by_text("Vælg det, der passer bedst.")).to_be_visible()
    await expect(panel.get_by_label("Chikane, trusler eller mobning")).to_be_focused()
    await panel.get_by_label("Spam eller reklame").check()
    await panel.get_by_role("button", name="Send anmeldelse").click()
    await expect(pb.locator(".banner-success")).to_contain_text("Din anmeldelse er sendt")
    await expect(panel).to_have_count(0)
    await expect(card.get_by_role("button", name="Anmeld")).to_be_focused()

    await card.get_by_role("button", name="Afvis", exact=True).click()
    await expect(pb.locator(".banner-success")).to_have_text(f"Anmodningen fra @{anna} er afvist.")
    await expect(pb.locator(".request-card")).to_have_count(0)

    # Anna learns only that it was not accepted, never when or why.
    await visit(pa, "/chat")
    item = pa.locator(".conversation-item", has_text=f"@{bo}")
    await expect(item.locator(".conversation-preview")).to_have_text("Ikke accepteret")
    await item.get_by_role("link").click()
    await expect(pa.get_by_text("Din anmodning blev ikke accepteret.")).to_be_visible()
    await expect(pa.get_by_label("Din besked")).to_have_count(0)


async def test_an_expired_login_is_renewed_and_the_chat_reconnects(open_page: OpenPage) -> None:
    a = await open_page()
    pa = a.page
    a.allow.extend([*OFFLINE_NOISE, re.compile(r"status of 401")])
    await new_logged_in_member(pa, "anna")
    await visit(pa, "/chat")
    await live(pa)
    # The short-lived access cookie is gone when the socket next connects: it is refused with
    # 4401, the login is renewed quietly, and the socket comes back.
    await pa.context.clear_cookies(name="samvaer_access")
    await pa.context.set_offline(True)
    await expect(pa.locator(".connection")).to_have_attribute("data-status", "offline")
    await pa.context.set_offline(False)
    await live(pa)
    await expect(pa.get_by_role("heading", level=1)).to_have_text("Beskeder")
    assert "samvaer_access" in {c["name"] for c in await pa.context.cookies()}


async def test_a_session_ended_elsewhere_closes_the_chat_and_asks_to_log_in(
    open_page: OpenPage,
) -> None:
    a = await open_page()
    pa = a.page
    a.allow.append(re.compile(r"status of 401"))
    await new_logged_in_member(pa, "anna")
    await visit(pa, "/chat")
    await live(pa)
    await api(pa, "POST", "/api/auth/logout")
    await expect(pa.get_by_role("heading", level=1)).to_have_text("Log ind")
    await expect(pa.locator(".banner-success")).to_have_text(
        "Du er blevet logget ud. Log ind igen for at fortsætte."
    )
