"""A knowledge answer never resends what the previous reply just showed.

`utter_faq` is Rasa's retrieval action: it sends the response variation of the faq
key and knowledge item the NLU chose (data/responses/faq.yml), which starts with the
item and appends the topic's important items. Asked a second question on the same
topic ("skal det stå i vedtægterne?" after the general assembly), it would send the
same paragraphs again, reordered. `install` wraps the action in the Rasa server, so it
works without the action server, like the answer itself: items the replies to the
last RECENT_TURNS messages already had are dropped (actions.follow_up.without_repeats); if that was the item the
answer starts with, the message is answered as a follow-up of the previous answer
(actions.follow_up.resolve: the sentence asked about, the next item, or an honest "I
don't know"), keeping the answer's buttons. An ending ("ok endelig. farvel"), a request for
a shorter answer, and an elliptical follow-up that the NLU took to another topic ("hvilken
lov står det i" after the RSV criteria) get their own reply instead (`instead`). An answer whose item lacks the kind of fact asked for (a
deadline, a price, an amount) moves to a ranked item that has it (actions.relevance); one about a scheme
that no ranked item names gets an honest "I don't know". Installed
when the channels package is imported, i.e. in the Rasa server.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional

from rasa.core.actions.action import ActionRetrieveResponse
from rasa.shared.core.events import BotUttered, Event, SlotSet

from actions.endings import FRUSTRATED, GOODBYE_RESPONSE, acknowledge
from actions.follow_up import faq_key, previous_question, resolve, thread_reply, without_repeats
from actions.knowledge import ASKED_MUNICIPALITY, answer_items
from actions.meta import meta_reply
from actions.relevance import better_item, unanswered_scheme
from actions.replies import NOT_KNOWN
from actions.transcript import offered_questions, previous_reply
from channels.patching import wrap_once

logger = logging.getLogger(__name__)

RETRIEVAL_ACTION = "utter_faq"
RECENT_TURNS = 3  # an item shown in the replies to the last three messages is not sent again
MUNICIPALITY_ENTITY = "municipality"


def forgets_municipality(tracker: Any, latest: dict) -> bool:
    """Clears the slot ASKED_MUNICIPALITY of `tracker` (Rasa's DialogueStateTracker) when the knowledge
    question `latest` (parse data) names no municipality, so "hvor ligger erhvervshusene?" after the
    answer about Bornholm gets the six houses, not Bornholm's house again. True if it was set."""
    named = any(entity.get("entity") == MUNICIPALITY_ENTITY for entity in latest.get("entities") or [])
    slot = tracker.slots.get(ASKED_MUNICIPALITY)
    if named or slot is None or slot.value is None:
        return False
    slot.value = None
    return True


def instead(tracker_events: List[dict], latest: dict, goodbye: str) -> Optional[str]:
    """The text to send instead of the knowledge answer, or None to send the answer.

    An ending or a request for a shorter answer (actions.meta; `goodbye` is the Danish
    goodbye, utter_goodbye) and an elliptical follow-up that the NLU took to another topic
    (actions.follow_up.thread_reply) are answered as such, not with a topic text.
    """
    meta = meta_reply(tracker_events, latest.get("text") or "")
    if meta:
        return meta.get("text") or goodbye
    thread = thread_reply(tracker_events, latest)
    return thread.text if thread else None


def replaced(events: List[Event], text: str) -> List[Event]:
    """`events` with the answer (their BotUttered) replaced by one message of `text`, without the
    answer's buttons (they were chosen for the answer replaced)."""
    answer = [e for e in events if isinstance(e, BotUttered)]
    data = {key: value for key, value in (answer[0].data if answer else {}).items() if key != "buttons"}
    return [e for e in events if not isinstance(e, BotUttered)] + [BotUttered(text, data)]


def trimmed(events: List[Event], tracker_events: List[dict], latest: dict, goodbye: str = "") -> List[Event]:
    """`events` (what utter_faq would send) with the repeats of the previous reply taken out.

    Args:
        events: the action's events (BotUttered with the answer).
        tracker_events: the conversation's events as dicts, oldest first, ending with the
            user message being answered.
        latest: that message's parse data.
        goodbye: the Danish goodbye (utter_goodbye's text), for an ending.

    Returns:
        The events, each BotUttered's text changed as the module docstring says (an
        answer replaced by `instead`, or by the better item of actions.relevance, loses its buttons).
    """
    replacement = instead(tracker_events, latest, goodbye)
    if replacement:
        logger.debug("utter_faq: answered an ending or an elliptical follow-up instead.")
        return replaced(events, replacement)
    better = better_item(latest)
    if better:
        logger.info("utter_faq: the chosen item lacks what the question asks for; answered with item %s.", better.id)
        events = replaced(events, "\n\n".join(item.text for item in answer_items(better)))
    scheme = None if better else unanswered_scheme(latest)
    if scheme:
        logger.info("utter_faq: the chosen item does not name the scheme asked about; answered that it is not known.")
        return replaced(events, NOT_KNOWN.format(title=scheme))
    previous = previous_reply(tracker_events, RECENT_TURNS)
    if not previous:
        return events
    result: List[Event] = []
    for event in events:
        if not isinstance(event, BotUttered) or not event.text:
            result.append(event)
            continue
        text = without_repeats(event.text, previous)
        if text is None:
            question, bot_texts = previous_question(tracker_events)
            topic = faq_key(latest)
            offered = offered_questions(tracker_events)
            text = resolve(topic, question, bot_texts, latest, offered).text if question and topic else event.text
        if text != event.text:
            logger.debug("utter_faq: left out what the previous reply showed.")
            event = BotUttered(text, event.data, event.metadata, event.timestamp)
        result.append(event)
    return result


def acknowledged(events: List[Event]) -> List[Event]:
    """`events` with actions.endings.ACKNOWLEDGEMENT before the first BotUttered's text (the answer to a frustrated question)."""
    result: List[Event] = []
    for event in events:
        if isinstance(event, BotUttered) and event.text and not any(isinstance(e, BotUttered) for e in result):
            event = BotUttered(acknowledge(event.text, answers=True), event.data, event.metadata, event.timestamp)
        result.append(event)
    return result


def install() -> None:
    """Wraps ActionRetrieveResponse.run once (see the module docstring)."""

    def drops_repeats(original: Callable[..., Any]) -> Callable[..., Any]:
        async def run(self: ActionRetrieveResponse, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
            ours = self.name() == RETRIEVAL_ACTION and tracker.latest_message is not None
            forgot = ours and forgets_municipality(tracker, tracker.latest_message.parse_data)
            events = await original(self, output_channel, nlg, tracker, domain)
            events += [SlotSet(ASKED_MUNICIPALITY, None)] if forgot else []
            if not ours:
                return events
            try:
                goodbye = ((domain.responses.get(GOODBYE_RESPONSE) or [{}])[0]).get("text") or ""
                latest = tracker.latest_message.parse_data
                answer = trimmed(events, [e.as_dict() for e in tracker.events], latest, goodbye)
                return acknowledged(answer) if latest.get(FRUSTRATED) else answer
            except Exception as error:  # never lose the answer over the trimming
                logger.error("utter_faq: could not compare with the previous reply (%s); sent the answer as it is.",
                             type(error).__name__)
                return events

        return run

    wrap_once(ActionRetrieveResponse, "run", drops_repeats)
