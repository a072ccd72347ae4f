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
from actions.replies import topic_not_known
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
KNOWLEDGE_INTENTS = ("faq", "follow_up")
# The parse data key of the item selector's reading of a follow-up joined to the question before it
# (channels/threads.py): {"id", "confidence", "ranking": [{"id", "topic", "confidence"}, ...]}.
THREAD_ITEM = "thread_item"  # a message with one of these was answered from the knowledge base

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
    """The last user event with intent `faq` before the latest message, and the bot texts since.

    Args:
        events: the tracker's events (dicts), oldest first; the last user event is
            the follow-up itself.

    Returns:
        (the user event or None, the texts of the bot messages after it, oldest first).
    """
    user_events = [i for i, e in enumerate(events) if e.get("event") == "user"]
    for index in reversed(user_events[:-1]):
        parse_data = events[index].get("parse_data") or {}
        if (parse_data.get("intent") or {}).get("name") == "faq" and faq_key(parse_data):
            bot_texts = [e.get("text") or "" for e in events[index + 1:] if e.get("event") == "bot"]
            return events[index], bot_texts
    return None, []


def topic_of(question: Dict[str, Any], bot_texts: List[str]) -> Optional[str]:
    """The topic the conversation is on since the knowledge question `question` (a user event).

    That is the topic of the first item shown since it (a knowledge question answered from
    the thread before it, "hvad koster registreringen" after the a.m.b.a. answered with the
    founding fee, is on the topic of that answer, not on the NLU's RSV registration), or
    the topic of an honest "I don't know" given since it (actions.replies.topic_not_known), or
    the question's own faq key when no item was shown.
    """
    shown = shown_items(bot_texts)
    return shown[0].topic if shown else topic_not_known(bot_texts) or faq_key(question.get("parse_data") or {})


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


def leans_on_answer(text: str) -> bool:
    """True if `text` opens with a word leaning on what was just said ("og ...", "men ...", "hvad med ...")."""
    return LEANING_OPENER.search(fold(text or "").strip()) is not None


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
