"""Unit tests of the guided advice yielding to the user: side questions, leaving with a question,
typed topics and one-line openings (actions.validation, actions.normalise), with rasa_sdk trackers."""

import asyncio
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.meta import STOPPED_THEN_ANSWER
from actions.normalise import find_topic, find_value
from actions.prompts import WHY_ASKED
from actions.validation import MISSES_SLOT, ValidateAdviceForm, named_in_passing, side_question


def _parse(text: str, intent: str, topic: Optional[str] = None) -> Dict[str, Any]:
    """Parse data of `text`: `intent`, and for faq the response selector's key faq/<topic>."""
    latest: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    if topic:
        latest["response_selector"] = {"faq": {"response": {"intent_response_key": f"faq/{topic}"}}}
        latest["knowledge_item"] = {"ranking": [{"id": "x", "topic": topic, "confidence": 0.9}]}
    return latest


Messages = List[Dict[str, Any]]


def validate(slots: Dict[str, Any], text: str, intent: str = "faq", topic: Optional[str] = None) -> Tuple[Messages, Messages]:
    """Runs validate_advice_form on `text` while the form asks slots["requested_slot"]; (messages, events)."""
    tracker = Tracker("u", slots, _parse(text, intent, topic), [], False, None, {"name": "advice_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateAdviceForm().run(dispatcher, tracker, {"forms": {}, "slots": {}}))
    return dispatcher.messages, events


def slot_values(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


@pytest.mark.parametrize("text", [
    "vent lige, hvad er egentlig forskellen på en forening og et aps?",
    "hov, hvordan søger man egentlig en fond",
    "hvad koster et cvr-nummer?",
])
def test_a_side_question_at_the_company_form_question_is_answered_and_the_question_comes_again(text):
    messages, events = validate({"requested_slot": "company_form", "phase": "drift", MISSES_SLOT: 1}, text, topic="company_form")
    assert [m.get("response") for m in messages] == ["utter_faq/company_form"]
    assert slot_values(events) == {"company_form": None, MISSES_SLOT: 1}  # no value taken, no miss counted


@pytest.mark.parametrize("text", [
    "vi er en forening, kan vi blive rsv?",  # a statement with the answer: it fills the slot
    "forening. hvad koster det?",  # a bare value first
    "det er et aps",
])
def test_an_answer_with_a_question_in_it_is_no_side_question(text):
    assert not side_question("company_form", _parse(text, "faq", "rsv_criteria"))


def test_a_whole_question_to_the_topic_question_is_the_topic_not_a_side_question():
    assert not side_question("topic", _parse("hvordan søger vi en fond?", "faq", "funding"))


@pytest.mark.parametrize("text, intent, topic", [
    ("glem det nu. jeg vil bare vide hvor meget kapital en erhvervsdrivende fond skal have", "faq", "company_form"),
    ("drop det, hvad koster det at stifte et aps", "inform", "company_form"),
    ("ligegyldigt, hvornår skal vi momsregistreres?", "deny", "tax_vat_accounting"),
])
def test_leaving_with_a_question_ends_the_form_and_answers_it(text, intent, topic):
    messages, events = validate({"requested_slot": "company_form", "phase": "drift"}, text, intent, topic)
    assert messages[0]["text"] == STOPPED_THEN_ANSWER and messages[1]["response"] == f"utter_faq/{topic}"
    assert slot_values(events)["requested_slot"] is None  # the form ends (Rasa's early termination)


def test_a_stop_the_nlu_recognised_is_left_to_the_stop_rule():
    messages, events = validate({"requested_slot": "phase"}, "glem det, hvad er en rsv", "stop", "rsv_criteria")
    assert messages == [] and "requested_slot" not in slot_values(events)


@pytest.mark.parametrize("text", ["hvorfor skal du vide det", "hvad skal du bruge det til?", "hvorfor spørger du om det"])
def test_asking_why_gets_the_reason_and_the_way_to_skip(text):
    messages, events = validate({"requested_slot": "phase"}, text, "bot_challenge")
    assert messages[0]["text"] == WHY_ASKED and "spring over" in WHY_ASKED
    assert slot_values(events)["phase"] is None


@pytest.mark.parametrize("text, topic", [
    ("penge. vi har ingen", "funding"),
    ("offentlige udbud", "public_procurement"),
    ("offentlige udbud. og kommunen er odense", "public_procurement"),
    ("ansættelse af folk på kanten af arbejdsmarkedet", "hiring_special_terms"),
    ("noget med moms", "tax_vat_accounting"),
    ("vores frivillige", "volunteers"),
])
def test_a_typed_topic_is_the_topic(text, topic):
    assert find_topic(text, {}) == topic


@pytest.mark.parametrize("text", ["hvor meget kapital skal et aps have?", "penge og moms"])
def test_a_question_or_two_topics_name_no_topic_by_words(text):
    assert find_topic(text, {}) is None


def test_a_company_form_stated_at_the_topic_question_is_not_the_topic():
    _, events = validate({"requested_slot": "topic", "phase": "drift", "company_form": "forening"},
                                "vi er en forening", "inform", "company_form")
    assert slot_values(events).get("topic") is None


def test_a_one_line_opening_fills_every_slot_it_names():
    text = "raad tak: forening, lige startet, frivillige, hilleroed"
    latest = _parse(text, "request_advice")
    assert find_value("phase", named_in_passing("phase", text, latest)) == "etablering"
    assert find_value("company_form", named_in_passing("company_form", text, latest)) == "forening"
    assert find_value("municipality", named_in_passing("municipality", text, latest)) == "Hillerød"
    assert named_in_passing("topic", text, latest) == "volunteers"


def test_wanting_only_an_answer_ends_the_form_and_answers_it():
    """Round 6 (#47): at the company form question the question filled the form ("aps") and the
    topic question came; the founder only wanted the price."""
    messages, events = validate({"requested_slot": "company_form", "phase": "etablering"},
                                "egentlig vil jeg bare vide hvad et aps koster at starte", "faq", "cvr_registration")
    assert messages[0]["text"] == STOPPED_THEN_ANSWER and messages[1]["response"] == "utter_faq/cvr_registration"
    assert slot_values(events)["requested_slot"] is None and "company_form" not in slot_values(events)
