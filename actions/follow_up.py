"""Follow-up questions ("og hvad koster det?"), answered within the previous answer's topic.

The previous topic is the faq key the response selector chose for the last user
message with intent `faq`. The candidates are that topic's knowledge items, then
those of the topics one naturally asks about next (RELATED: after the RSV criteria,
"hvordan gør vi så?" is about registering). Each candidate is ranked by the item
selector's ranking of the follow-up message when the parse data has one
(`parse_data["knowledge_item"]["ranking"]`), else by what the follow-up asks for
(a price, who pays, a duration, how, capital, a company form) and the topic's order. An item the
user has already been shown since that question is never given again: a follow-up
that doubts the answer ("er det ikke for tungt for os?") gets the next item, or a
question back when the topic has nothing more.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import source_line
from actions.contact import phone_link
from actions.knowledge import ALL_FORMS, Item, load_items, load_topics
from actions.normalise import find_value

# The topics a follow-up may lead on to, in order of preference (not facts: where a
# founder's next question usually goes).
RELATED: Dict[str, Tuple[str, ...]] = {
    "what_is_social_enterprise": ("rsv_criteria", "rsv_how_to_register"),
    "rsv_criteria": ("rsv_how_to_register", "rsv_benefits"),
    "rsv_benefits": ("rsv_how_to_register", "rsv_criteria"),
    "rsv_how_to_register": ("rsv_criteria",),
    "start_business": ("cvr_registration", "company_form"),
    "company_form": ("cvr_registration",),
    "cvr_registration": ("company_form",),
    "business_plan": ("funding", "free_guidance"),
    "funding": ("business_plan",),
    "hiring_special_terms": ("public_collaboration",),
    "public_procurement": ("rsv_benefits",),
    "centre_history": ("centre_status",),
    "centre_activities": ("centre_status",),
    "centre_status": ("free_guidance",),
    "advisory_council": ("centre_status",),
}

# What a follow-up asks for: the words that ask it, and the patterns of an item's
# text that answer it (each pattern found counts once).
ASKS_FOR: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "price": (("koster", "kaster", "pris", "prisen", "gebyr", "gratis", "dyrt"),
              (r"\bkr\.", r"gebyr", r"gratis", r"koste")),
    "who_pays": (("betaler", "betale", "betalingen"),
                 (r"betal", r"tilskud")),
    "time": (("længe", "laenge", "tid", "frist", "fristen", "hvornår", "hvornar", "hurtigt"),
             (r"\bdage\b", r"\buger?\b", r"måned", r"\bår\b", r"senest", r"frist", r"periode")),
    "how": (("hvordan", "søger", "soger", "ansøger", "ansoger", "ansøge", "henvende", "kontakte", "skridt", "gør", "gor"),
            (r"virk\.dk", r"anmeld", r"ansøg", r"registrer", r"selvbetjening", r"kontakt", r"jobcentret")),
    "capital": (("kapital", "kapitalen", "udbytte", "udbyttet", "udbetale"),
                (r"kapital", r"udbytte", r"afkast")),
}
OWN_TOPIC_BONUS = 0.5  # an item of the previous topic beats a related one when neither fits better
MATCH_WEIGHT = 2.0  # per pattern of a thing asked for that an item's text has
FORM_WEIGHT = 3.0  # the item is about the company form the follow-up names
SHOWN_PREFIX = 60  # characters of an item's text that, found in a bot message, mean it was shown

NO_TOPIC = (
    "Hvad tænker du på? Skriv gerne hele spørgsmålet, fx \"Hvad koster det at stifte et ApS?\", "
    "så svarer jeg så præcist, jeg kan."
)
ALREADY_SAID = (
    "Det står i mit svar lige ovenfor. Er noget uklart, så skriv gerne, hvad du tænker på, "
    f"eller ring til Erhvervsstyrelsen på {phone_link()}, så hjælper en rådgiver dig."
)
NOTHING_MORE = (
    "Mere end det har jeg ikke om {title}. Hvad vil du gerne vide mere præcist? Skriv gerne "
    "spørgsmålet med andre ord, eller ring til Erhvervsstyrelsen på " + phone_link() + ", "
    "så hjælper en rådgiver dig."
)


def _words(text: str) -> List[str]:
    return re.findall(r"\w+", text.lower())


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


def shown_ids(question: Dict[str, Any], bot_texts: Iterable[str]) -> Set[str]:
    """The ids of the items the user has seen since `question`: in a bot text, or named by the item selector.

    Args:
        question: the user event of the previous knowledge question.
        bot_texts: the bot texts since.
    """
    seen = " ".join(bot_texts)
    ids = {item.id for item in load_items() if item.text[:SHOWN_PREFIX] in seen}
    selected = (question.get("parse_data") or {}).get("knowledge_item") or {}
    if selected.get("id"):
        ids.add(selected["id"])
    return ids


def asked_for(text: str) -> List[str]:
    """What the follow-up asks for, keys of ASKS_FOR ("price", "who_pays", "time", "how", "capital"); may be empty."""
    words = set(_words(text))
    return [ask for ask, (asking, _) in ASKS_FOR.items() if words & set(asking)]


def answers(item: Item, asks: List[str]) -> bool:
    """True if the item's text has a pattern of something asked for."""
    return any(re.search(pattern, item.text.lower()) for ask in asks for pattern in ASKS_FOR[ask][1])


