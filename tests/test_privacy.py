"""Redaction, text cleaning, typed commands, session tokens and the retention setting, without servers.

Retention and erasure themselves are tested on SQLite and PostgreSQL in tests/test_retention.py.
"""

from __future__ import annotations

import pytest

from actions.prompts import offered_payloads as action_payloads
from channels.redaction import redact
from channels.screening import clean, offered_payloads, own_text
from channels.sessions import SessionTokens
from storage.retention import retention_days


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mit cpr er 010190-1234", "mit cpr er [CPR]"),  # valid date, any check digit
        ("cpr 0101901233.", "cpr [CPR]."),  # without dash, invalid check digit
        ("010190 1234", "[CPR]"),
        ("ring 12345678", "ring [TELEFON]"),
        ("ring på +45 12 34 56 78 el. 0045 1234 5678", "ring på [TELEFON] el. [TELEFON]"),
        ("tlf. +4512345678", "tlf. [TELEFON]"),
        ("skriv til mia.hansen+chat@eksempel.dk", "skriv til [EMAIL]"),
        ("ring til Erhvervsstyrelsen på 72 20 00 30", "ring til Erhvervsstyrelsen på 72 20 00 30"),
        ("hovednummeret er 35 29 10 00", "hovednummeret er 35 29 10 00"),
        ("Vækstcentret fra 2014-2015", "Vækstcentret fra 2014-2015"),
        ("samtale web-ab12345678cd", "samtale web-ab12345678cd"),
        # A CVR number can name a sole trader: [CVR] where it is introduced as one; bare 8 digits stay [TELEFON].
        ("vores cvr-nr. er 31 41 59 26", "vores cvr-nr. er [CVR]"),
        ("CVR: 31415926, tlf. 12345678", "CVR: [CVR], tlf. [TELEFON]"),
        ("cvr.nr.31415926 / momsnr. DK31415926", "cvr.nr.[CVR] / momsnr. [CVR]"),
        ("CVR-nummer 31415926", "CVR-nummer [CVR]"),
        ("firmaet har nummer 31415926", "firmaet har nummer [TELEFON]"),
        ("har vi et cvr, ring 72 20 00 30", "har vi et cvr, ring 72 20 00 30"),
        ("cvr-nr. 010190-1234", "cvr-nr. [CPR]"),
    ],
)
def test_personal_data_is_replaced_by_placeholders(text, expected):
    assert redact(text).text == expected


def test_a_cpr_number_is_flagged_so_the_user_can_be_told():
    assert redact("010190-1234").had_cpr and not redact("12345678").had_cpr


def test_lone_surrogates_and_control_characters_are_cleaned():
    assert clean("hej\ud800 med\x00 dig\u202e\n") == "hej med dig"
    assert clean("👩‍👩‍👧 ø") == "👩‍👩‍👧 ø"  # emoji sequences and Danish letters stay


def test_only_offered_button_payloads_pass_as_commands():
    offered = offered_payloads()
    assert {"/greet", "/request_advice"} <= offered  # the widget's first message, the fallback's button
    for payload in action_payloads():  # every button of the guided advice
        assert own_text(payload) == payload
    assert own_text('/inform{"phase": "drift"}') == '/inform{"phase": "drift"}'  # whitespace does not matter
    assert own_text("/restart") == "restart"
    assert own_text('/inform{"topic":"made_up"}') == 'inform{"topic":"made_up"}'
    assert own_text("hej") == "hej"


def test_session_tokens_are_signed_and_conversation_ids_are_no_tokens():
    tokens, other = SessionTokens(b"k" * 32), SessionTokens(b"o" * 32)
    token = tokens.issue()
    conversation = tokens.conversation(token)
    assert conversation and conversation.startswith("web-") and token != tokens.issue()
    assert tokens.conversation(token) == conversation  # stable across reconnects
    for forged in (conversation, other.issue(), token[:-1] + "0", "a" * 32, {"a": 1}, None):
        assert tokens.conversation(forged) is None or forged == token


def test_retention_days_come_from_the_environment():
    assert retention_days({}) == 90 and retention_days({"RETENTION_DAYS": "30"}) == 30
    for bad in ("0", "-1", "ti", "1.5"):
        with pytest.raises(ValueError):
            retention_days({"RETENTION_DAYS": bad})
