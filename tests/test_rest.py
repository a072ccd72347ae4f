"""The REST channel (channels.rest): its request checks in process on a bare Sanic app
(no model), and bad input through the running server, which never crashes it or loses
the conversation."""

import asyncio
import json
import logging
import uuid
from typing import Any, Dict, List, Tuple

import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from channels.guard import HANDOFF_ON_SILENCE
from channels.rest import RestInput
from channels.screening import BAD_MESSAGE_REPLY, MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, SHORTEN_REPLY
from tests.helpers import post, texts

WEBHOOK = "/webhooks/rest/webhook"


class EchoAgent:
    """Stands in for Rasa's agent: answers "ekko: <text>", and nothing to "stille"."""

    async def handle_message(self, message: UserMessage) -> None:
        if message.text != "stille":
            await message.output_channel.send_response(message.sender_id, {"text": f"ekko: {message.text}"})


@pytest.fixture(scope="module")
def app() -> Sanic:
    """A bare Sanic app with the REST channel and EchoAgent, started once (Sanic starts one app per process)."""
    app = Sanic("rest_channel_test")
    app.ctx.agent = EchoAgent()
    register([RestInput()], app, route="/webhooks/")
    asyncio.run(app._startup())
    return app


def call_channel(app: Sanic, body: bytes, method: str = "POST", path: str = WEBHOOK) -> Tuple[int, Any]:
    """Sends `body` to `path` of `app` through ASGI; returns (status, parsed JSON body)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"localhost"), (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80)}
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    outgoing: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(event: Dict[str, Any]) -> None:
        outgoing.append(event)

    asyncio.run(app(scope, receive, send))
    status = next(event["status"] for event in outgoing if event["type"] == "http.response.start")
    content = b"".join(event.get("body", b"") for event in outgoing if event["type"] == "http.response.body")
    return status, json.loads(content) if content else None


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"{not json", "the body is not valid JSON"),
        (b"", "the body is NoneType, not a JSON object"),
        (b"[]", "the body is list, not a JSON object"),
        (b'{"message": "hej"}', "the sender must be a non-empty string"),
        (b'{"sender": "  ", "message": "hej"}', "the sender must be a non-empty string"),
        (json.dumps({"sender": "x" * (MAX_SENDER_CHARS + 1), "message": "hej"}).encode(), "the sender must be"),
        (b'{"sender": "x"}', "the message must be a string"),
        (b'{"sender": "x", "message": ["a"]}', "the message must be a string"),
        (b'{"sender": "x", "message": "hej", "metadata": [1]}', "the metadata must be a JSON object"),
    ],
    ids=["broken-json", "no-body", "json-list", "no-sender", "blank-sender", "long-sender", "no-message",
         "message-list", "metadata-list"],
)
def test_a_malformed_request_gets_a_400_with_a_danish_reply_and_a_log_line(app, body, problem, caplog):
    with caplog.at_level(logging.WARNING, logger="channels.rest"):
        status, reply = call_channel(app, body)
    assert status == 400 and reply["text"] == BAD_MESSAGE_REPLY and problem in reply["error"]
    assert "Rejected a REST message" in caplog.text and problem in caplog.text


def test_a_too_long_message_is_asked_to_be_shorter_and_never_reaches_the_agent(app):
    status, reply = call_channel(app, json.dumps({"sender": "x", "message": "a " * MAX_MESSAGE_CHARS}).encode())
    assert status == 200 and [r["text"] for r in reply] == [SHORTEN_REPLY]


def test_a_good_request_is_answered_as_by_rasas_channel(app):
    status, reply = call_channel(app, json.dumps({"sender": "anna", "message": "hej", "metadata": {"a": 1}}).encode())
    assert (status, reply) == (200, [{"recipient_id": "anna", "text": "ekko: hej"}])


def test_an_unanswered_message_gets_the_handoff(app):
    status, reply = call_channel(app, b'{"sender": "anna", "message": "stille"}')
    assert status == 200 and [message["text"] for message in reply] == [HANDOFF_ON_SILENCE]


def test_other_methods_are_not_checked(app):
    status, reply = call_channel(app, b"", method="GET", path="/webhooks/rest/")  # the channel's health route
    assert status == 200 and reply == {"status": "ok"}


def _send_raw(rasa_url: str, body: bytes):
    return post(f"{rasa_url}/webhooks/rest/webhook", body)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "a" * 10_000, "😀🙏🚀", "<script>alert('x')</script>", "'; DROP TABLE events; --", "\u0000\u202e"],
    ids=["empty", "blank", "10k-chars", "emoji", "script-tag", "sql", "control-chars"],
)
def test_bad_text_gets_a_reply_or_4xx(rasa_url, text):
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    with _send_raw(rasa_url, json.dumps({"sender": sender, "message": text}).encode()) as response:
        assert response.status < 500
        if response.status == 200:
            reply = texts(json.loads(response.read()))
            assert reply and "<script" not in reply  # a Danish reply, never an echo of the markup
    # The conversation goes on afterwards.
    with _send_raw(rasa_url, json.dumps({"sender": sender, "message": "hej"}).encode()) as response:
        assert response.status == 200
        assert "Hej" in texts(json.loads(response.read()))


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[]", b'{"message": "hej"}', b'{"sender": "x"}', b'{"sender": 5, "message": ["a"]}'],
    ids=["broken-json", "no-body", "json-list", "no-sender", "no-message", "wrong-types"],
)
def test_malformed_requests_get_4xx_not_5xx(rasa_url, body):
    with _send_raw(rasa_url, body) as response:
        assert response.status < 500


def test_server_still_answers_after_bad_input(say):
    assert "2014" in texts(say("hvornår blev vækstcentret oprettet"))
