"""Several questions in one message are answered one by one.

"Hvad koster det at stifte et ApS? Og kan vi blive RSV?" holds two questions, and
the NLU gives a message one intent and one faq topic, so one of them would go
unanswered. `one_question_at_a_time` wraps a channel's message handler: a message
of two or three questions (sentences ending in "?") is handled as that many
messages, in order, so each gets its own answer (a second question that leans on
the first, "og hvad koster det?", is then a follow-up). Text before the first
question stays with it ("Jeg har et ApS. Kan vi blive RSV?" is one question).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, List

from rasa.core.channels.channel import UserMessage

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 3  # more than this is left whole: rather one answer than a flood
MIN_WORDS = 2  # "hvorfor?" alone is not a question of its own


def split_questions(text: str) -> List[str]:
    """The questions of `text`, each with the statements before it, or [text] if it is one question.

    Args:
        text: a user message.

    Returns:
        e.g. ["Hvad koster et ApS?", "Og kan vi blive RSV?"] for two questions;
        [text] for one, for more than MAX_QUESTIONS, for a question shorter than
        MIN_WORDS words, and for a button payload ("/intent").
    """
    if text.startswith("/"):
        return [text]
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text.strip()) if p.strip()]
    if parts and not parts[-1].endswith("?"):  # a closing remark ("tak") stays with the last question
        parts[-2:] = [" ".join(parts[-2:])] if len(parts) > 1 else parts[-1:]
    if not 2 <= len(parts) <= MAX_QUESTIONS or any(len(re.findall(r"\w+", p)) < MIN_WORDS for p in parts):
        return [text]
    return parts


def one_question_at_a_time(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler so that each question of a message is handled in turn.

    Args:
        on_new_message: the handler Rasa gives an input channel's blueprint.

    Returns:
        A handler that passes a message of one question on unchanged, and one of
        several (see `split_questions`) as one message a question, with the same
        sender, output channel, input channel and metadata.
    """

    async def handle(message: UserMessage) -> None:
        questions = split_questions(message.text or "")
        if len(questions) == 1:
            await on_new_message(message)
            return
        logger.debug("A message of %d questions from %s: answering each.", len(questions), message.sender_id)
        for question in questions:
            await on_new_message(
                UserMessage(
                    question,
                    message.output_channel,
                    message.sender_id,
                    input_channel=message.input_channel,
                    metadata=message.metadata,
                )
            )

    return handle
