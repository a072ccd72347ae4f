"""A follow-up keeps the thread before the dialogue policies see the NLU's intent.

Right after a knowledge answer, "hvem åbnede det" is read by the NLU as bot_challenge ("are you
a person?") and "og hvis vi ansætter en kok" as inform; their rules would answer with the
chatbot notice or the offer of advice. `install` wraps Rasa's MessageProcessor.parse_message:
when the message is such a follow-up and the topic just discussed answers it
(actions.follow_up.keeps_thread), its intent becomes `follow_up`, so the rule for follow-ups
(data/rules/faq.yml: action_follow_up) answers it from the thread. Nothing changes while a
form is active or when the parse has no conversation (the /model/parse endpoint).

Such a follow-up is also read by the same NLU together with the knowledge question before it
("hvad er kapitalkravet for et a/s" + "og et p/s?"): the item selector's ranking of the joined
text goes into the parse data as `thread_item` ({"id", "confidence", "ranking"}), and the
resolution of the follow-up ranks the topic's items by it as well as by the message's own
ranking (actions.resolution.thread_of), so the previous question's subject and entities
carry over. A question after frustration in the same message ("for tredje gang: hvad er fristen
for ...", actions.endings.question_after_frustration) is read on its own, marked FRUSTRATED, so
its knowledge answer comes after a short acknowledgement (channels/repeats.py). Installed when the
channels package is imported, i.e. in the Rasa server.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from actions.endings import FRUSTRATED, question_after_frustration
from actions.follow_up import FOLLOW_UP_INTENT, keeps_thread
from actions.thread import THREAD_ITEM, answered_just_before, elliptical, previous_question
from channels.patching import wrap_once

logger = logging.getLogger(__name__)


def _events(tracker: Any, text: Optional[str], parse_data: Dict[str, Any]) -> list:
    events = [event.as_dict() for event in tracker.events]
    events.append({"event": "user", "text": text, "parse_data": parse_data})
    return events


def thread_text(parse_data: Dict[str, Any], tracker: Any) -> Optional[str]:
    """The previous knowledge question and the follow-up joined ("hvad er kapitalkravet for et a/s og et p/s?"),
    or None when the message is no elliptical follow-up right after a knowledge answer (actions.thread).

    Args:
        parse_data: the NLU's result for the message.
        tracker: the conversation's DialogueStateTracker before the message, or None.
    """
    text = parse_data.get("text") or ""
    if tracker is None or getattr(tracker, "active_loop_name", None) or not elliptical(text):
        return None
    events = _events(tracker, text, parse_data)
    if not answered_just_before(events):
        return None
    question, _ = previous_question(events)
    return f"{question.get('text') or ''} {text}".strip() if question else None


def kept(parse_data: Dict[str, Any], tracker: Any) -> Dict[str, Any]:
    """`parse_data` with the intent `follow_up` if the message keeps the thread, else unchanged.

    Args:
        parse_data: the NLU's result for the message (Rasa's parse data dict).
        tracker: the conversation's DialogueStateTracker before the message, or None.
    """
    if tracker is None or getattr(tracker, "active_loop_name", None):
        return parse_data
    events = _events(tracker, parse_data.get("text"), parse_data)
    if not keeps_thread(events, parse_data):
        return parse_data
    intent = dict(parse_data.get("intent") or {})
    logger.info("Kept the thread: a follow-up read as %s is answered from the topic just discussed.", intent.get("name"))
    return {**parse_data, "intent": {"name": FOLLOW_UP_INTENT, "confidence": intent.get("confidence", 1.0)}}


def install() -> None:
    """Wraps MessageProcessor.parse_message once (see the module docstring)."""

    def keeps_threads(original: Any) -> Any:
        async def parse_message(self: MessageProcessor, message: Any, tracker: Optional[Any] = None,
                                *args: Any, **kwargs: Any) -> Dict[str, Any]:
            parse_data = await original(self, message, tracker, *args, **kwargs)
            try:
                question = question_after_frustration(parse_data.get("text") or "")
                if question and not getattr(tracker, "active_loop_name", None):  # answered after an acknowledgement
                    reading = await original(self, UserMessage(text=question, sender_id=message.sender_id), None)
                    parse_data = {**reading, FRUSTRATED: True}
                joined = thread_text(parse_data, tracker)
                if joined:  # the NLU's reading of the follow-up together with the question before it
                    reading = await original(self, UserMessage(text=joined, sender_id=message.sender_id), None)
                    parse_data = {**parse_data, THREAD_ITEM: reading.get("knowledge_item") or {}}
                return kept(parse_data, tracker)
            except Exception as error:  # never lose the message over the thread check
                logger.error("Could not check the thread of a message (%s); kept the NLU's intent.",
                             type(error).__name__)
                return parse_data

        return parse_message

    wrap_once(MessageProcessor, "parse_message", keeps_threads)
