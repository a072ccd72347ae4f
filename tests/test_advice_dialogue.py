"""Guided advice through the REST channel, with the action server running and stopped."""

import json

import pytest

from scripts.serving.services import action_server, free_port, rasa_server
from tests.helpers import OUTPUT, post, texts

PHONE_LINK = "tel:+4572200030"


def buttons(reply):
    return [button["payload"] for message in reply for button in message.get("buttons", [])]


def test_guided_advice_asks_one_question_at_a_time_and_gives_sourced_advice(say):
    assert '/inform{"phase":"drift"}' in buttons(say("jeg vil gerne have råd om min virksomhed"))
    assert '/inform{"company_form":"forening"}' in buttons(say("vi er i drift"))
    assert '/inform{"topic":"rsv_criteria"}' in buttons(say("forening"))
    assert '/inform{"municipality":"ukendt"}' in buttons(say('/inform{"topic":"rsv_criteria"}'))
    advice = texts(say("vi ligger i aarhus"))
    assert "en forening med eget CVR-nummer kan blive RSV" in advice and "enkeltmandsvirksomhed derimod ikke" in advice
    assert "Erhvervshus Midtjylland" in advice and "Kilde:" in advice and PHONE_LINK in advice


def test_bare_answers_fill_the_form(say):
    say("kan du give mig nogle råd om min virksomhed")
    assert '/inform{"company_form":"aps"}' in buttons(say("vækst"))
    assert '/inform{"topic":"growth"}' in buttons(say("fond"))
    say('/inform{"topic":"growth"}')
    advice = texts(say("Lemvig"))
    assert "for en erhvervsdrivende fond i udviklingsfasen" in advice and "I Lemvig Kommune" in advice


def test_an_opening_with_facts_prefills_the_form(say):
    reply = say("vi er en forening i Aarhus og vil gerne vokse")
    assert '/inform{"topic":"growth"}' in buttons(reply)  # straight to the topic, for udvikling
    advice = texts(say('/inform{"topic":"funding"}'))
    assert "for en forening i udviklingsfasen" in advice and "Erhvervshus Midtjylland" in advice


def test_a_knowledge_question_during_the_form_is_answered_and_the_form_goes_on(say):
    say("kan du give mig nogle råd")
    reply = say("hvornår blev vækstcentret oprettet?")
    assert "4. september 2014" in texts(reply)
    assert '/inform{"phase":"drift"}' in buttons(reply)  # the phase question again


def test_stop_leaves_the_form_politely(say):
    say("jeg vil gerne have råd om min virksomhed")
    say("vi er ved at starte op")
    reply = texts(say("stop"))
    assert "stopper vi her" in reply and PHONE_LINK in reply
    assert "2014" in texts(say("hvornår blev vækstcentret oprettet?"))


@pytest.fixture(scope="module")
def server_losing_its_action_server(model, tmp_path_factory):
    """A Rasa server whose action server is stopped after start-up; yields its base URL."""
    action_port, rasa_port = free_port(), free_port()
    endpoints = tmp_path_factory.mktemp("down") / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://localhost:{action_port}/webhook"\n')
    with action_server(port=action_port, log_path=OUTPUT / "action-server-stopped.log") as actions:
        with rasa_server(model, port=rasa_port, endpoints=str(endpoints), log_path=OUTPUT / "rasa-server-no-actions.log"):
            actions.stop()
            yield f"http://localhost:{rasa_port}"


def test_without_the_action_server_faq_works_and_advice_hands_off(server_losing_its_action_server):
    def say(text):
        body = json.dumps({"sender": "no-actions", "message": text}).encode()
        with post(f"{server_losing_its_action_server}/webhooks/rest/webhook", body) as response:
            assert response.status == 200
            return texts(json.loads(response.read()))

    assert "4. september 2014" in say("hvornår blev vækstcentret oprettet?")
    assert PHONE_LINK in say("jeg vil gerne have råd om min virksomhed")
    assert "2014" in say("hvornår blev vækstcentret oprettet")
