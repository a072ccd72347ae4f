"""Follow-up questions ("og hvad koster det?", "hvem åbnede det"), answered from the topic just discussed.

A message right after a knowledge answer that leans on it (actions.thread.elliptical) is
resolved first against the items of that topic and of the answer itself
(actions.resolution.resolve: the one or two sentences that answer it, an item not shown yet,
or an honest "I don't know" with the phone number). Only a clearly better match elsewhere
moves it: an item of another topic that the item selector is sure of and that has more of the
message's words (`own_question`, `thread_reply`). The NLU's intent for such a message
(bot_challenge, inform, out_of_scope, faq of another topic) does not override a good match in
the thread (`keeps_thread`, used by channels/threads.py before the dialogue policies run).
A knowledge answer drops what the previous reply already had (actions.repeat_filter).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import local_guidance, named_municipality
from actions.endings import ASKS, FRUSTRATED, acknowledge
from actions.knowledge import ALL_FORMS, COMPANY_FORM_LABELS, Item, items_by_id
from actions.meta import meta_reply
from actions.normalise import find_value, fold
from actions.repeat_filter import without_repeats
from actions.replies import NO_TOPIC, Reply, item_reply, not_known
from actions.resolution import names, referred, resolve
from actions.thread import (
    RELATED,
    answered_just_before,
    elliptical,
    faq_key,
    leans_on_answer,
    previous_question,
    topic_of,
)
from actions.transcript import SHOWN_PREFIX, offered_questions
from actions.wording import NO_SENTENCE_ASKS, answer_matches, asked_for, content_words, ties, words

__all__ = [
    "RELATED",
    "ActionFollowUp",
    "Reply",
    "answered_just_before",
    "asked_for",
    "elliptical",
    "faq_key",
    "follow_up_reply",
    "keeps_thread",
    "previous_question",
    "resolve",
    "thread_reply",
    "without_repeats",
]

LOCAL_TOPIC = "free_guidance"  # the topic whose answers depend on the municipality (actions.advice.local_guidance)
OWN_QUESTION_CONFIDENCE = 0.5  # from this item-selector confidence a follow-up naming its subject is a question of its own
OFF_TOPIC_INTENT, OFF_TOPIC_RESPONSE = "out_of_scope", "utter_out_of_scope"
FOLLOW_UP_INTENT = "follow_up"
# Intents whose rules would answer a follow-up with something else than the thread: "hvem
# åbnede det" is not "are you a person?", "og hvis vi ansætter en kok" is no fact to note.
THREAD_BEFORE_INTENTS = ("bot_challenge", "inform")
# Folded: a yes or an ok that only opens a question ("ja ja, men helt konkret, hvad skal jeg gøre i morgen"),
# read by the NLU as affirm; the question after "men" is a follow-up.
YES_BUT = re.compile(r"^\W*(?:ja|jo|ok|okay|fint|godt)\b[^.?]{0,20}?\bmen\b")
AFFIRM_INTENT = "affirm"


def _content_ties(text: str, reply_text: str) -> int:
    """How many content words of the message `text` (not its asking words) `reply_text` has."""
    return ties(content_words(text), reply_text)


def own_question(latest: Dict[str, Any], topic: Optional[str], bot_texts: List[str]) -> Optional[Item]:
    """The item a "follow-up" that names its own subject asks for ("og hvad er grænsen for moms?"), or None.

    That is the item selector's best item for the message when it is at least
    OWN_QUESTION_CONFIDENCE sure, the item is outside the previous topic and its RELATED
    topics and not shown yet, and a content word of the message (not the company form it
    names: "og for en forening?" stays a follow-up) is in its question or text.
    """
    best = latest.get("knowledge_item") or {}
    item = items_by_id().get(best.get("id") or "")
    if item is None or float(best.get("confidence") or 0) < OWN_QUESTION_CONFIDENCE:
        return None
    if topic is not None and item.topic in (topic, *RELATED.get(topic, ())):
        return None
    if item.text[:SHOWN_PREFIX] in "\n".join(bot_texts):
        return None
    text = latest.get("text") or ""
    form = find_value("company_form", text)
    own_words = content_words(text) - content_words(f"{form} {COMPANY_FORM_LABELS.get(form or '', '')}")
    return item if ties(own_words, f"{item.question} {item.text}") else None


def follow_up_reply(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> Reply:
    """The answer to the follow-up `latest` (parse data) in a conversation of `events` (dicts, oldest first).

    A follow-up naming its own subject gets that subject's item (`own_question`), unless it is
    elliptical and the thread's answer has as many of its words: the topic comes first. On the
    Erhvervshuse (LOCAL_TOPIC), a follow-up naming another municipality gets its local guidance.
    """
    question, bot_texts = previous_question(events)
    topic = topic_of(question, bot_texts) if question else None
    local = local_guidance(named_municipality(latest)) if topic == LOCAL_TOPIC else None
    if local and local.split(",")[0] not in "\n".join(bot_texts):  # another municipality than the one answered
        return Reply(local, "sentence")  # "og hvis jeg flytter til odense?" after the Middelfart answer
    own = own_question(latest, topic, bot_texts)
    if question is None or topic is None:
        return item_reply(own) if own is not None else Reply(NO_TOPIC, "no_topic")
    thread = resolve(topic, question, bot_texts, latest, offered_questions(events))
    text = latest.get("text") or ""
    if own is not None and (not elliptical(text) or _beats_thread(text, own, thread, sure=True)):
        return item_reply(own)
    return thread


def _beats_thread(text: str, own: Item, thread: Reply, sure: bool) -> bool:
    """True if the NLU's item `own` clearly matches the message `text` better than the thread's answer.

    That is: more of its content words; or as many when the thread would move on to another
    item itself, and the message asks for nothing in particular without leaning on the answer
    ("kan vi blive rsv" after the VAT answer is about becoming RSV, not the RSV accounts) or
    has more of them in the NLU item's own question, what it is about ("Må vi have frivillige i
    en forening?" for "og hvis vi har frivillige"). A sentence of the answer just given wins a tie,
    unless the NLU is `sure` of its item (OWN_QUESTION_CONFIDENCE), the sentence points to that
    item (a word of the sentence other than the message's is in the item's question) and the
    item's question has more of the message's words than the question of the sentence's item:
    "kan vi så blive rsv" after "Et ApS kan blive RSV, hvis det opfylder de fem kriterier" asks
    for the criteria; "og hvis vi ansætter en kok" after "Med lønnede ansatte … almindelig
    forening" keeps that sentence.
    """
    own_ties, thread_ties = _content_ties(text, f"{own.question} {own.text}"), _content_ties(text, thread.matched_text)
    if own_ties != thread_ties or not own_ties or thread.kind not in ("item", "sentence") or (
            thread.kind == "sentence" and not (sure and ties(words(thread.text) - content_words(text), own.question))):
        return own_ties > thread_ties
    if thread.kind == "item" and not leans_on_answer(text) and not [ask for ask in asked_for(text) if ask != "why"]:
        return True
    return _content_ties(text, own.question) > (_content_ties(text, thread.item.question) if thread.item else 0)


def _far_guess(text: str, chosen: Item, topic: str, sure: bool) -> bool:
    """True if the NLU's item `chosen` for the follow-up `text` is a guess too far from the thread's `topic`.

    That is an item the item selector is not `sure` of, outside the topic and its RELATED
    topics, that shares no stem of the message exactly, only a part of a compound: "kan vi få
    udsættelse?" after the annual-report deadline is not about "udsatte personer" in procurement.
    """
    if sure or chosen.topic in (topic, *RELATED.get(topic, ())):
        return False
    return not content_words(text) & words(f"{chosen.question} {chosen.text}")


def thread_reply(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> Optional[Reply]:
    """The answer to an elliptical message read against the answer just given, or None.

    A message that is elliptical and comes right after a knowledge answer is answered in the
    thread (`resolve`), unless the item the NLU chose clearly matches it better (`_beats_thread`:
    it names a subject of its own, "og hvad er grænsen for moms?"), or the
    thread has nothing and the NLU's item, of the thread's topics or for the company form
    the message names, has what was asked for; never when the message names in the definite form
    a thing the answer just named that the NLU's item does not (`referred`: "hvor meget er
    afgiften"). An NLU item without a word of a message that has content words is a guess:
    the thread's answer (or its honest "I don't know") wins, and so does it over an unsure NLU item far
    from the thread that shares only a part of a compound with the message (`_far_guess`).

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        latest: the message's parse data.

    Returns:
        The Reply, or None when the message is to be answered as the NLU read it.
    """
    text = latest.get("text") or ""
    if not elliptical(text) or not answered_just_before(events):
        return None
    question, bot_texts = previous_question(events)
    topic = topic_of(question, bot_texts) if question else None
    if question is None or topic is None:
        return None
    chosen = items_by_id().get(((latest.get("knowledge_item") or {}).get("id")) or "")
    thread = resolve(topic, question, bot_texts, latest, offered_questions(events))
    thread_ties = _content_ties(text, thread.matched_text)
    asks = [ask for ask in asked_for(text) if ask != "why"]
    named_form = find_value("company_form", text)
    sure = float((latest.get("knowledge_item") or {}).get("confidence") or 0) >= OWN_QUESTION_CONFIDENCE
    if chosen is not None and not named_form and _far_guess(text, chosen, topic, sure):
        chosen = None
    if chosen is not None and names(chosen, referred(text, bot_texts)):  # not when "afgiften" is another one
        own_ties = _content_ties(text, f"{chosen.question} {chosen.text}")
        if _beats_thread(text, chosen, thread, sure):
            return None  # the message names a subject of its own
        if not thread.answers and named_form in chosen.company_forms and ALL_FORMS not in chosen.company_forms:
            return None  # "og P/S?" after another topic: the NLU's item for that form
        guess = own_ties == 0 and bool(content_words(text))
        in_thread = chosen.topic in (topic, *RELATED.get(topic, ()))
        if not thread.answers and in_thread and not guess and (not asks or answer_matches(chosen.text, asks)):
            return None  # the NLU stays in the thread itself, with what was asked for
    # The next item would be a guess; so is a procedure for a thing the thread does not name ("kan man
    # søge om udsættelse" after the annual-report deadline: no item has "udsættelse").
    procedure_only = asks and set(asks) <= set(NO_SENTENCE_ASKS) and content_words(text)
    if thread.kind == "item" and not thread_ties and (not asks or procedure_only) and not named_form:
        return not_known(topic)
    return thread


def keeps_thread(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> bool:
    """True if a message the NLU gave an intent of THREAD_BEFORE_INTENTS is a follow-up the thread answers.

    That is an elliptical message right after a knowledge answer whose follow-up answer
    (`follow_up_reply`) gives a fact with at least one of the message's content words
    ("hvem åbnede det" after the centre's history: minister Manu Sareen). A message read as affirm
    is one only if a yes opens a question ("ja ja, men hvad skal jeg gøre", YES_BUT) the thread answers.

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        latest: the message's parse data.
    """
    text = latest.get("text") or ""
    intent = (latest.get("intent") or {}).get("name")
    if intent not in (*THREAD_BEFORE_INTENTS, AFFIRM_INTENT) or not elliptical(text) or not answered_just_before(events):
        return False
    reply = follow_up_reply(events, latest)
    if intent == AFFIRM_INTENT:
        return _yes_but_question(text) and reply.answers
    return reply.answers and _content_ties(text, reply.matched_text) > 0


def _yes_but_question(text: str) -> bool:
    """True if `text` opens with a yes or an ok and asks a question after "men" (YES_BUT, endings.ASKS)."""
    folded = fold(text)
    opener = YES_BUT.match(folded)
    return opener is not None and ASKS.search(folded[opener.end():]) is not None


class ActionFollowUp(Action):
    """Answers a follow-up against the answer just given (see the module docstring)."""

    def name(self) -> Text:
        """The action name used in domain.yml and data/rules/faq.yml."""
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the follow-up's answer (`follow_up_reply`); sets nothing.

        An ending or a request for a shorter answer gets actions.meta's reply.

        A message the NLU found off-topic (data/rules/faq.yml sends it here right after a
        knowledge answer) is answered as a follow-up only if it is elliptical and leans on
        that answer (`thread_reply`); otherwise it gets utter_out_of_scope. A question asked in
        frustration (channels/threads.py) gets an apology first (actions.endings.acknowledge).
        """
        latest = tracker.latest_message or {}
        meta = meta_reply(tracker.events, latest.get("text") or "")
        if meta:  # "kan du sige det kortere", "ok tak" read as a follow-up
            dispatcher.utter_message(**meta)
            return []
        if (latest.get("intent") or {}).get("name") == OFF_TOPIC_INTENT:
            thread = thread_reply(tracker.events, latest)
            if thread is None:
                dispatcher.utter_message(response=OFF_TOPIC_RESPONSE)
            else:
                dispatcher.utter_message(text=thread.text)
            return []
        reply = follow_up_reply(tracker.events, latest)
        dispatcher.utter_message(text=acknowledge(reply.text, reply.answers) if latest.get(FRUSTRATED) else reply.text)
        return []
