"""Asking instead of guessing: "Mener du …?" with the closest knowledge items as buttons."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge import KNOWLEDGE_ITEM, load_items
from actions.prompts import CLARIFY_QUESTION, REPHRASE, REPHRASE_BUTTONS

logger = logging.getLogger(__name__)

CLARIFY_BUTTONS = 3
# The least confidence (0-1, the item ranking's share) at which an item is offered.
MIN_OFFERED_CONFIDENCE = 0.05
HANDOFF = "utter_handoff"  # the domain response with the phone number


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


def _response_text(domain: DomainDict, name: str) -> Optional[str]:
    variations = (domain.get("responses") or {}).get(name) or []
    return variations[0].get("text") if variations else None


class ActionClarify(Action):
    """Below the calibrated confidence: "Mener du …?" with two or three item questions as
    buttons (payload: the question, so a click is understood like typing it) and the
    phone number of the handoff; a message with no close item gets the rephrase request."""

    def name(self) -> Text:
        """action_clarify"""
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the clarifying question or the rephrase request; sets nothing."""
        questions = closest_questions(tracker.latest_message or {})
        handoff = _response_text(domain, HANDOFF)
        if len(questions) < 2 or handoff is None:
            logger.info("Clarify: no close knowledge item (or no %s response); asking to rephrase.", HANDOFF)
            dispatcher.utter_message(text=REPHRASE, buttons=REPHRASE_BUTTONS)
            return []
        dispatcher.utter_message(
            text=f"{CLARIFY_QUESTION}\n\n{handoff}",
            buttons=[{"title": question, "payload": question} for question in questions],
        )
        return []
