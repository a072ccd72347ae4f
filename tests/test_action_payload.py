"""The action server gets the recent events and a slim domain, and the actions answer as with everything (channels.action_payload)."""

import asyncio
import copy
import json
from typing import Any, Dict, List

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarify
from actions.follow_up import ActionFollowUp
from actions.validation import ValidateAdviceForm
from channels import action_payload
from channels.action_payload import ACTION_SERVER_TURNS, recent_events
from tests.helpers import DOMAIN, T0, conversation, turn

action_payload.install()  # as importing the channels package does in the Rasa server


def chat_turns(count: int, start: float) -> List[Any]:
    """`count` knowledge questions and answers, one a second from `start` (Unix time, s)."""
    return [turn("hvad koster det at starte en aps", [("faq", 0.9)], "utter_faq", start + i, faq_key="faq/cvr_registration")
            for i in range(count)]


def long_form_conversation() -> Any:
    """30 messages: the company form given at message 2, chat, then the form asking for the phase at the last."""
    early = [UserUttered("vi er et aps", {"name": "inform", "confidence": 0.9}, timestamp=T0 + 1),
             SlotSet("company_form", "aps", timestamp=T0 + 1.1), ActionExecuted("utter_ask_what", timestamp=T0 + 1.2),
             BotUttered("hvad vil du vide", timestamp=T0 + 1.3), ActionExecuted("action_listen", timestamp=T0 + 1.4)]
    form = [UserUttered("jeg vil gerne have råd", {"name": "request_advice", "confidence": 0.9}, timestamp=T0 + 90),
            ActionExecuted("advice_form", timestamp=T0 + 90.1), ActiveLoop("advice_form", timestamp=T0 + 90.1),
            SlotSet("requested_slot", "phase", timestamp=T0 + 90.2), ActionExecuted("action_listen", timestamp=T0 + 90.3),
            UserUttered("vi er ved at starte op", {"name": "inform", "confidence": 0.9},
                        [{"entity": "phase", "value": "opstart", "start": 10, "end": 22}], timestamp=T0 + 91),
            SlotSet("phase", "opstart", timestamp=T0 + 91.1)]
    return conversation("lang", early, *chat_turns(27, T0 + 10), form)


def payloads(action: str) -> Dict[str, Dict[str, Any]]:
    """The request Rasa sends for `action` on the long conversation, slimmed and as Rasa builds it,
    each as the action server receives it (through JSON)."""
    tracker = long_form_conversation()
    slim = RemoteAction(action, EndpointConfig("http://localhost:1/webhook"))._action_call_format(tracker, DOMAIN)
    full = {**slim, "tracker": tracker.current_state(EventVerbosity.ALL), "domain": DOMAIN.as_dict()}
    return {name: json.loads(json.dumps(payload)) for name, payload in (("slim", slim), ("full", full))}


def run_sdk(action: Any, payload: Dict[str, Any]) -> Any:
    """What an SDK action returns and says for `payload`, as the action server runs it."""
    dispatcher, payload = CollectingDispatcher(), copy.deepcopy(payload)  # the SDK adds to the tracker's events
    result = action.run(dispatcher, Tracker.from_dict(payload["tracker"]), payload.get("domain", {}))
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, dispatcher.messages


def test_the_request_holds_the_last_user_messages_and_the_slot_values_set_before_them():
    sent = payloads("validate_advice_form")
    events = sent["slim"]["tracker"]["events"]
    assert sum(e["event"] == "user" for e in events) == ACTION_SERVER_TURNS
    assert {"event": "slot", "name": "company_form", "value": "aps"}.items() <= events[0].items()
    assert len(events) < len(sent["full"]["tracker"]["events"]) / 2
    assert sent["slim"]["tracker"]["slots"] == sent["full"]["tracker"]["slots"]
    assert sent["slim"]["tracker"]["latest_message"] == sent["full"]["tracker"]["latest_message"]


def test_the_domain_sent_is_what_the_form_validation_reads():
    domain = payloads("validate_advice_form")["slim"]["domain"]
    assert set(domain) == {"slots", "forms"}
    assert domain["forms"]["advice_form"]["required_slots"] == DOMAIN.as_dict()["forms"]["advice_form"]["required_slots"]


def test_the_form_validation_answers_the_slim_request_as_the_full_one():
    sent = payloads("validate_advice_form")
    assert Tracker.from_dict(sent["slim"]["tracker"]).slots_to_validate() == {"phase": "opstart"}
    result, messages = run_sdk(ValidateAdviceForm(), sent["slim"])
    assert (result, messages) == run_sdk(ValidateAdviceForm(), sent["full"])
    assert {"event": "slot", "name": "phase", "value": "etablering"}.items() <= result[0].items()


def test_the_clarification_answers_the_slim_request_as_the_full_one():
    sent = payloads(ActionClarify().name())
    assert run_sdk(ActionClarify(), sent["slim"]) == run_sdk(ActionClarify(), sent["full"])


def test_a_short_conversation_is_sent_as_it_is():
    events = [{"event": "user", "text": "hej"}, {"event": "slot", "name": "phase", "value": "drift"}]
    assert recent_events(events, turns=2) is events


def test_only_the_last_value_of_a_slot_set_before_the_cut_is_kept():
    events = [{"event": "slot", "name": "phase", "value": "opstart"}, {"event": "user", "text": "a"},
              {"event": "slot", "name": "topic", "value": "funding"}, {"event": "slot", "name": "phase", "value": "drift"},
              {"event": "user", "text": "b"}, {"event": "bot", "text": "c"}]
    assert recent_events(events, turns=1) == [events[2], events[3], *events[4:]]


def test_a_follow_up_after_a_long_conversation_answers_the_question_before_it():
    follow_up = [UserUttered("og hvad koster det?", {"name": "follow_up", "confidence": 0.9}, timestamp=T0 + 99)]
    tracker = conversation("opfølgning", *chat_turns(25, T0 + 10), follow_up)
    slim = RemoteAction("action_follow_up", EndpointConfig("http://localhost:1/webhook"))._action_call_format(tracker, DOMAIN)
    full = {**slim, "tracker": tracker.current_state(EventVerbosity.ALL)}
    events, messages = run_sdk(ActionFollowUp(), json.loads(json.dumps(slim)))
    assert (events, messages) == run_sdk(ActionFollowUp(), json.loads(json.dumps(full)))
    assert "670 kr." in messages[0]["text"]  # the ApS fee, the answer to the question asked before
