"""WCAG 2.1 AA of the chat page, in the same headless Chromium as tests/test_widget.py.

axe-core (node_modules/axe-core, from package.json) runs inside the page, injected by
Playwright as an init script (the page's Content-Security-Policy allows no other script).
Beside axe: the chat with the keyboard alone and a visible focus on each step, the live
region and the Danish labels a screen reader gets, the placeholder's contrast (axe does
not check placeholders), and the page at 320 px width and at 200 % zoom. What was
changed in the widget and why: docs/widget.md, "Accessibility".
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, Tuple

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from scripts.paths import ROOT
from tests.test_widget import GREETING, TEL_LINK, Chat, browser, page_url  # noqa: F401 (fixtures)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIRK = "https://virk.dk/"
CAPABILITIES = "hvad kan du hjælpe med?"
REGISTER = "Hvordan bliver vi registreret som RSV?"
HANDOFF = "jeg vil gerne tale med en rådgiver"  # the handoff: its phone number is a tel: link
MIN_CONTRAST = 4.5
MAX_TABS = 25


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    """A fresh browser profile with axe-core in every page; virk.dk answers from here, so no request leaves."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make setup` (npm ci installs it from package-lock.json).")
    context = browser.new_context(viewport={"width": 860, "height": 720}, locale="da-DK")
    context.add_init_script(path=str(AXE))
    context.route(VIRK + "**", lambda route: route.fulfill(content_type="text/html", body="<title>virk.dk</title>"))
    yield context
    context.close()


def violations(page: Page) -> List[str]:
    """axe-core's violations of WCAG 2.0/2.1 levels A and AA in `page`, one line each."""
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [f"{v['id']} ({v['help']}): {[n['target'] for n in v['nodes']]}" for v in result["violations"]]


def ask_capabilities(chat: Chat) -> None:
    """Sends the question whose answer has three quick replies, and waits for them."""
    chat.send(CAPABILITIES)
    chat.reply("Prøv fx")
    expect(chat.page.locator(".rw-reply")).to_have_count(3)


def focused(page: Page) -> Dict:
    """The focused element: its tag, href, name and whether its focus outline shows (≥ 2 px)."""
    return page.evaluate(
        """() => {
            const element = document.activeElement, style = getComputedStyle(element);
            return {tag: element.tagName.toLowerCase(), href: element.getAttribute("href"),
                    name: element.getAttribute("aria-label") || element.textContent.trim(),
                    visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2};
        }"""
    )


def tab_to(page: Page, key: str, wanted) -> List[Dict]:
    """Presses `key` ("Tab" or "Shift+Tab") until `wanted(focused)` is true; returns every element passed."""
    path = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        path.append(focused(page))
        if wanted(path[-1]):
            return path
    raise AssertionError(f"{key} never reached the element; passed {path}")


