"""The thread of a conversation: the knowledge question just answered, and whether a message leans on it.

The previous answer is what the bot said since the last user message with intent `faq` (its
faq key is the previous topic). A message is a follow-up of it (`elliptical`) when it leans
on it ("og hvis ...", "hvad med ...", "men ...", "så ..."), points back at it ("hvem åbnede
det"), has few content words ("hvad koster registreringen") or is a bare question
("følg eller forklar?").
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from actions.normalise import fold
from actions.transcript import previous_reply, shown_items
from actions.wording import content_words

# The topics a follow-up may lead on to, in order of preference (not facts: where a
# founder's next question usually goes).
RELATED: Dict[str, Tuple[str, ...]] = {
    "what_is_social_enterprise": ("rsv_criteria", "rsv_how_to_register"),
    "rsv_criteria": ("rsv_how_to_register", "rsv_benefits", "centre_history"),
    "rsv_benefits": ("rsv_how_to_register", "rsv_criteria", "centre_history"),
    "rsv_how_to_register": ("rsv_criteria",),
    "start_business": ("cvr_registration", "company_form"),
    "company_form": ("cvr_registration",),
    "cvr_registration": ("company_form",),
    "business_plan": ("funding", "free_guidance"),
    "funding": ("business_plan",),
    "hiring_special_terms": ("public_collaboration",),
    "public_procurement": ("rsv_benefits",),
    "centre_history": ("centre_status",),
    "centre_activities": ("centre_history", "centre_status"),
    "centre_status": ("free_guidance",),
    "advisory_council": ("centre_status",),
    "governance": ("rsv_criteria",),
    "growth": ("company_form", "cvr_registration", "funding"),
}
KNOWLEDGE_INTENTS = ("faq", "follow_up")  # a message with one of these was answered from the knowledge base

ELLIPTICAL_MAX_WORDS = 11  # a longer message that points back ("det") says what it is about
LEANING_MAX_WORDS = 14  # "og hvis ...": leaning on the answer even when longer
BARE_QUESTION_MAX_WORDS = 4  # "hvad er satsen", "og P/S?": this short, a message leans on the answer before it
FEW_CONTENT_WORDS = 3  # "hvad betyder væsentlig kommerciel aktivitet": too little to stand on its own
# Folded openings that lean on what was just said, and words that point back at it.
LEANING_OPENER = re.compile(
    r"^(?:(?:ok|okay|ja|jo|nej|jamen|hmm|na|sa)\W+)*(?:og|men|sa|eller|altsa|hvis|hvad med|hvad sa|hvad hvis|hvad nu)\b")
POINTING_BACK = re.compile(r"\b(det|den|de|dem|dette|disse|ham|hende|deraf|dertil|derefter|sa|hvad med)\b")


def faq_key(parse_data: Dict[str, Any]) -> Optional[str]:
    """The faq key the response selector chose in `parse_data` ("rsv_criteria"), or None."""
    selected = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = str(selected.get("intent_response_key") or "").partition("/")[2]
    return key or None


def previous_question(events: List[Dict[str, Any]]) -> Tuple[Optional[Dict[str, Any]], List[str]]:
    """The knowledge question the conversation is about before the latest message, and the bot texts since.

    That is the last user event with intent `faq` whose reply showed an item of its own faq
    key; a knowledge question answered from the thread before it instead (its reply showed
    an item of another topic, a sentence or an "I don't know") belongs to that earlier
    question. Without such an event, the last one with intent `faq`.

    Args:
        events: the tracker's events (dicts), oldest first; the last user event is
            the follow-up itself.

    Returns:
        (the user event or None, the texts of the bot messages after it, oldest first).
    """
    user_events = [i for i, e in enumerate(events) if e.get("event") == "user"]
    asked = [i for i in user_events[:-1] if _faq_question(events[i])]
    for index in reversed(asked):
        key = faq_key(events[index]["parse_data"])
        following = user_events[user_events.index(index) + 1]
        reply = [e.get("text") or "" for e in events[index + 1:following] if e.get("event") == "bot"]
        if any(item.topic == key for item in shown_items(reply)):
            return events[index], _bot_texts(events, index)
    return (events[asked[-1]], _bot_texts(events, asked[-1])) if asked else (None, [])


def _faq_question(event: Dict[str, Any]) -> bool:
    parse_data = event.get("parse_data") or {}
    return (parse_data.get("intent") or {}).get("name") == "faq" and faq_key(parse_data) is not None


def _bot_texts(events: List[Dict[str, Any]], index: int) -> List[str]:
    return [e.get("text") or "" for e in events[index + 1:] if e.get("event") == "bot"]


def shown_ids(question: Dict[str, Any], bot_texts: Iterable[str]) -> Set[str]:
    """The ids of the items the user has seen since `question`: in a bot text, or named by the item selector."""
    ids = {item.id for item in shown_items(bot_texts)}
    selected = (question.get("parse_data") or {}).get("knowledge_item") or {}
    if selected.get("id"):
        ids.add(selected["id"])
    return ids


def answered_just_before(events: List[Dict[str, Any]]) -> bool:
    """True if the reply to the message before the latest one was a knowledge answer.

    That is: that message had intent faq or follow_up, or its reply showed knowledge items.
    """
    users = [e for e in events if e.get("event") == "user"]
    if len(users) < 2:
        return False
    previous_intent = ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")
    return previous_intent in KNOWLEDGE_INTENTS or bool(shown_items(previous_reply(events)))


def elliptical(text: str) -> bool:
    """True if `text` is a short message that leans on the answer before it.

    That is a message that opens with a word leaning on what was said ("og for en forening?",
    "og hvis fonden lukker, hvad sker der med pengene?": at most LEANING_MAX_WORDS words),
    or has at most ELLIPTICAL_MAX_WORDS words and points back at it ("hvilken lov står det i")
    or has at most FEW_CONTENT_WORDS content words ("hvor hurtigt skal vi registrere efter vi
    har skrevet under"), or is a bare question of at most BARE_QUESTION_MAX_WORDS words
    ("hvad er satsen"). A button payload ("/intent") is not.
    """
    folded = fold(text or "").strip()
    count = len(re.findall(r"\w+", folded))
    if not count or folded.startswith("/"):
        return False
    if LEANING_OPENER.search(folded):
        return count <= LEANING_MAX_WORDS
    if count <= BARE_QUESTION_MAX_WORDS:
        return True
    leans = POINTING_BACK.search(folded) is not None or len(content_words(text)) <= FEW_CONTENT_WORDS
    return count <= ELLIPTICAL_MAX_WORDS and leans
