"""Endings and requests about the conversation itself, in any dialogue state.

An ending ("tak for hjælpen!", "ok endelig. farvel", "thanks thats all", "ok forget it")
gets a short goodbye, bilingual when the user wrote English; "kan du sige det kortere" gets
the last answer in a few lines: the first sentence of each of its items (or of its
paragraphs, when it showed no item). Used by action_clarify (a message the NLU could not
place) and by the knowledge answer (channels/repeats.py), so neither answers a goodbye
with a topic text.

The actions of the goodbye, complain and stop rules (data/rules/): action_goodbye (the
goodbye, bilingual for English), action_complain (a request for a shorter answer gets
the summary, "så du ved det ikke" after an honest "I don't know" a short confirmation, a
caller who could not get through both phone numbers, any other complaint utter_complain)
and action_stop (leaving the guided advice or not; a question in the same message is
answered: "glem det, jeg vil bare vide hvad en rsv er").
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contact import numbers_reply, phone_link
from actions.endings import ASKS, GOODBYE_RESPONSE, ending, question_after_leaving
from actions.normalise import find_topic, fold
from actions.transcript import previous_reply, sentences, shown_items

logger = logging.getLogger(__name__)

SHORTER = re.compile(r"\b(kortere|kort sagt|kort version|kort fortalt|opsummer\w*|sammenfat\w*|i korte trak|shorter|tl;?dr)\b")
SUMMARY_LINES = 4

NOTHING_TO_SHORTEN = "Der er ikke noget svar endnu, jeg kan gøre kortere. Hvad vil du gerne vide?"
SUMMARY_INTRO = "Kort fortalt:"


def summary(bot_texts: List[str]) -> str:
    """The answer in `bot_texts` in at most SUMMARY_LINES lines (Danish markdown).

    Each line is the first sentence of an item the answer showed, in order; an answer
    without items gives the first sentence of each paragraph (source lines left out).
    NOTHING_TO_SHORTEN if there is no answer.
    """
    items = shown_items(bot_texts)
    if items:
        firsts = [sentences(item.text)[0] for item in items]
    else:
        paragraphs = [p for text in bot_texts for p in text.split("\n\n") if p.strip() and not p.startswith("Kilde:")]
        firsts = [sentences(p)[0] for p in paragraphs if sentences(p)]
    if not firsts:
        return NOTHING_TO_SHORTEN
    return "\n".join([SUMMARY_INTRO, *(f"- {line}" for line in firsts[:SUMMARY_LINES])])


def meta_reply(events: List[Dict[str, Any]], text: str) -> Optional[Dict[str, str]]:
    """The reply to an ending or a request for a shorter answer, or None.

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        text: the message.

    Returns:
        The keyword arguments of the reply for CollectingDispatcher.utter_message: a goodbye
        (`ending`) or {"text": the previous reply's summary (`summary`)}; None otherwise.
    """
    goodbye = ending(text)
    if goodbye:
        return goodbye
    if SHORTER.search(fold(text or "")):
        return {"text": summary(previous_reply(events))}
    return None


# Folded: the previous reply said honestly that the sources do not have it (actions.follow_up, the fallback).
SAID_NOT_KNOWN = re.compile(r"ved jeg desvarre ikke|star der ikke i mine kilder|siger ikke noget om det|"
                            r"kan jeg desvarre ikke (svare pa|hjalpe med)")
# Folded: "så du ved det ikke", "du ved det altså ikke?", "ved du det ikke".
YOU_DO_NOT_KNOW = re.compile(r"\b(du|i) ved (det )?(altsa |bare |slet |heller |simpelthen )?ikke\b|\bved (du|i) (det )?ikke\b")
CONFIRM_NOT_KNOWN = (
    "Nej, det står ikke i mine kilder. Ring til Erhvervsstyrelsen på "
    f"{phone_link()}, så hjælper en rådgiver dig."
)
COMPLAIN_RESPONSE = "utter_complain"


def complaint_reply(events: List[Dict[str, Any]], text: str) -> Dict[str, str]:
    """The reply to a message the NLU read as a complaint.

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        text: the message.

    Returns:
        utter_message keyword arguments: the summary of the previous answer for "kan du sige
        det kortere" (`meta_reply`); CONFIRM_NOT_KNOWN for "så du ved det ikke" right after an
        honest "I don't know"; both phone numbers with an acknowledgement for a caller who
        could not get through (actions.contact.numbers_reply); else {"response": "utter_complain"}.
    """
    meta = meta_reply(events, text)
    if meta:
        return meta
    folded = fold(text or "")
    if YOU_DO_NOT_KNOW.search(folded) and SAID_NOT_KNOWN.search(fold("\n".join(previous_reply(events)))):
        return {"text": CONFIRM_NOT_KNOWN}
    numbers = numbers_reply(text)
    return {"text": numbers} if numbers else {"response": COMPLAIN_RESPONSE}


class ActionGoodbye(Action):
    """The goodbye: bilingual for an English ending ("ok forget it"), utter_goodbye otherwise."""

    def name(self) -> Text:
        """action_goodbye"""
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the goodbye, or for a question or a fact the NLU took for a goodbye ("jeg har set et tal
        paa 292, hvad er det": no ending, a question word or a number) the follow-up's answer
        (actions.follow_up.follow_up_reply), never a goodbye; sets nothing."""
        from actions.follow_up import follow_up_reply  # actions.follow_up imports this module

        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        goodbye = ending(text)
        if goodbye is None and (ASKS.search(fold(text)) or re.search(r"\d", text)):
            logger.info("Goodbye: the message holds a question or a figure; answered it instead.")
            dispatcher.utter_message(text=follow_up_reply(tracker.events, latest).text)
            return []
        dispatcher.utter_message(**(goodbye or {"response": GOODBYE_RESPONSE}))
        return []


class ActionComplain(Action):
    """A complaint, or what the NLU took for one: see `complaint_reply`."""

    def name(self) -> Text:
        """action_complain"""
        return "action_complain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the reply of `complaint_reply`; sets nothing."""
        reply = complaint_reply(tracker.events, (tracker.latest_message or {}).get("text") or "")
        if "text" in reply:
            logger.info("Complain: answered a request about the conversation or the phone line.")
        dispatcher.utter_message(**reply)
        return []


STOPPED_FORM_RESPONSE, STOPPED_RESPONSE = "utter_advice_stopped", "utter_stop"
STOPPED_THEN_ANSWER = "Helt i orden, så stopper vi rådgivningen her."


def left_the_form(events: List[Dict[str, Any]]) -> bool:
    """True if the guided advice was stopped after the latest user message (the rule's action_deactivate_loop)."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    after = events[users[-1] + 1:] if users else events
    return any(e.get("event") == "active_loop" and e.get("name") is None for e in after)


def question_topic(text: str, parse_data: Dict[str, Any]) -> Optional[str]:
    """The faq key of the question in a message that also leaves ("glem det, hvad er en rsv"), or None.

    Args:
        text: the message.
        parse_data: its NLU result (the item selector's ranking names the topic).
    """
    if question_after_leaving(text) is None:
        return None
    return find_topic(None, {**parse_data, "intent": {"name": "stop"}})


class ActionStop(Action):
    """A stop: inside the guided advice utter_advice_stopped, outside utter_stop; a question in
    the same message ("glem det, jeg vil bare vide hvad en rsv er") is answered after a short
    "we stop" instead (utter_faq/<key> of `question_topic`)."""

    def name(self) -> Text:
        """action_stop"""
        return "action_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the stop and, if the message asked something, the answer; sets nothing."""
        latest = tracker.latest_message or {}
        in_form = left_the_form(tracker.events)
        topic = question_topic(latest.get("text") or "", latest)
        if topic:
            logger.info("Stop with a question: answered %s.", topic)
            if in_form:
                dispatcher.utter_message(text=STOPPED_THEN_ANSWER)
            dispatcher.utter_message(response=f"utter_faq/{topic}")
        else:
            dispatcher.utter_message(response=STOPPED_FORM_RESPONSE if in_form else STOPPED_RESPONSE)
        return []
