"""Member and group text full of markup reaches a real browser as text: no injected script runs,
no element from it exists, and only real http(s) addresses become (safe) links."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.browsing import (
    OpenPage,
    Watched,
    api,
    create_group,
    new_logged_in_member,
    visit,
)
from tests.live import LiveServer

pytestmark = pytest.mark.browser

# Each payload would set window.__pwned if the browser ever treated it as markup or a link.
SCRIPT = "<script>window.__pwned = 'script'</script>"
IMG = "<img src=x onerror=\"window.__pwned = 'img'\">"
SVG = "<svg onload=\"window.__pwned = 'svg'\"></svg>"
ANCHOR = "<a href=\"javascript:window.__pwned = 'a'\">klik her</a>"
JS_URL = "javascript:alert(1)"
IFRAME = "<iframe srcdoc=\"<script>parent.__pwned = 'iframe'</script>\"></iframe>"
DATA_URL = "data:text/html,<script>window.__pwned = 'data'</script>"
# A real address right before markup: only the address may become a link.
SMUGGLED = 'https://example.org/ok"><img src=x onerror="window.__pwned = \'url\'">'
BODY = "\n".join([SCRIPT, IMG, SVG, ANCHOR, f"Se {JS_URL} og {DATA_URL}", IFRAME, SMUGGLED])

GROUP_NAME = "<img src=x onerror=\"window.__pwned = 'group'\">"
GROUP_DESCRIPTION = f"{SVG} Læs mere: {JS_URL}"
GROUP_RULES = f"{SCRIPT}\n{ANCHOR}\nhttps://example.org/regler"
TITLE = f"{IMG}{SCRIPT}"
DISPLAY_NAME = "<svg onload=\"window.__pwned = 'name'\">"
CW_TEXT = "<img src=x onerror=\"window.__pwned = 'cw'\">"
COMMENT = f"{SVG}\n{JS_URL}\n{SCRIPT}"

INSPECT = """() => {
  const allowed = /^(?:https?:|#|tel:)/i;
  const textNodes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) textNodes.push(walker.currentNode);
  return {
    pwned: window.__pwned ?? null,
    elements: document.body.querySelectorAll("img, svg, script, iframe, object, embed").length,
    handlers: [...document.body.querySelectorAll("*")]
      .flatMap((el) => [...el.attributes].map((a) => a.name))
      .filter((name) => name.startsWith("on")),
    links: [...document.querySelectorAll("a[href]")]
      .map((a) => a.getAttribute("href"))
      .filter((href) => !allowed.test(href)),
    jsTextInLinks: textNodes
      .filter((n) => n.data.includes("javascript:") && n.parentElement.closest("a"))
      .map((n) => n.data),
  };
}"""


async def assert_nothing_injected(page: Page) -> None:
    found: dict[str, Any] = await page.evaluate(INSPECT)
    assert found == {
        "pwned": None,
        "elements": 0,
        "handlers": [],
        "links": [],
        "jsTextInLinks": [],
    }


async def test_markup_everywhere_is_shown_as_text_and_never_runs(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    await create_group(
        live_server,
        slug="markup-proeve",
        name=GROUP_NAME,
        description=GROUP_DESCRIPTION,
        rules=GROUP_RULES,
        category="paaroerende",
    )
    writer = (await open_page()).page
    reader = (await open_page()).page
    await new_logged_in_member(writer, "skriver")
    reader_handle = await new_logged_in_member(reader, "læser")
    await api(writer, "PATCH", "/api/me/profile", {"display_name": DISPLAY_NAME})
    await api(writer, "PATCH", "/api/me/privacy", {"field_visibility": {"display_name": "members"}})
    for p in (writer, reader):
        await api(p, "POST", "/api/groups/markup-proeve/join")
    post = await api(
        writer,
        "POST",
        "/api/groups/markup-proeve/posts",
        {"title": TITLE, "body": BODY, "content_warning": {"topic": "andet", "text": CW_TEXT}},
    )
    comment = await api(writer, "POST", f"/api/posts/{post['id']}/comments", {"body": COMMENT})
    await api(
        reader,
        "POST",
        f"/api/posts/{post['id']}/comments",
        {"body": COMMENT, "parent_id": comment["id"]},
    )

    # The directory and the group page show the group's texts literally.
    await visit(reader, "/groups")
    directory = reader.locator(".group-card", has_text=GROUP_NAME)
    await expect(directory.get_by_role("link", name=GROUP_NAME)).to_be_visible()
    await expect(directory).to_contain_text(GROUP_DESCRIPTION)
    await assert_nothing_injected(reader)

    await directory.get_by_role("link", name=GROUP_NAME).click()
    await expect(reader.get_by_role("heading", level=1)).to_have_text(GROUP_NAME)
    assert GROUP_NAME in await reader.title()
    await expect(reader.locator(".group-description")).to_have_text(GROUP_DESCRIPTION)
    rules = reader.locator(".rules .rich-text")
    await expect(rules).to_contain_text(SCRIPT)
    await expect(rules).to_contain_text(ANCHOR)
    await expect(rules.get_by_role("link")).to_have_attribute("href", "https://example.org/regler")
    card = reader.locator("article.post-card", has_text="Indholdsadvarsel")
    await expect(card.locator(".post-title")).to_have_text(TITLE)
    await expect(card.locator(".cw-reason")).to_have_text(f"Indholdsadvarsel: Andet – {CW_TEXT}")
    await expect(card.locator(".author")).to_contain_text(DISPLAY_NAME)
    await card.get_by_role("button", name="Vis opslaget").click()
    await expect(card.locator(".post-body")).to_contain_text(IMG)
    await assert_nothing_injected(reader)

    # The post page, opened: every payload is text; the one real address is a safe link.
    await card.get_by_role("link", name=TITLE).click()
    await expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    await reader.get_by_role("button", name="Vis opslaget").click()
    body = reader.locator("#post-body")
    for payload in (SCRIPT, IMG, SVG, ANCHOR, JS_URL, DATA_URL, IFRAME):
        await expect(body).to_contain_text(payload)
    link = body.get_by_role("link")
    await expect(link).to_have_count(1)
    await expect(link).to_have_attribute("href", "https://example.org/ok")
    await expect(link).to_have_attribute("rel", "noopener noreferrer nofollow ugc")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(body).to_contain_text('"><img src=x onerror="window.__pwned = \'url\'">')
    comments = reader.locator(".comments .comment-body")
    await expect(comments).to_have_count(2)
    for i in range(2):
        await expect(comments.nth(i)).to_have_text(COMMENT)
    await expect(reader.locator(".comments .author").first).to_contain_text(DISPLAY_NAME)
    await assert_nothing_injected(reader)

    await visit(reader, "/feed")
    await expect(reader.locator(".post-card", has_text=TITLE).locator(".post-title")).to_have_text(
        TITLE
    )
    await assert_nothing_injected(reader)

    # The writer's notification quotes the markup-laden title as text.
    await visit(writer, "/notifications")
    await expect(writer.locator(".notification").first).to_contain_text(
        f"{reader_handle} har svaret på din kommentar til «{TITLE}»"
    )
    await assert_nothing_injected(writer)
    await writer.locator(".notification").first.get_by_role("link").click()
    await expect(writer.get_by_role("heading", level=1)).to_have_text(TITLE)
    await assert_nothing_injected(writer)


LINKIFY = """async (inputs) => {
  const { richText } = await import("/js/richtext.js");
  return inputs.map((text) => {
    const el = richText(text);
    const links = [...el.querySelectorAll("a")].map((a) => ({
      href: a.getAttribute("href"),
      text: a.firstChild.data,
      rel: a.rel,
      target: a.target,
    }));
    el.querySelectorAll(".visually-hidden").forEach((note) => note.remove());
    return { links, kept: el.textContent === text, elements: el.querySelectorAll("*").length };
  });
}"""

# Text as typed -> the (href, shown text) of each link it may contain; everything else is text.
LINK_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Se https://example.org/a.", [("https://example.org/a", "https://example.org/a")]),
    (
        "(læs https://example.org/wiki/Sorg_(følelse))",
        [
            (
                "https://example.org/wiki/Sorg_(f%C3%B8lelse)",
                "https://example.org/wiki/Sorg_(følelse)",
            )
        ],
    ),
    ("«HTTPS://EXAMPLE.ORG»", [("https://example.org/", "HTTPS://EXAMPLE.ORG")]),
    ('https://example.org/ok"><b>x</b>', [("https://example.org/ok", "https://example.org/ok")]),
    ("javascript:alert(1)", []),
    ("JaVaScRiPt:alert(1)", []),
    ("java\tscript:alert(1)", []),
    # Only the web address after the javascript: prefix is a link; the prefix stays text.
    ("javascript://https://example.org", [("https://example.org/", "https://example.org")]),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", []),
    ("vbscript:msgbox(1) mailto:a@example.org ftp://example.org", []),
    ("https:// og https://[ og xhttps://example.org", []),
]


async def test_only_web_addresses_become_links(page: Watched) -> None:
    p = page.page
    await new_logged_in_member(p, "lænker")
    await visit(p, "/groups")
    results = await p.evaluate(LINKIFY, [text for text, _ in LINK_CASES])
    for (text, expected), result in zip(LINK_CASES, results, strict=True):
        assert [(link["href"], link["text"]) for link in result["links"]] == expected, text
        for link in result["links"]:
            assert link["rel"] == "noopener noreferrer nofollow ugc"
            assert link["target"] == "_blank"
        # Nothing typed is lost or added, and the links are the only elements.
        assert result["kept"], text
        assert result["elements"] == len(expected), text
