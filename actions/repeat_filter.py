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
        first (the answer would say the same again: treat the message as a follow-up).
    """
    seen = "\n".join(previous)
    items = [item for item in load_items() if item.text in answer]
    items.sort(key=lambda item: answer.index(item.text))
    repeated = [item for item in items if item.text[:SHOWN_PREFIX] in seen]
    if not repeated:
        return answer
    if items and items[0] in repeated:
        return None
    return "\n\n".join(item.text for item in items if item not in repeated)
