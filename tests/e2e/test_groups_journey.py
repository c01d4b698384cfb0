"""Subgroups in a real browser: finding a group, joining, writing with a content warning, a
second member opening the folded post, reacting and commenting, and the first member hearing
about it through the bell; anonymity, editing, feeds and small screens too."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.browsing import (
    SMALL_PHONE,
    OpenPage,
    api,
    create_group,
    new_logged_in_member,
    visit,
)
from tests.live import LiveServer

pytestmark = pytest.mark.browser

SORG = "/groups/sorg-og-tab"


def heading(p: Page) -> Locator:
    return p.get_by_role("heading", level=1)


async def test_two_members_meet_in_sorg_og_tab(open_page: OpenPage) -> None:
    a = (await open_page()).page
    b = (await open_page()).page
    await new_logged_in_member(a, "ane")
    handle_b = await new_logged_in_member(b, "bo")
    title = "Den første jul uden mor"
    body = "Jeg savner hende hver dag.\nIsær om aftenen.\n\nDet hjalp at læse https://www.livslinien.dk."

    # A finds the group: first by category, then by a word from its description.
    await visit(a, "/")
    await a.get_by_role("navigation").get_by_role("link", name="Grupper").click()
    await expect(a.get_by_role("heading", level=1)).to_have_text("Grupper")
    cards = a.locator(".group-card")
    assert await cards.count() >= 12
    await a.get_by_label("Kategori").select_option("sorg-og-tab")
    await a.get_by_role("button", name="Vis grupper").click()
    await expect(a.locator(".results-status")).to_have_text("Viser 1 gruppe.")
    await expect(cards).to_have_count(1)
    await a.get_by_label("Kategori").select_option("")
    await a.get_by_label("Søg efter ord").fill("MISTET nogen")
    await a.get_by_role("button", name="Vis grupper").click()
    await expect(cards).to_have_count(1)
    # Results change in place: focus stays where the member was.
    await expect(a.get_by_role("button", name="Vis grupper")).to_be_focused()
    await cards.get_by_role("link", name="Sorg og tab").click()

    # The group: what it is for and its rules; joining brings the composer.
    await expect(a.get_by_role("heading", level=1)).to_have_text("Sorg og tab")
    await expect(a.locator(".group-description")).to_have_text(
        "For dig, der har mistet nogen eller noget."
    )
    await expect(a.locator(".rules")).to_contain_text("Vær venlig.")
    await expect(a.get_by_role("heading", name="Skriv et opslag")).to_have_count(0)
    await a.get_by_role("button", name="Bliv medlem").click()
    await expect(a.locator(".membership-status")).to_have_text(
        "Velkommen i Sorg og tab. Du er nu medlem."
    )
    await expect(a.locator(".membership-status")).to_be_focused()
    await expect(a.get_by_role("heading", name="Skriv et opslag")).to_be_visible()

    await a.get_by_label("Overskrift").fill(title)
    await a.get_by_label("Tekst", exact=True).fill(body)
    await a.get_by_label("Emne").select_option("sorg")
    await a.get_by_label("Kort beskrivelse").fill("om at miste sin mor")
    anonymous = a.get_by_label("Skriv som «Anonymt medlem»")
    await expect(anonymous).to_have_accessible_description(
        re.compile("Kun moderatorerne kan se, at det er dig")
    )
    await a.get_by_role("button", name="Del opslaget").click()
    await expect(a.locator(".post-composer").get_by_role("status")).to_have_text(
        "Dit opslag er delt."
    )
    await expect(a.get_by_role("link", name=title)).to_be_focused()
    await expect(a.get_by_label("Overskrift")).to_have_value("")

    # B joins and sees the post folded behind its warning.
    await visit(b, SORG)
    await b.get_by_role("button", name="Bliv medlem").click()
    card = b.locator("article.post-card", has_text=title)
    await expect(card.locator(".cw-reason")).to_have_text(
        "Indholdsadvarsel: Sorg – om at miste sin mor"
    )
    await expect(card.get_by_text("Jeg savner hende hver dag.")).to_be_hidden()
    await card.get_by_role("link", name=title).click()

    # On the post page the body stays folded until B chooses to open it (by keyboard here).
    await expect(heading(b)).to_have_text(title)
    post_body = b.locator("#post-body")
    await expect(post_body).to_be_hidden()
    toggle = b.get_by_role("button", name="Vis opslaget")
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(toggle).to_have_attribute("aria-controls", "post-body")
    await toggle.focus()
    await b.keyboard.press("Enter")
    await expect(b.get_by_role("button", name="Skjul opslaget")).to_have_attribute(
        "aria-expanded", "true"
    )
    await expect(post_body).to_be_visible()
    # Line breaks are kept, and the address is a safe link that opens elsewhere.
    shown = await post_body.evaluate(
        """(el) => {
            const copy = el.cloneNode(true);
            copy.querySelectorAll(".visually-hidden").forEach((note) => note.remove());
            return copy.textContent;
        }"""
    )
    assert shown == body
    assert await post_body.evaluate("(el) => getComputedStyle(el).whiteSpace") == "pre-wrap"
    link = post_body.get_by_role("link")
    await expect(link).to_have_attribute("href", "https://www.livslinien.dk/")
    await expect(link).to_have_attribute("rel", "noopener noreferrer nofollow ugc")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_accessible_name("https://www.livslinien.dk (åbner i en ny fane)")

    kram = b.get_by_role("button", name=re.compile(r"^Kram"))
    await expect(kram).to_have_attribute("aria-pressed", "false")
    await expect(kram).to_have_accessible_name("Kram 0")
    await kram.click()
    await expect(kram).to_have_attribute("aria-pressed", "true")
    await expect(kram).to_have_accessible_name("Kram 1")

    await b.get_by_label("Din kommentar").fill("Jeg tænker på dig.\nKram herfra.")
    await b.get_by_role("button", name="Send kommentar").click()
    comment = b.get_by_role("article", name=f"Kommentar fra {handle_b}")
    await expect(comment).to_be_focused()
    await expect(comment.locator(".comment-body")).to_have_text("Jeg tænker på dig.\nKram herfra.")
    await expect(b.get_by_role("heading", name="Kommentarer (1)")).to_be_visible()

    # A hears about it: the bell counts both, the list names them, one opens the post.
    await visit(a, "/feed")
    bell = a.get_by_role("banner").get_by_role("link", name=re.compile("^Notifikationer"))
    await expect(bell).to_have_accessible_name("Notifikationer, 2 ulæste")
    await expect(bell.locator(".bell-count")).to_have_text("2")
    await bell.click()
    await expect(heading(a)).to_have_text("Notifikationer")
    items = a.locator(".notification")
    await expect(items).to_have_count(2)
    await expect(items.nth(0)).to_contain_text(f"{handle_b} har kommenteret dit opslag «{title}»")
    await expect(items.nth(1)).to_contain_text(
        f"{handle_b} har sendt dig et kram for dit opslag «{title}»"
    )
    await items.nth(0).get_by_role("link").click()
    await expect(heading(a)).to_have_text(title)
    opened = a.get_by_role("article", name=f"Kommentar fra {handle_b}")
    await expect(opened).to_be_focused()
    await expect(opened).to_contain_text("Jeg tænker på dig.")
    await expect(bell).to_have_accessible_name("Notifikationer, 1 ulæst")
    await expect(a.get_by_role("button", name=re.compile(r"^Kram"))).to_have_accessible_name(
        "Kram 1"
    )

    await visit(a, "/notifications")
    await a.get_by_role("button", name="Marker alle som læst").click()
    await expect(a.locator(".page-notifications").get_by_role("status")).to_have_text(
        "Alle notifikationer er markeret som læst."
    )
    await expect(bell).to_have_accessible_name("Notifikationer")
    await expect(a.locator(".notification.unread")).to_have_count(0)


async def test_anonymous_writers_stay_anonymous_on_the_page(open_page: OpenPage) -> None:
    a = (await open_page()).page
    b = (await open_page()).page
    handle_a = await new_logged_in_member(a, "anonym")
    handle_b = await new_logged_in_member(b, "læser")
    for p in (a, b):
        await api(p, "POST", "/api/groups/sorg-og-tab/join")
    await api(a, "PATCH", "/api/me/profile", {"display_name": "Astrid Anonym"})
    await api(a, "PATCH", "/api/me/privacy", {"field_visibility": {"display_name": "members"}})
    title = "Det kan jeg ikke sige højt"

    await visit(a, SORG)
    await a.get_by_label("Overskrift").fill(title)
    await a.get_by_label("Tekst", exact=True).fill("Jeg har ikke fortalt det til nogen.")
    await a.get_by_label("Skriv som «Anonymt medlem»").check()
    await a.get_by_role("button", name="Del opslaget").click()
    mine = a.locator("article.post-card", has_text=title)
    await expect(mine.locator(".author")).to_have_text("Anonymt medlem")
    await expect(mine).to_contain_text("Skrevet af dig. Andre ser «Anonymt medlem».")
    await mine.get_by_role("link", name=title).click()
    await expect(heading(a)).to_have_text(title)
    # The writer of an anonymous post stays anonymous in its thread unless they choose otherwise.
    await expect(a.get_by_label("Kommenter som «Anonymt medlem»")).to_be_checked()

    await visit(b, SORG)
    card = b.locator("article.post-card", has_text=title)
    await expect(card.locator(".author")).to_have_text("Anonymt medlem")
    await card.get_by_role("link", name=title).click()
    await expect(heading(b)).to_have_text(title)
    await b.get_by_label("Din kommentar").fill("Tak, fordi du deler det.")
    await b.get_by_label("Kommenter som «Anonymt medlem»").check()
    await b.get_by_role("button", name="Send kommentar").click()
    await expect(b.get_by_role("article", name="Kommentar fra Anonymt medlem")).to_be_focused()

    # A replies to B's anonymous comment, anonymously by default.
    await a.reload()
    await expect(heading(a)).to_have_text(title)
    comment = a.get_by_role("article", name="Kommentar fra Anonymt medlem").first
    reply = comment.get_by_role("button", name="Svar")
    await reply.click()
    await expect(reply).to_have_attribute("aria-expanded", "true")
    box = a.get_by_label("Dit svar til Anonymt medlem")
    await expect(box).to_be_focused()
    await box.fill("Det betyder meget.")
    await a.get_by_role("button", name="Send svar").click()
    await expect(a.locator(".replies .comment")).to_have_count(1)

    # Nothing on B's page gives A away: not the handle, not the display name.
    await b.reload()
    await expect(b.locator(".replies .comment")).to_have_count(1)
    text = await b.locator("main").inner_text()
    assert handle_a not in text
    assert "Astrid" not in text
    await visit(a, "/notifications")
    await expect(a.locator(".notification").first).to_contain_text(
        f"Anonymt medlem har kommenteret dit opslag «{title}»"
    )
    assert handle_b not in await a.locator("main").inner_text()


async def test_writer_edits_and_deletes_own_post(open_page: OpenPage) -> None:
    p = (await open_page()).page
    await new_logged_in_member(p, "skribent")
    await api(p, "POST", "/api/groups/sorg-og-tab/join")
    post = await api(
        p,
        "POST",
        "/api/groups/sorg-og-tab/posts",
        {"title": "Første udkast", "body": "Noget tekst.", "content_warning": {"topic": "doed"}},
    )
    await visit(p, f"/posts/{post['id']}")
    await expect(p.locator(".byline .edited")).to_have_count(0)
    await p.get_by_role("button", name="Rediger opslaget").click()
    await expect(p.get_by_label("Overskrift")).to_be_focused()
    await expect(p.get_by_label("Emne")).to_have_value("doed")
    await p.get_by_label("Overskrift").fill("Andet udkast")
    await p.get_by_label("Emne").select_option("")
    await p.get_by_role("button", name="Gem ændringer").click()
    await expect(heading(p)).to_have_text("Andet udkast")
    await expect(heading(p)).to_be_focused()
    await expect(p.locator(".post-view .byline .edited")).to_have_text("redigeret")
    # Without its warning the body is no longer folded.
    await expect(p.locator(".post-view .post-body")).to_be_visible()
    await expect(p.get_by_role("button", name="Vis opslaget")).to_have_count(0)

    await p.get_by_role("button", name="Slet opslaget").click()
    cancel = p.get_by_role("button", name="Annuller")
    await expect(cancel).to_be_focused()
    await expect(cancel).to_have_accessible_description(re.compile("Vil du slette dit opslag"))
    await p.get_by_role("button", name="Ja, slet opslaget").click()
    await expect(heading(p)).to_have_text("Sorg og tab")
    await expect(p.get_by_role("status").first).to_have_text("Dit opslag er slettet.")
    await expect(p.get_by_role("link", name="Andet udkast")).to_have_count(0)


async def test_my_feed_loads_more_and_shows_each_post_once(open_page: OpenPage) -> None:
    p = (await open_page()).page
    await new_logged_in_member(p, "flittig")
    await api(p, "POST", "/api/groups/kronisk-sygdom/join")
    for i in range(23):
        await api(
            p, "POST", "/api/groups/kronisk-sygdom/posts", {"title": f"Dag {i}", "body": "Lidt."}
        )
    await visit(p, "/feed")
    titles = p.locator(".post-list .post-title")
    await expect(titles).to_have_count(20)
    await expect(titles.first).to_have_text("Dag 22")
    await expect(p.locator(".post-card").first).to_contain_text("Kronisk sygdom")
    await p.get_by_role("button", name="Vis flere opslag").click()
    await expect(titles).to_have_count(23)
    await expect(p.get_by_role("link", name="Dag 2", exact=True)).to_be_focused()
    await expect(p.get_by_role("button", name="Vis flere opslag")).to_be_hidden()
    shown = await titles.all_inner_texts()
    assert shown == [f"Dag {i}" for i in range(22, -1, -1)]


async def test_group_by_request_lets_in_whom_its_moderator_approves(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    moderator = (await open_page()).page
    p = (await open_page()).page
    moderator_handle = await new_logged_in_member(moderator, "vært")
    handle = await new_logged_in_member(p, "spørger")
    await create_group(
        live_server,
        slug="lukket-kreds",
        name="Lukket kreds",
        description="En lille gruppe, der optager medlemmer efter anmodning.",
        kind="request",
        moderators=(moderator_handle,),
    )
    await visit(p, "/groups/lukket-kreds")
    await expect(p.locator(".group-feed")).to_have_count(0)
    await expect(p.get_by_text("Kun gruppens medlemmer kan læse opslagene her.")).to_be_visible()
    await expect(p.locator(".group-facts")).to_contain_text("Kræver godkendelse")
    await p.get_by_role("button", name="Søg om at blive medlem").click()
    await expect(p.locator(".membership-status")).to_have_text(
        "Din anmodning om at blive medlem af Lukket kreds er sendt."
    )
    await expect(p.locator(".group-facts")).to_contain_text("Anmodning sendt")
    await p.get_by_role("button", name="Træk anmodningen tilbage").click()
    await expect(p.locator(".membership-status")).to_have_text("Din anmodning er trukket tilbage.")
    await p.get_by_role("button", name="Søg om at blive medlem").click()
    await expect(p.get_by_role("button", name="Træk anmodningen tilbage")).to_be_visible()

    # The group's moderator sees the request and lets the member in.
    await visit(moderator, "/groups/lukket-kreds")
    await expect(moderator.locator(".group-facts")).to_contain_text("1 medlem")
    requests = moderator.locator(".join-request")
    await expect(requests).to_have_count(1)
    await expect(requests).to_contain_text(f"@{handle}")
    await moderator.get_by_role("button", name=f"Godkend @{handle}").click()
    await expect(moderator.get_by_text(f"@{handle} er nu medlem af gruppen.")).to_be_visible()
    await expect(moderator.get_by_role("heading", name="Anmodninger om medlemskab")).to_be_focused()
    await expect(moderator.get_by_text("Ingen venter lige nu.")).to_be_visible()
    await expect(moderator.locator(".group-facts")).to_contain_text("2 medlemmer")

    await p.reload()
    await expect(p.locator(".membership-status")).to_have_text("Du er medlem af gruppen.")
    await expect(p.get_by_role("heading", name="Skriv et opslag")).to_be_visible()


async def test_leaving_asks_first_and_removes_the_composer(open_page: OpenPage) -> None:
    p = (await open_page()).page
    await new_logged_in_member(p, "afsted")
    await api(p, "POST", "/api/groups/ensomhed/join")
    await visit(p, "/groups/ensomhed")
    await expect(p.get_by_role("heading", name="Skriv et opslag")).to_be_visible()
    await p.get_by_role("button", name="Forlad gruppen").click()
    await expect(p.get_by_role("button", name="Bliv i gruppen")).to_be_focused()
    await p.get_by_role("button", name="Bliv i gruppen").click()
    await expect(p.get_by_role("button", name="Forlad gruppen")).to_be_focused()
    await p.get_by_role("button", name="Forlad gruppen").click()
    await p.get_by_role("button", name="Ja, forlad gruppen").click()
    await expect(p.locator(".membership-status")).to_have_text("Du har forladt Ensomhed.")
    await expect(p.get_by_role("heading", name="Skriv et opslag")).to_have_count(0)
    await expect(p.get_by_role("button", name="Bliv medlem")).to_be_visible()


async def test_group_pages_fit_a_small_phone_and_label_every_field(open_page: OpenPage) -> None:
    p = (await open_page(SMALL_PHONE)).page
    await new_logged_in_member(p, "mobil")
    await api(p, "POST", "/api/groups/sorg-og-tab/join")
    long_word = "Sorgensomaldrigrigtiggårvæk" * 4
    post = await api(
        p,
        "POST",
        "/api/groups/sorg-og-tab/posts",
        {
            "title": long_word[:200],
            "body": f"{long_word}\nhttps://example.org/{long_word}",
            "content_warning": {"topic": "andet", "text": long_word[:200]},
        },
    )
    await api(p, "POST", f"/api/posts/{post['id']}/comments", {"body": long_word})
    for path in ("/groups", SORG, f"/posts/{post['id']}", "/feed", "/notifications"):
        await visit(p, path)
        # Opened, a toggle is named "Skjul opslaget", so the first closed one is always next.
        closed = p.get_by_role("button", name="Vis opslaget")
        for _ in range(await closed.count()):
            await closed.first.click()
        overflow = await p.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px too wide at 360px"
        unlabelled = await p.evaluate(
            """() => [...document.querySelectorAll("main input, main select, main textarea")]
                  .filter((el) => !el.hidden && el.type !== "hidden")
                  .filter((el) => ![...el.labels].some((l) => l.textContent.trim() !== ""))
                  .map((el) => el.id || el.name)"""
        )
        assert unlabelled == [], path
    # The bell is still there on a phone, with a name even though its word is hidden.
    bell = p.get_by_role("banner").get_by_role("link", name=re.compile("^Notifikationer"))
    await expect(bell).to_be_visible()


async def test_english_readers_get_english_groups(open_page: OpenPage) -> None:
    p = (await open_page()).page
    await new_logged_in_member(p, "reader")
    await visit(p, SORG)
    await p.get_by_role("button", name="English").click()
    await expect(heading(p)).to_have_text("Grief and loss")
    await expect(p.locator(".rules")).to_contain_text("Be kind.")
    await expect(p.get_by_role("button", name="Join the group")).to_be_visible()
    await expect(
        p.get_by_role("navigation").get_by_role("link", name="Groups", exact=True)
    ).to_be_visible()
