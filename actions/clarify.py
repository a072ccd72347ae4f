"""Asking instead of guessing: "Mener du …?" with the closest knowledge items as buttons.

An ending ("thanks thats all", "ok forget it") gets a short goodbye and "kan du sige det
kortere" a summary of the last answer (actions.meta). Right after a knowledge answer, an
unclear message is then read as a follow-up of it
("og hvor mange penge skal der stå i selskabet" after the fee for an ApS): if it asks for
something (a price, a time, …), names a company form, or its closest item belongs to the
answer's topic, and the answer's items or their neighbours have it, that is the reply; an
elliptical message is read against the answer too (actions.follow_up.thread_reply), and one
that asks for something gets an honest "I don't know" with the phone number if nothing has it.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.follow_up import (
    RELATED,
    Reply,
    answered_just_before,
    asked_for,
    elliptical,
    faq_key,
    follow_up_reply,
    previous_question,
    thread_reply,
)
from actions.knowledge import KNOWLEDGE_ITEM, load_items
from actions.meta import meta_reply
from actions.normalise import find_value
from actions.prompts import CLARIFY_OTHERWISE, CLARIFY_QUESTION, REPHRASE, REPHRASE_BUTTONS

logger = logging.getLogger(__name__)

CLARIFY_BUTTONS = 3
# The least confidence (0-1, the item ranking's share) at which an item is offered.
MIN_OFFERED_CONFIDENCE = 0.05


def closest_questions(parse_data: Dict[str, Any], limit: int = CLARIFY_BUTTONS) -> List[str]:
    """The questions of the items closest to a message, best first (at most `limit`).

    Args:
        parse_data: the message's NLU result; its "knowledge_item" (from
            components/item_selector.py) ranks the items, or is None/absent.
    Returns:
        Item questions, e.g. ["Kan en forening blive RSV?"]; empty if no item is close.
    """
    questions = {item.id: item.question for item in load_items()}
    ranking = (parse_data.get(KNOWLEDGE_ITEM) or {}).get("ranking") or []
    return [questions[entry["id"]] for entry in ranking
            if entry["id"] in questions and entry["confidence"] >= MIN_OFFERED_CONFIDENCE][:limit]


def as_follow_up(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> Optional[str]:
    """The reply to an unclear message read as a follow-up of the answer just given, or None.

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        latest: the message's parse data.

    Returns:
        The follow-up's answer (an item or a sentence, actions.follow_up) if the previous
        message was a knowledge question or follow-up (or its reply showed items) and the
        message leans on it (see the module
        docstring); None otherwise.
    """
    if not answered_just_before(events):
        return None
    question, _ = previous_question(events)
    topic = faq_key(question["parse_data"]) if question else None
    text = latest.get("text") or ""
    ranking = (latest.get(KNOWLEDGE_ITEM) or {}).get("ranking") or []
    near = bool(ranking) and topic is not None and ranking[0].get("topic") in (topic, *RELATED.get(topic, ()))
    if asked_for(text) or find_value("company_form", text) or near:
        reply: Optional[Reply] = follow_up_reply(events, latest)
    else:
        reply = thread_reply(events, latest)  # elliptical only; a guessed item becomes "I don't know"
    if reply is None:
        return None
    asks = [ask for ask in asked_for(text) if ask != "why"]
    return reply.text if reply.answers or (asks and elliptical(text) and reply.kind == "unknown") else None


class ActionClarify(Action):
    """Below the calibrated confidence: "Mener du …?" with two or three item questions as
    buttons (payload: the question, so a click is understood like typing it), then the
    phone number; a message with no close item gets the rephrase request. Right after a
    knowledge answer, a message that leans on it is answered as a follow-up instead."""

    def name(self) -> Text:
        """action_clarify"""
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the follow-up's answer, or the clarifying question and the phone number, or the rephrase request."""
        latest = tracker.latest_message or {}
        meta = meta_reply(tracker.events, latest.get("text") or "")
        if meta:
            logger.info("Clarify: an ending or a request for a shorter answer.")
            dispatcher.utter_message(**meta)
            return []
        follow_up = as_follow_up(tracker.events, latest)
        if follow_up:
            logger.info("Clarify: read an unclear message as a follow-up of the answer just given.")
            dispatcher.utter_message(text=follow_up)
            return []
        questions = closest_questions(latest)
        if len(questions) < 2:
            logger.info("Clarify: no close knowledge item; asking to rephrase.")
            dispatcher.utter_message(text=REPHRASE, buttons=REPHRASE_BUTTONS)
            return []
        dispatcher.utter_message(text=CLARIFY_QUESTION, buttons=[{"title": q, "payload": q} for q in questions])
        dispatcher.utter_message(text=CLARIFY_OTHERWISE)
        return []
