"""The scale set-up through its balancer: 2 Rasa servers behind nginx, sharing PostgreSQL and Redis.

Starts the whole set (scripts.serving.scale) on free ports of 127.0.0.1 and stops it
afterwards. Which server answered a request is read from nginx's access log; what a
conversation holds is read from the tracker store in PostgreSQL. The test that kills
a Rasa server runs last.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import re
import signal
import time
import uuid
from typing import Dict, Iterator, List

import psycopg2
import pytest
from playwright.sync_api import Browser, expect

from scripts.serving.scale import Scale
from tests.helpers import post, texts
from tests.test_widget import GREETING, Chat, browser  # noqa: F401 (browser is a fixture)

FORM_TURNS = [  # typed, as a user would; each with a piece of the reply it must get
    ("jeg vil gerne have råd om min virksomhed", "Hvor langt er du med virksomheden?"),
    ("vi er i drift", "Hvilken virksomhedsform"),
    ("forening", "Hvad vil du gerne have råd om?"),
    ("krav til rsv", "Hvilken kommune"),
    ("aarhus", "for en forening i driftsfasen"),
]
QUESTIONS = [
    "hej", "hvornår blev vækstcentret oprettet", "hvad er en socialøkonomisk virksomhed", "hvad er rsv",
    "hvordan bliver vi registreret som rsv", "hvor kan vi søge finansiering", "jeg vil tale med et menneske", "tak",
]
REST = "/webhooks/rest/webhook"
# scripts.serving.scale's log format: $remote_addr [$time_iso8601] "$request" $status $upstream_addr $request_time
LOG_LINE = re.compile(r'"[A-Z]+ (?P<path>\S+) [^"]*" \d+ (?P<upstreams>.+) [\d.]+$')


@pytest.fixture(scope="module")
def scale(model) -> Iterator[Scale]:
    """The set with 2 Rasa servers, 1 action server and the chat page, on free ports."""
    with Scale(model, rasa_servers=2, action_servers=1, with_page=True,
               progress=lambda line: print(f"[scale] {line}", flush=True)) as started:
        yield started


def say(scale: Scale, sender: str, text: str) -> str:
    """Sends `text` in `sender`'s conversation through the balancer; returns the bot's texts."""
    with post(scale.url + REST, json.dumps({"sender": sender, "message": text}).encode()) as response:
        assert response.status == 200, response.read()
        return texts(json.loads(response.read()))


def log_size(scale: Scale) -> int:
    return scale.access_log.stat().st_size


def served_by(scale: Scale, since: int, count: int, path: str = REST) -> List[str]:
    """The Rasa servers (host:port) that answered the first `count` requests for `path` logged after byte `since`.

    nginx writes a request's line just after its answer, so this waits up to 2 s for them.
    """
    deadline = time.monotonic() + 2
    while True:
        with open(scale.access_log, encoding="utf-8") as log:
            log.seek(since)
            matches = [LOG_LINE.search(line) for line in log]
        found = [m["upstreams"].split(", ")[-1] for m in matches if m and m["path"].startswith(path)]
        if len(found) >= count or time.monotonic() > deadline:
            return found[:count]
        time.sleep(0.1)


def stored_events(scale: Scale, sender: str) -> List[Dict]:
    """The conversation's events in the tracker store (PostgreSQL), oldest first."""
    env = scale.store_env
    with psycopg2.connect(host=env["TRACKER_STORE_HOST"], port=env["TRACKER_STORE_PORT"],
                          user=env["TRACKER_STORE_USERNAME"], password=env["TRACKER_STORE_PASSWORD"],
                          dbname=env["TRACKER_STORE_DB"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in cursor.fetchall()]


def user_texts(events: List[Dict]) -> List[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def assert_one_turn_at_a_time(events: List[Dict]) -> None:
    """Each user message was answered and the bot listened again before the next one was handled."""
    for before, event in itertools.pairwise(events):
        if event["event"] == "user":
            assert (before["event"], before.get("name")) == ("action", "action_listen"), events
    assert (events[-1]["event"], events[-1].get("name")) == ("action", "action_listen")


def test_a_form_spread_over_the_servers_keeps_every_turn_its_order_and_its_state(scale: Scale):
    sender = f"scale-form-{uuid.uuid4().hex[:8]}"
    since = log_size(scale)
    for text, expected in FORM_TURNS:
        reply = say(scale, sender, text)
        assert expected in reply, (text, reply)
    assert "Erhvervshus Midtjylland" in reply and "Kilde:" in reply
    assert len(set(served_by(scale, since, len(FORM_TURNS)))) == 2, "all turns went to one server"
    events = stored_events(scale, sender)
    assert user_texts(events) == [text for text, _ in FORM_TURNS]
    assert_one_turn_at_a_time(events)


def test_concurrent_messages_of_one_conversation_are_handled_one_at_a_time(scale: Scale):
    sender = f"scale-burst-{uuid.uuid4().hex[:8]}"
    since = log_size(scale)
    with concurrent.futures.ThreadPoolExecutor(len(QUESTIONS)) as pool:
        replies = list(pool.map(lambda text: say(scale, sender, text), QUESTIONS))
    assert all(replies), replies
    assert len(set(served_by(scale, since, len(QUESTIONS)))) == 2
    events = stored_events(scale, sender)
    assert sorted(user_texts(events)) == sorted(QUESTIONS)  # none lost, none twice
    assert_one_turn_at_a_time(events)


def test_the_widget_talks_through_the_balancer(scale: Scale, browser: Browser):  # noqa: F811
    since = log_size(scale)
    context = browser.new_context(locale="da-DK")
    try:
        chat = Chat(context.new_page())
        assert scale.page_url is not None
        chat.page.goto(scale.page_url)
        chat.reply(GREETING)
        chat.send("Hvornår blev Vækstcentret oprettet?")
        chat.reply("2014")
        chat.page.reload()  # the session comes back from the tracker store
        expect(chat.page.locator(".rw-client", has_text="Hvornår blev Vækstcentret oprettet?")).to_be_visible()
        chat.send("jeg vil tale med et menneske")
        chat.reply("72 20 00 30")
        assert chat.dialogs == []
    finally:
        context.close()
    rasa_servers = {url.split("//")[1] for url in scale.rasa_urls}
    assert set(served_by(scale, since, 1, path="/socket.io/")) <= rasa_servers


def test_killing_a_rasa_server_mid_conversation_loses_no_turn(scale: Scale):
    sender = f"scale-kill-{uuid.uuid4().hex[:8]}"
    (first, expected), *rest = FORM_TURNS
    since = log_size(scale)
    assert expected in say(scale, sender, first)
    [victim_address] = served_by(scale, since, 1)
    victim = scale.rasa[[url.split("//")[1] for url in scale.rasa_urls].index(victim_address)]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    since = log_size(scale)
    for text, expected in rest:
        reply = say(scale, sender, text)
        assert expected in reply, (text, reply)
    assert "Erhvervshus Midtjylland" in reply
    assert victim_address not in served_by(scale, since, len(rest))
    assert user_texts(stored_events(scale, sender)) == [text for text, _ in FORM_TURNS]
