"""English messages: a short bilingual note and the Danish answer, or the notice with the phone number.

The NLU is trained on Danish, so an English question ("How do I register as a social
enterprise?") rarely gets a confident faq topic from the ResponseSelector. English key
words name the topic instead (ENGLISH_TOPICS, first match wins), or the
ResponseSelector's topic when it is at least MIN_TOPIC_CONFIDENCE sure. A message with
neither right after a knowledge answer ("My co-founder joins next month, does that change
anything?") stays on that answer's topic: the first of its items not shown yet
(`thread_item`). A message with neither elsewhere ("Can you answer in English please?")
gets utter_other_language: Danish only, with the phone number. An English ending ("thanks thats all") gets the bilingual goodbye
(actions.meta).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.contact import phone_link
from actions.knowledge import answer_items, load_items, load_topics
from actions.meta import meta_reply
from actions.transcript import previous_reply, shown_items

logger = logging.getLogger(__name__)

MIN_TOPIC_CONFIDENCE = 0.5  # the ResponseSelector's confidence (0-1) in an English message's topic
NOTICE_RESPONSE = "utter_other_language"
# A message about the language itself gets the notice, never more of the previous topic.
ABOUT_LANGUAGE = re.compile(r"\b(english|engelsk|danish|language|translat\w*)\b")
ENGLISH_BUTTONS = 3  # the topic's other questions offered as buttons after an English answer
ENGLISH_NOTE = (
    "I answer in Danish only, so here is my answer in Danish. To talk to a person in English, call the Danish "
    f"Business Authority (Erhvervsstyrelsen) on {phone_link()}. Jeg svarer på dansk:"
)
# (English words, faq key or item id), first match wins: the more specific come first.
ENGLISH_TOPICS: Tuple[Tuple[str, str], ...] = (
    (r"\bdividends?\b|\bpay (me|us|them|owners?) out\b", "rsv_criteria_dividend"),
    (r"\b(benefits?|advantages?)\b.*\b(rsv|regist\w*|social enterprise)|\b(rsv|regist\w*)\b.*\b(benefits?|advantages?)\b",
     "rsv_benefits"),
    (r"\bvat\b|\btax\w*|\baccount(ing|ant)s?\b|\baudit\w*|\bbookkeeping\b|\bannual report", "tax_vat_accounting"),
    (r"\bvolunteer\w*", "volunteers"),
    (r"\bflex ?jobs?\b|\bwage subsid\w*|\bhir(e|es|ing)\b|\bemploy\w*|\bstaff\b|\binternship", "hiring_special_terms"),
    (r"\btenders?\b|\bprocurement\b|\bpublic contracts?\b", "public_procurement"),
    (r"\bfund(s|ing)?\b|\bgrants?\b|\bfoundations? to apply\b|\bfinanc\w*|\bloans?\b|\binvestors?\b", "funding"),
    (r"\bboard\b|\barticles of association\b|\bbylaws\b|\bgeneral (assembly|meeting)\b|\bgovernance\b", "governance"),
    (r"\bimpact\b|\bmeasur\w*|\bsdgs?\b|\besg\b", "impact_measurement"),
    (r"\bbusiness plan\b", "business_plan"),
    (r"\bcvr\b|\bcompany (registration )?number\b", "cvr_registration"),
    (r"\bcriteria\b|\brequirements?\b|\bqualif\w*|\beligib\w*|\bsole (trader|proprietor\w*)\b", "rsv_criteria"),
    (r"\bbenefits?\b|\badvantages?\b|\bwhy (should|would) we\b", "rsv_benefits"),
    (r"\bregist\w*", "rsv_how_to_register"),
    (r"\b(cost|price|fee)s?\b.*\b(aps|a/s|company|capital)\b|\bcapital\b", "company_form"),
    (r"\b(start|set up|setting up|found|establish)\w*\b.*\b(company|business|aps|enterprise)\b", "start_business"),
    (r"\b(legal|company) (form|type|structure)s?\b|\baps\b|\bassociation\b|\bcooperative\b", "company_form"),
    (r"\bmunicipalit\w*|\bcommune\b|\bpublic sector\b", "public_collaboration"),
    (r"\bgrow\w*|\bscal(e|ing) up\b|\bexpand\w*", "growth"),
    (r"\bfree (advice|guidance|counsel\w*)\b|\badvisers?\b|\bmentor\w*|\bguidance\b", "free_guidance"),
    (r"\b(centre|center|vaekstcenter)\b", "centre_history"),
    (r"\bsocial enterprises?\b|\brsv\b", "what_is_social_enterprise"),
)


def english_topic(text: str, parse_data: Optional[Dict[str, Any]] = None) -> Optional[str]:
    """The faq key or item id an English message asks about, or None.

    Args:
        text: the message, e.g. "How do I register as a social enterprise?".
        parse_data: its NLU result; the ResponseSelector's topic counts from
            MIN_TOPIC_CONFIDENCE on.

    Returns:
        A key of the knowledge base, e.g. "rsv_how_to_register", or an item id of
        ENGLISH_TOPICS, e.g. "rsv_criteria_dividend"; None if no topic is clear.
    """
    lowered = (text or "").lower()
    known = {*load_topics(), *(item.id for item in load_items())}
    for pattern, key in ENGLISH_TOPICS:
        if key in known and re.search(pattern, lowered):
            return key
    selected = (((parse_data or {}).get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = str(selected.get("intent_response_key") or "").partition("/")[2]
    if key in load_topics() and float(selected.get("confidence") or 0) >= MIN_TOPIC_CONFIDENCE:
        return key
    return None


def thread_item(events: List[Dict[str, Any]]) -> Optional[str]:
    """The id of the first item, of the topic the previous reply led with, that no bot message has shown yet, or None.

    Args:
        events: the tracker's events (dicts), oldest first, ending with the English message.

    Returns:
        An item id (for `english_answer`), or None when the previous reply showed no item or
        its topic has nothing more.
    """
    shown = shown_items(previous_reply(events))
    if not shown:
        return None
    seen = {item.id for item in shown_items(e.get("text") or "" for e in events if e.get("event") == "bot")}
    return next((item.id for item in load_items() if item.topic == shown[0].topic and item.id not in seen), None)


def english_answer(key: str) -> Dict[str, Any]:
    """The Danish answer for an English message about `key` (a faq key or item id).

    An item id's answer starts with that item; a topic's with its first faq item. As with a
    Danish knowledge answer, the item's `then` items follow and the topic's other questions
    (at most ENGLISH_BUTTONS) become buttons, so the answer is short, not the whole topic.

    Returns:
        {"text": str, "buttons": [{"title": str, "payload": str}, ...]}.
    """
    items = load_items()
    lead = next(item for item in items if item.id == key or (item.topic == key and item.faq))
    shown = answer_items(lead)
    others = [item for item in items if item.topic == lead.topic and item not in shown][:ENGLISH_BUTTONS]
    return {"text": "\n\n".join(item.text for item in shown),
            "buttons": [{"title": item.question, "payload": item.question} for item in others]}


class ActionOtherLanguage(Action):
    """A message in another language: the bilingual goodbye for an ending, the Danish answer for a
    clear topic (`english_topic`; after ENGLISH_NOTE the first time), or utter_other_language (with
    the phone number)."""

    def name(self) -> Text:
        """action_other_language"""
        return "action_other_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters one of the three replies; sets nothing."""
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        meta = meta_reply(tracker.events, text)
        if meta:
            dispatcher.utter_message(**meta)
            return []
        about_language = ABOUT_LANGUAGE.search(text.lower()) is not None  # "could you just answer in English?"
        topic = english_topic(text, latest) or (None if about_language else thread_item(tracker.events))
        if topic:
            logger.info("Other language: answered the topic %s in Danish.", topic)
            if not any(e.get("event") == "bot" and e.get("text") == ENGLISH_NOTE for e in tracker.events):
                dispatcher.utter_message(text=ENGLISH_NOTE)  # once a conversation: the same note every turn reads as a loop
            dispatcher.utter_message(**english_answer(topic))
        else:
            dispatcher.utter_message(response=NOTICE_RESPONSE)
        return []
