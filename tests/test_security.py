"""Attacks and careless use, on localhost only: limits, socket.io payloads, session takeover,
the action server's token, the servers' interfaces and personal data (docs/security.md).

They use the session's test Rasa server (tests/conftest.py), whose SQLite tracker store
can be read back. Every load here is bounded (a few dozen messages).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import urlsplit

import pytest
import socketio

from channels.screening import BAD_MESSAGE_REPLY, CPR_NOTE, MAX_MESSAGE_CHARS, SHORTEN_REPLY
from channels.sessions import SessionTokens
from scripts.learning import review
from scripts.serving.services import Service
from scripts.serving.soak import rss_mb
from storage.tracker_store import EnvSQLTrackerStore
from tests.conftest import RASA_LOG
from tests.helpers import post, texts

MAX_SERVER_MB = 2048
PERSONAL = {"cpr": "010190-1234", "cpr_no_dash": "3112851235", "phone": "+45 12 34 56 78", "email": "mia@eksempel.dk",
            "cvr": "31 41 59 26"}
PERSONAL_MESSAGE = (
    f"xqzw mit cpr er {PERSONAL['cpr']} og {PERSONAL['cpr_no_dash']}, ring {PERSONAL['phone']} "
    f"eller skriv til {PERSONAL['email']}, vores cvr-nr. er {PERSONAL['cvr']}"
)


@pytest.fixture(scope="module")
def server(rasa_service: Service, rasa_url: str, tracker_db: Path, page_port: int) -> Dict[str, Any]:
    """The session's test Rasa server: {"url", "db", "service", "log", "page"}; "log" reads
    only what the server logged since this module started."""
    start = RASA_LOG.stat().st_size if RASA_LOG.exists() else 0

    def log() -> str:
        with open(RASA_LOG, "rb") as file:
            file.seek(start)
            return file.read().decode("utf-8", "replace")

    return {"url": rasa_url, "db": tracker_db, "service": rasa_service, "log": log, "page": f"http://localhost:{page_port}"}


def rest(server: Dict[str, Any], sender: str, text: str, metadata: Any = None) -> List[Dict]:
    body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata is not None else {})}
    with post(f"{server['url']}/webhooks/rest/webhook", json.dumps(body).encode()) as response:
        assert response.status == 200, response.read()
        return json.loads(response.read())


def listening_addresses(port: int) -> List[str]:
    """The local IPv4/IPv6 addresses (hex as in /proc/net/tcp*) of the sockets listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


# --- limits -------------------------------------------------------------------------------

