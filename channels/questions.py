"""Several questions in one message are answered one by one.

"Hvad koster det at stifte et ApS? Og kan vi blive RSV?" holds two questions, and
the NLU gives a message one intent and one faq topic, so one of them would go
unanswered. `one_question_at_a_time` wraps a channel's message handler: a message
of two or three questions (sentences ending in "?", or questions joined by a comma
or "og" in one sentence: "hvad koster et aps og hvornår skal vi momsregistreres?") is
handled as that many messages, in order, so each gets its own answer (a second question that leans on
the first, "og hvad koster det?", is then a follow-up). Text before the first
question stays with it ("Jeg har et ApS. Kan vi blive RSV?" is one question).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Set

from rasa.core.channels.channel import OutputChannel, UserMessage

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 3  # more than this is left whole: rather one answer than a flood
MIN_WORDS = 2  # "hvorfor?" alone is not a question of its own
MIN_CLAUSE_WORDS = 3  # the first question of a sentence needs a few words of its own; later ones MIN_WORDS
# How a question begins: a question word, or a verb and who asks ("kan vi", "skal foreningen").
QUESTION_START = (
    r"(?:hv(?:ad|or|ornår|ornaar|ornar|ordan|em|ilke|ilken|orfor)\b"
    r"|(?:kan|skal|må|maa|bør|boer|er|har|koster|findes)\s+"
    r"(?:vi|man|jeg|i|en|et|det|de|der|foreningen|selskabet|virksomheden)\b)"
)
# A last question typed without its "?", after one with it: a question start, maybe after "og"/"men".
TRAILING_QUESTION = re.compile(rf"(?:og|men)?\s*(?:så|saa|sa)?\s*{QUESTION_START}", re.IGNORECASE)
# A second or third question inside one sentence: after a comma or "og".
CLAUSE_BREAK = re.compile(rf"(?:\s*,\s*|\s+og\s+)(?={QUESTION_START})", re.IGNORECASE)


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
    if not text.count("?") or (text.count("?") == 1 and text.rstrip().endswith("?")):
        return split_clauses(text)
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text.strip()) if p.strip()]
    if parts and not parts[-1].endswith("?"):
        if len(parts) > 1 and TRAILING_QUESTION.match(parts[-1]):
            parts[-1] = f"{parts[-1]}?"  # "... aps eller forening? og hvad koster det at starte et aps"
        else:  # a closing remark ("tak") stays with the last question
            parts[-2:] = [" ".join(parts[-2:])] if len(parts) > 1 else parts[-1:]
    if not 2 <= len(parts) <= MAX_QUESTIONS or any(len(re.findall(r"\w+", p)) < MIN_WORDS for p in parts):
        return [text]
    return parts


def split_clauses(text: str) -> List[str]:
    """The questions of a one-sentence message joined by commas or "og", or [text].

    Args:
        text: a message with one question mark, at its end, or none, e.g. "hvad koster det at
            starte et aps og hvornår skal jeg momsregistreres?".

    Returns:
        e.g. ["hvad koster det at starte et aps?", "hvornår skal jeg momsregistreres?"]: each
        part begins a question (QUESTION_START; the first may have a lead-in such as "tre
        ting -"), the first has MIN_CLAUSE_WORDS words and the others MIN_WORDS ("kan jeg få en
        i løntilskud, hvor længe og hvor meget" is three); [text] for one question, for more than
        MAX_QUESTIONS, and when the first part states something ("vi er en forening og
        skal vi ...?" keeps the statement with its question).
    """
    parts = [p.strip(" ,") for p in CLAUSE_BREAK.split(text.strip()) if p.strip(" ,")]
    lengths = [len(re.findall(r"\w+", p)) for p in parts]
    if not 2 <= len(parts) <= MAX_QUESTIONS or lengths[0] < MIN_CLAUSE_WORDS or min(lengths) < MIN_WORDS:
        return [text]
    if not re.match(rf"(?:[^,:–-]*[:–-]\s*)?{QUESTION_START}", parts[0], re.IGNORECASE):
        return [text]
    return [p if p.endswith("?") else f"{p}?" for p in parts]


MIN_CONTAINED = 40  # characters a reply needs to be dropped as a part of one sent ("Ja." is no repeat)


class OnceOutput(OutputChannel):
    """The output channel of a message split into questions: forwards every reply to `inner`,
    except a text already sent, or part of one, for an earlier question of the same message ("hvem
    var formand for udvalget og hvad anbefalede de?" is answered by one paragraph, sent once)."""

    def __init__(self, inner: OutputChannel) -> None:
        """Wraps `inner`, the channel the message came with (REST's collector, socket.io's emitter)."""
        self.inner = inner
        self.sent: Set[str] = set()

    def name(self) -> str:
        """The wrapped channel's name."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Sends `message` ({"text", "buttons", ...}) through `inner` unless its text is in one sent already."""
        text = message.get("text")
        if text and (text in self.sent or (len(text) >= MIN_CONTAINED and any(text in sent for sent in self.sent))):
            logger.debug("A reply already sent for this message was left out.")
            return
        if text:
            self.sent.add(text)
        await self.inner.send_response(recipient_id, message)


def one_question_at_a_time(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler so that each question of a message is handled in turn.

    Args:
        on_new_message: the handler Rasa gives an input channel's blueprint.

    Returns:
        A handler that passes a message of one question on unchanged, and one of
        several (see `split_questions`) as one message a question, with the same
        sender, input channel and metadata, and the output channel wrapped in
        `OnceOutput`, so no reply is sent twice.
    """

    async def handle(message: UserMessage) -> None:
        questions = split_questions(message.text or "")
        if len(questions) == 1:
            await on_new_message(message)
            return
        logger.debug("A message of %d questions from %s: answering each.", len(questions), message.sender_id)
        output = OnceOutput(message.output_channel)
        for question in questions:
            await on_new_message(
                UserMessage(
                    question,
                    output,
                    message.sender_id,
                    input_channel=message.input_channel,
                    metadata=message.metadata,
                )
            )

    return handle