def luminance(rgb: str) -> float:
    """Relative luminance (WCAG 2.1) of a CSS colour "rgb(r, g, b)"."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two CSS colours, 1..21."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_axe_finds_no_a_or_aa_violation_before_during_and_after_a_conversation(context: BrowserContext, page_url: str):  # noqa: F811
    page = context.new_page()
    held: List[Route] = []
    page.route("**/config.json", lambda route: held.append(route))  # the widget starts once config.json arrives
    page.goto(page_url)
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held and page.locator(".rw-new-message").count() == 0
    assert violations(page) == [], "the page before the chat opens"

    held[0].continue_()
    chat = Chat(page)
    chat.reply(GREETING)
    assert violations(page) == [], "the chat open"

    chat.send(REGISTER)
    chat.reply("selvbetjeningsløsning")
    chat.send(HANDOFF)
    chat.reply("Ring til Erhvervsstyrelsen")
    ask_capabilities(chat)
    expect(page.locator(f".rw-markdown a[href='{TEL_LINK}']").first).to_be_visible()
    assert violations(page) == [], "after a conversation with links and quick replies"


def test_the_chat_works_with_the_keyboard_alone_and_focus_always_shows(context: BrowserContext, page_url: str):  # noqa: F811
    chat = Chat(context.new_page())
    page = chat.page
    page.goto(page_url)
    chat.reply(GREETING)

    page.evaluate("document.activeElement.blur()")  # from the top of the page
    path = tab_to(page, "Tab", lambda f: f["tag"] == "textarea")
    page.keyboard.type(CAPABILITIES)
    path += tab_to(page, "Tab", lambda f: f["name"] == "Send")
    page.keyboard.press("Enter")
    chat.reply("Prøv fx")
    expect(page.locator(".rw-client").last).to_have_text(CAPABILITIES)

    page.locator(".rw-new-message").focus()
    path += tab_to(page, "Shift+Tab", lambda f: f["name"] == REGISTER)
    page.keyboard.press("Space")
    chat.reply("selvbetjeningsløsning")

    page.locator(".rw-new-message").focus()
    path += tab_to(page, "Shift+Tab", lambda f: f["href"] == "https://virk.dk")
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    assert opened.value.url == VIRK
    assert [f for f in path if not f["visible"]] == [], "an element got the focus without a visible outline"
    assert {"div", "textarea", "button", "a"} <= {f["tag"] for f in path}


def test_screen_readers_get_danish_labels_and_hear_each_new_bot_message(context: BrowserContext, page_url: str):  # noqa: F811
    chat = Chat(context.new_page())
    page = chat.page
    page.goto(page_url)
    chat.reply(GREETING)
    expect(page.get_by_role("textbox", name="Din besked")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_attached()
    expect(page.get_by_role("region", name="Beskeder")).to_be_visible()
    expect(page.get_by_role("main", name="Chat med rådgiveren")).to_be_visible()

    live = page.locator("#chat-announcer")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_contain_text("Rådgiveren: Hej! " + GREETING)
    ask_capabilities(chat)
    expect(page.get_by_role("button", name="Hvor kan vi søge finansiering?")).to_be_visible()
    expect(live).to_contain_text("Rådgiveren: Jeg svarer på spørgsmål om socialøkonomiske virksomheder")
    assert CAPABILITIES not in live.inner_text()  # the user's own message is not read back
    assert live.evaluate("element => element.getBoundingClientRect().width") <= 1  # heard, not seen


def test_the_placeholder_has_enough_contrast(context: BrowserContext, page_url: str):  # noqa: F811
    chat = Chat(context.new_page())
    chat.page.goto(page_url)
    chat.reply(GREETING)
    box = chat.page.locator(".rw-new-message")
    colour = box.evaluate("element => getComputedStyle(element, '::placeholder').color")
    background = box.evaluate("element => getComputedStyle(element).backgroundColor")
    assert contrast(colour, background) >= MIN_CONTRAST, (colour, background)


@pytest.mark.parametrize("viewport, scale", [((320, 640), 1), ((640, 360), 2)], ids=["320px", "200%-zoom"])
def test_the_chat_reflows_at_320_px_and_200_percent_zoom(
    browser: Browser, page_url: str, viewport: Tuple[int, int], scale: int  # noqa: F811
):
    """320 CSS px is WCAG 1.4.10's reflow width; a 1280×720 window at 200 % zoom lays out as 640×360."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale, locale="da-DK")
    context.add_init_script(path=str(AXE))
    try:
        chat = Chat(context.new_page())
        page = chat.page
        page.goto(page_url)
        chat.reply(GREETING)
        ask_capabilities(chat)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        for reply in page.locator(".rw-reply").all():
            box = reply.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            assert reply.evaluate("e => [...e.querySelectorAll('*')].every(c => c.scrollWidth <= c.clientWidth)"), "cut off"
        composer = page.locator(".rw-new-message")
        composer.scroll_into_view_if_needed()
        expect(composer).to_be_in_viewport()
        assert violations(page) == []
        page.locator(".rw-reply", has_text=REGISTER).click()
        chat.reply("selvbetjeningsløsning")
    finally:
        context.close()
