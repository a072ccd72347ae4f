"""The chat page in headless Chromium: rasa-webchat talking to Rasa over socket.io.

Needs Debian's chromium (`make test` installs it when it can); Playwright drives it
and downloads no browser. Each test starts with a fresh browser profile, so a fresh
conversation. The widget's typing indicator is an empty bot bubble, so replies are
awaited by their text.
"""

from __future__ import annotations

import re
import shutil
from typing import Iterator, List, Pattern, Union
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect, sync_playwright

from scripts.serving.services import web_page
from tests.helpers import OUTPUT

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
REPLY_TIMEOUT_MS = 30_000  # a reply shows after up to 3 s of "typing" per message
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
GREETING = "Jeg er en digital rådgiver"
FIRST_MISS = re.compile("Mener du|anden måde")  # action_clarify: closest questions, or rephrase
PHONE = "72 20 00 30"
TEL_LINK = "tel:+4572200030"
XSS = "<img src=x onerror=alert(1)>"

expect.set_options(timeout=REPLY_TIMEOUT_MS)


@pytest.fixture(scope="module")
def page_url(rasa_url: str, page_port: int) -> Iterator[str]:
    """The chat page on `page_port` (an origin the test Rasa server accepts), talking to `rasa_url`."""
    with web_page(page_port, socket_url=rasa_url, log_path=OUTPUT / "web-page.log"):
        yield f"http://localhost:{page_port}/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing; install it with `sudo apt-get install chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_outside(url: str) -> bool:
    """True for a network URL on a host other than this machine."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


class Chat:
    """The chat page in one browser profile, recording dialogs and requests that leave this machine.

    Attributes:
        page: the Playwright page.
        dialogs: messages of JavaScript dialogs (alert, confirm, ...) the page opened.
        outside: URLs the page requested from other hosts (the widget's CSS imports a Google font).
        blocked: those of them the page's Content-Security-Policy stopped before they left.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: List[str] = []
        self.outside: List[str] = []
        self.blocked: List[str] = []
        page.on("dialog", self._on_dialog)
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)

    def _on_request(self, request: Request) -> None:
        if is_outside(request.url):
            self.outside.append(request.url)

    def _on_request_failed(self, request: Request) -> None:
        if request.failure == "csp":
            self.blocked.append(request.url)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def send(self, text: str) -> None:
        """Types `text` into the widget and presses Enter."""
        box = self.page.locator(".rw-new-message")
        box.fill(text)
        box.press("Enter")

    def reply(self, text: Union[str, Pattern[str]]) -> Locator:
        """The last bot bubble containing `text`, once it and the rest of the bot's turn are shown."""
        bubble = self.page.locator(".rw-response", has_text=text).last
        expect(bubble).to_be_visible()
        expect(self.page.locator(".rw-typing-indication")).to_have_count(0)
        return bubble

    def bot_bubbles(self) -> Locator:
        """The bot's bubbles with text (the typing indicator is an empty one)."""
        return self.page.locator(".rw-response", has_text=re.compile(r"\S"))


@pytest.fixture
def chat(browser: Browser, page_url: str) -> Iterator[Chat]:
    """The chat page in a fresh browser profile, opened and greeted."""
    context = browser.new_context(viewport={"width": 860, "height": 720}, locale="da-DK")
    chat = Chat(context.new_page())
    chat.page.goto(page_url)
    chat.reply(GREETING)
    yield chat
    context.close()


def test_a_conversation_in_the_widget_survives_a_reload(chat: Chat):
    page = chat.page
    assert page.locator("html").get_attribute("lang") == "da"
    expect(page).to_have_title("Rådgiver for socialøkonomiske virksomheder")
    expect(page.locator("h1")).to_have_text("Rådgiver for socialøkonomiske virksomheder")
    expect(page.locator(".subtitle")).to_contain_text("socialøkonomisk virksomhed i Danmark")
    expect(page.locator(".rw-new-message")).to_have_attribute("placeholder", "Skriv dit spørgsmål her …")

    chat.send("Hvad er en socialøkonomisk virksomhed?")
    chat.reply("en privat virksomhed, der driver forretning")

    chat.send("hvad kan du hjælpe med?")
    quick_replies = page.locator(".rw-reply")
    expect(quick_replies).to_have_count(3)
    chat.reply("Prøv fx")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "widget.png"))
    quick_replies.filter(has_text="Hvordan bliver vi registreret som RSV?").click()
    register = chat.reply("selvbetjeningsløsning")
    expect(register.locator('a[href="https://virk.dk"]')).to_have_attribute("target", "_blank")

    chat.send("jeg vil tale med et menneske")
    phone_link = chat.reply("tale med en rådgiver").locator(f'a[href="{TEL_LINK}"]')
    expect(phone_link).to_have_text(PHONE)
    assert phone_link.get_attribute("target") is None  # calls, instead of opening an empty tab

    chat.send("asdfjkl qwpoeiru")  # the first failed understanding: "Mener du …?" or asked to rephrase
    first_miss = chat.reply(FIRST_MISS).inner_text()
    session = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")

    page.reload()
    chat.reply(first_miss[:40])
    expect(page.locator(".rw-client", has_text="Hvad er en socialøkonomisk virksomhed?")).to_be_visible()
    expect(page.locator(".rw-response", has_text=GREETING)).to_have_count(1)  # no second greeting
    assert page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id") == session
    chat.send("xqzv blorp")  # the second in a row hands off only if Rasa kept the conversation
    chat.reply("Det kan jeg desværre ikke svare på")
    assert sorted(chat.outside) == sorted(chat.blocked), "the page fetched from another host"
    assert chat.dialogs == []


def test_quick_replies_work_with_the_keyboard(chat: Chat):
    page = chat.page
    chat.send("hvad kan du hjælpe med?")
    expect(page.locator(".rw-reply")).to_have_count(3)
    page.locator(".rw-new-message").focus()
    page.keyboard.press("Shift+Tab")  # from the input back to the last quick reply
    expect(page.locator(".rw-reply:focus")).to_have_text("Hvor kan vi søge finansiering?")
    page.keyboard.press("Enter")
    chat.reply("Den Sociale Kapitalfond")


def test_html_in_a_message_is_shown_as_text(chat: Chat):
    page = chat.page
    answered = chat.bot_bubbles().count()
    chat.send(XSS)
    expect(page.locator(".rw-client").last).to_have_text(XSS)
    expect(chat.bot_bubbles().nth(answered)).to_be_visible()  # the bot's answer is drawn too
    assert page.locator("#chat img:not([src^='data:'])").count() == 0
    assert chat.dialogs == []
