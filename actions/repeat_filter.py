"""A knowledge answer without the items the previous reply already had."""

from __future__ import annotations

from typing import Optional, Sequence

from actions.knowledge import load_items
from actions.transcript import SHOWN_PREFIX


def without_repeats(answer: str, previous: Sequence[str]) -> Optional[str]:
    """A knowledge answer without the items the previous reply already had.

    Args:
        answer: the answer's text: item texts joined by blank lines (data/responses/faq.yml).
        previous: the texts of the bot's previous reply.

    Returns:
        `answer` unchanged if the previous reply had none of its items; the items it
        did not have, in order, if it had some but not the first; None if it had the
        first, or if it had the whole answer as one message (a municipality's Erhvervshus, which
        is no item of its own): the answer would say the same again, so treat the message as a
        follow-up.
    """
    if answer.strip() in (text.strip() for text in previous):
        return None
    seen = "\n".join(previous)
    items = [item for item in load_items() if item.text in answer]
    items.sort(key=lambda item: answer.index(item.text))
    repeated = [item for item in items if item.text[:SHOWN_PREFIX] in seen]
    if not repeated:
        return answer
    if items and items[0] in repeated:
        return None
    return "\n\n".join(item.text for item in items if item not in repeated)