def _fit(item: Item, asks: List[str], company_form: Optional[str], own_topic: str) -> float:
    """How well `item` answers a follow-up asking for `asks` about `company_form` (higher is better)."""
    text = item.text.lower()
    score = OWN_TOPIC_BONUS if item.topic == own_topic else 0.0
    for ask in asks:
        score += MATCH_WEIGHT * sum(1 for pattern in ASKS_FOR[ask][1] if re.search(pattern, text))
    if company_form and company_form in item.company_forms and ALL_FORMS not in item.company_forms:
        score += FORM_WEIGHT
    return score


def rank_items(topic: str, text: str, ranking: Optional[List[Dict[str, Any]]] = None) -> List[Item]:
    """The items that may answer the follow-up `text` after a question on `topic`, best first.

    Args:
        topic: the previous answer's faq key.
        text: the follow-up message, e.g. "og hvad koster det?".
        ranking: the item selector's ranking of the follow-up, [{"id", "topic",
            "confidence"}], or None.

    Returns:
        The items of `topic` and its RELATED topics: in the order of `ranking` where
        it names them (confidence 0-1), otherwise by `_fit`, ties in knowledge-base order.
    """
    topics = (topic, *RELATED.get(topic, ()))
    candidates = [item for t in topics for item in load_items() if item.topic == t]
    asks = asked_for(text)
    company_form = find_value("company_form", text)
    confidence = {r.get("id"): float(r.get("confidence") or 0) for r in ranking or []}
    order = {item.id: position for position, item in enumerate(candidates)}
    return sorted(
        candidates,
        key=lambda item: (-confidence.get(item.id, 0.0), -_fit(item, asks, company_form, topic), order[item.id]),
    )


class ActionFollowUp(Action):
    """Answers a follow-up with the best item of the previous topic the user has not seen yet."""

    def name(self) -> Text:
        """The action name used in domain.yml and data/rules/faq.yml."""
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the item's text with its source, or a question back; sets nothing.

        The question back comes when there is no previous knowledge question, when
        what the follow-up asks for (a price, a time, …) is only in items already
        shown, and when the topic has nothing more.
        """
        question, bot_texts = previous_question(tracker.events)
        if question is None:
            dispatcher.utter_message(text=NO_TOPIC)
            return []
        topic = faq_key(question["parse_data"])
        if topic is None:
            dispatcher.utter_message(text=NO_TOPIC)
            return []
        latest = tracker.latest_message or {}
        ranking = (latest.get("knowledge_item") or {}).get("ranking")
        shown = shown_ids(question, bot_texts)
        text = latest.get("text") or ""
        ranked = rank_items(topic, text, ranking)
        unseen = [item for item in ranked if item.id not in shown]
        asks = asked_for(text)
        if not ranking and asks and unseen and not answers(unseen[0], asks) and any(answers(i, asks) for i in ranked):
            dispatcher.utter_message(text=ALREADY_SAID)  # what was asked for is in an answer already given
            return []
        if not unseen:
            title = load_topics()[topic].title if topic in load_topics() else "det"
            dispatcher.utter_message(text=NOTHING_MORE.format(title=title.lower()))
            return []
        item = unseen[0]
        dispatcher.utter_message(text=f"{item.text}\n\n{source_line(item.source)}")
        return []