def test_long_and_many_token_messages_are_refused_and_memory_stays_bounded(server):
    pid = server["service"].process.pid
    before = rss_mb(pid)
    sender = f"long-{uuid.uuid4().hex[:8]}"
    for unit in ("👩‍👩‍👧‍👦", "a "):
        assert texts(rest(server, sender, unit * (20_000 // len(unit)))) == SHORTEN_REPLY
        for _ in range(5):  # the longest messages the NLU gets
            reply = texts(rest(server, sender, (unit * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS]))
            assert reply and reply != SHORTEN_REPLY
    after = rss_mb(pid)
    print(f"\nRasa server memory: {before:.0f} MB before, {after:.0f} MB after 2 x 20,000-char and "
          f"10 x {MAX_MESSAGE_CHARS}-char messages")
    assert after < MAX_SERVER_MB
    assert "Hej" in texts(rest(server, sender, "hej"))


def test_lone_surrogates_control_characters_and_typed_commands_get_a_real_answer(server):
    sender = f"odd-{uuid.uuid4().hex[:8]}"
    body = '{"sender": "%s", "message": "hvad er en social\\u00f8konomisk virksomhed\\ud800\\u0007"}' % sender
    with post(f"{server['url']}/webhooks/rest/webhook", body.encode()) as response:
        assert response.status == 200
        assert "privat virksomhed" in texts(json.loads(response.read()))
    for command in ("/restart", "/session_start", "/faq", '/inform{"topic":"funding"}x'):
        reply = texts(rest(server, sender, command))
        assert reply and "kan ikke svare på det lige nu" not in reply, command
    log = server["log"]()
    assert "KeyError" not in log and "\\ud800" not in log


def test_metadata_is_checked_and_allow_listed(server):
    sender = f"meta-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"sender": sender, "message": "hej", "metadata": {"x": "y" * 3000}}).encode()
    with post(f"{server['url']}/webhooks/rest/webhook", body) as response:
        assert response.status == 400 and json.loads(response.read())["text"] == BAD_MESSAGE_REPLY
    rest(server, sender, "hej", metadata={"language": "da", "tracking": "abc"})
    stored = [json.loads(row[0]) for row in sqlite3.connect(server["db"]).execute(
        "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,))]
    rasa_own = {"assistant_id", "model_id"}  # what Rasa itself adds
    assert stored and all(set(event["metadata"]) - rasa_own == {"language"} for event in stored)


def test_request_bodies_are_capped_at_the_server(server):
    body = json.dumps({"sender": "big", "message": "a" * 400_000}).encode()
    with post(f"{server['url']}/webhooks/rest/webhook", body) as response:
        assert response.status == 413


# --- socket.io ------------------------------------------------------------------------------

class Socket:
    """A socket.io client of this module's server, collecting what it receives."""

    def __init__(self, server: Dict[str, Any]) -> None:
        self.url, self.page = server["url"], server["page"]
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: "asyncio.Queue[Dict]" = asyncio.Queue()
        self.token: "asyncio.Future[str]" = asyncio.get_running_loop().create_future()
        self.client.on("bot_uttered", self.replies.put_nowait)
        self.client.on("session_confirm", self._confirmed)

    def _confirmed(self, token: str) -> None:
        if not self.token.done():
            self.token.set_result(token)

    async def open(self, session_id: Any = None) -> str:
        await self.client.connect(self.url, headers={"Origin": self.page}, transports=["polling"])
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.token, 10)

    async def say(self, data: Any) -> None:
        await self.client.emit("user_uttered", data)

    async def reply(self, timeout_s: float = 30) -> str:
        return (await asyncio.wait_for(self.replies.get(), timeout_s)).get("text", "")

    async def answer(self, quiet_s: float = 2, timeout_s: float = 30) -> str:
        """The texts of a whole answer (one or more bubbles), up to a pause of quiet_s seconds."""
        texts = [await self.reply(timeout_s)]
        while True:
            try:
                texts.append((await asyncio.wait_for(self.replies.get(), quiet_s)).get("text", ""))
            except asyncio.TimeoutError:
                return "\n".join(texts)

    async def nothing_within(self, seconds: float) -> bool:
        await asyncio.sleep(seconds)
        return self.replies.empty()


def run(coroutine) -> Any:
    return asyncio.new_event_loop().run_until_complete(coroutine)


HOSTILE = {
    "list": ["hej"],
    "string": "hej",
    "number": 5,
    "message-list": {"message": ["hej"]},
    "message-dict": {"message": {"a": 1}},
    "metadata-not-json": {"message": "hej", "metadata": "{nope"},
    "metadata-list": {"message": "hej", "metadata": [1, 2]},
    "metadata-huge": {"message": "hej", "metadata": {"x": "y" * 30_000}},
    "session-dict": {"message": "hej", "session_id": {"a": 1}},
}


def test_hostile_socketio_payloads_get_a_danish_reply_and_no_task_errors(server):
    async def attack() -> None:
        socket = Socket(server)
        token = await socket.open({"not": "a string"})  # a dict as session id: a fresh session
        for name, data in HOSTILE.items():
            await socket.say(data)
            assert await socket.reply() == BAD_MESSAGE_REPLY, name
        await socket.say({"message": "a" * 100_000, "session_id": token})  # 100 KB, under the packet cap
        assert await socket.reply() == SHORTEN_REPLY
        await socket.say({"message": "hej", "session_id": token})
        assert "Hej" in await socket.reply()
        await socket.client.disconnect()

    run(attack())
    assert "Task exception was never retrieved" not in server["log"]()


def test_a_second_socket_with_a_victims_ids_gets_nothing_of_theirs(server):
    async def takeover() -> None:
        victim = Socket(server)
        token = await victim.open()
        await victim.say({"message": "hvornår blev vækstcentret oprettet", "session_id": token})
        assert "2014" in await victim.answer()
        conversation = SessionTokens.from_environment().conversation(token)  # as logs and exports show it

        attacker = Socket(server)
        assert await attacker.open(conversation) != token  # the conversation id is no session token
        await attacker.say({"message": "hej", "session_id": token})  # the victim's token, not this socket's
        assert await attacker.reply() == BAD_MESSAGE_REPLY
        await victim.say({"message": "jeg vil tale med et menneske", "session_id": token})
        assert "72 20 00 30" in await victim.answer()
        assert await attacker.nothing_within(3)
        for socket in (victim, attacker):
            await socket.client.disconnect()
        body = json.dumps({"sender": conversation, "message": "hej"}).encode()
        with post(f"{server['url']}/webhooks/rest/webhook", body) as response:
            assert response.status == 400  # nor through the REST channel
        stored = sqlite3.connect(server["db"]).execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (conversation,)).fetchone()[0]
        assert stored == 2  # the victim's two messages, nothing of the attacker's

    run(takeover())


# --- servers --------------------------------------------------------------------------------

def port_of(url: str) -> int:
    """The port of `url` (the test ports are chosen per session by tests/conftest.py)."""
    port = urlsplit(url).port
    assert port is not None, url
    return port


def test_servers_listen_on_localhost_only(server, actions_service):
    for port in (port_of(server["url"]), port_of(actions_service.health_url)):
        addresses = listening_addresses(port)
        assert addresses and set(addresses) <= {"0100007F"}, (port, addresses)  # 127.0.0.1


def test_the_action_server_refuses_calls_without_the_token(actions_service):
    action_url = f"http://127.0.0.1:{port_of(actions_service.health_url)}"
    forged = json.dumps({"next_action": "action_give_advice", "sender_id": "x", "tracker": {
        "sender_id": "x", "slots": {"topic": "funding"}, "events": [], "latest_message": {}}, "domain": {}}).encode()
    for query in ("", "?token=wrong"):
        with post(f"{action_url}/webhook{query}", forged) as response:
            assert response.status == 401 and b"Finansiering" not in response.read()
    with urllib.request.urlopen(f"{action_url}/health", timeout=5) as response:
        assert response.status == 200


def test_a_knowledge_question_in_the_guided_advice_is_answered_while_the_action_server_is_down(server, actions_service):
    sender = f"down-{uuid.uuid4().hex[:8]}"
    assert "Hvor langt er du" in texts(rest(server, sender, "jeg vil gerne have råd om min virksomhed"))
    actions_service.stop()
    try:
        assert "privat virksomhed" in texts(rest(server, sender, "hvad er en socialøkonomisk virksomhed"))
        assert "72 20 00 30" in texts(rest(server, sender, "vi er i drift"))  # the form needs it: the handoff
    finally:
        actions_service.start()


# --- personal data --------------------------------------------------------------------------

def test_personal_data_is_redacted_in_storage_logs_and_exports(server, tmp_path):
    sender = f"pii-{uuid.uuid4().hex[:8]}"
    first = texts(rest(server, sender, PERSONAL_MESSAGE))
    assert CPR_NOTE in first
    assert CPR_NOTE not in texts(rest(server, sender, PERSONAL_MESSAGE))  # told once
    rest(server, sender, f"xqzw vbnmk {PERSONAL['cpr']} {PERSONAL['email']} cvr {PERSONAL['cvr']}")  # unsure: exported
    assert "72 20 00 30" in texts(rest(server, sender, "jeg vil tale med et menneske"))

    store = EnvSQLTrackerStore(dialect="sqlite", db=str(server["db"]))
    uncertain = review.export_uncertain(store, out_dir=tmp_path)
    story = review.export_story(store, sender, test=True, out_dir=tmp_path)
    assert uncertain and story
    places = {
        "tracker store": "\n".join(row[0] for row in sqlite3.connect(server["db"]).execute(
            "SELECT data FROM events WHERE sender_id = ?", (sender,))),
        "log": server["log"](),
        "uncertain export": uncertain.read_text(encoding="utf-8"),
        "story export": story.read_text(encoding="utf-8"),
    }
    for place, content in places.items():
        for kind, value in PERSONAL.items():
            assert value not in content and value.replace(" ", "") not in content, (place, kind)
    for export in ("uncertain export", "story export"):
        assert "[CPR]" in places[export] and "[CVR]" in places[export], export
    assert "[TELEFON]" in places["story export"] and "[CVR]" in places["tracker store"]
    assert "72 20 00 30" in places["tracker store"]  # the assistant's own number is kept
