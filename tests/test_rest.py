"""Bad input through the REST channel never crashes the server or loses the conversation."""

import json
import uuid

import pytest

from tests.helpers import post, texts


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
