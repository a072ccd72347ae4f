"""Endings and requests about the conversation itself, in any dialogue state.

An ending ("tak for hjælpen!", "ok endelig. farvel", "thanks thats all", "ok forget it")
gets a short goodbye, bilingual when the user wrote English; "kan du sige det kortere" gets
the last answer in a few lines: the first sentence of each of its items (or of its
paragraphs, when it showed no item). Used by action_clarify (a message the NLU could not
place) and by the knowledge answer (channels/repeats.py), so neither answers a goodbye
with a topic text.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from actions.endings import ending
from actions.normalise import fold
from actions.transcript import previous_reply, sentences, shown_items

SHORTER = re.compile(r"\b(kortere|kort sagt|kort version|kort fortalt|opsummer\w*|sammenfat\w*|i korte trak|shorter|tl;?dr)\b")
SUMMARY_LINES = 4

NOTHING_TO_SHORTEN = "Der er ikke noget svar endnu, jeg kan gøre kortere. Hvad vil du gerne vide?"
SUMMARY_INTRO = "Kort fortalt:"


def summary(bot_texts: List[str]) -> str:
    """The answer in `bot_texts` in at most SUMMARY_LINES lines (Danish markdown).

    Each line is the first sentence of an item the answer showed, in order; an answer
    without items gives the first sentence of each paragraph (source lines left out).
    NOTHING_TO_SHORTEN if there is no answer.
    """
    items = shown_items(bot_texts)
    if items:
        firsts = [sentences(item.text)[0] for item in items]
    else:
        paragraphs = [p for text in bot_texts for p in text.split("\n\n") if p.strip() and not p.startswith("Kilde:")]
        firsts = [sentences(p)[0] for p in paragraphs if sentences(p)]
    if not firsts:
        return NOTHING_TO_SHORTEN
    return "\n".join([SUMMARY_INTRO, *(f"- {line}" for line in firsts[:SUMMARY_LINES])])


def meta_reply(events: List[Dict[str, Any]], text: str) -> Optional[Dict[str, str]]:
    """The reply to an ending or a request for a shorter answer, or None.

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        text: the message.

    Returns:
        The keyword arguments of the reply for CollectingDispatcher.utter_message: a goodbye
        (`ending`) or {"text": the previous reply's summary (`summary`)}; None otherwise.
    """
    goodbye = ending(text)
    if goodbye:
        return goodbye
    if SHORTER.search(fold(text or "")):
        return {"text": summary(previous_reply(events))}
    return None
