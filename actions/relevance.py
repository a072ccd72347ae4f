"""A knowledge answer holds the kind of fact its question asks for, or another ranked item does.

"hvad er fristen for at anmelde selskabet?" can reach the item on the founding fee: its
words are close, but it holds no deadline. When a knowledge question asks for a specific
kind of fact (SPECIFIC_ASKS: a price, a deadline, a duration, an amount, a rate, a limit, a
count; actions.wording.ASKS_FOR) and the answer the item selector chose does not
have it (the item and the items its `then` names), the first of the next RANKED items of its
ranking that has it, and shares a word with the question, answers instead. If none does, the
chosen answer stays: this check only moves an answer to a better item, never to a guess.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from actions.knowledge import Item, answer_items, items_by_id
from actions.wording import answer_matches, asked_for, content_words, ties

SPECIFIC_ASKS = ("price", "deadline", "when", "duration", "amount", "rate", "limit", "count")
RANKED = 4  # how far down the item selector's ranking another item may come from


def better_item(parse_data: Dict[str, Any]) -> Optional[Item]:
    """The item that answers a knowledge question better than the one chosen, or None.

    Args:
        parse_data: the question's parse data, with the item selector's
            `knowledge_item` {"id", "ranking": [{"id", "confidence"}, ...]} and "text".

    Returns:
        An item of the ranking whose text has what the question asks for (SPECIFIC_ASKS)
        when the chosen answer has not; None to keep the chosen answer.
    """
    text = parse_data.get("text") or ""
    asks = [ask for ask in asked_for(text) if ask in SPECIFIC_ASKS]
    selected = parse_data.get("knowledge_item") or {}
    chosen = items_by_id().get(str(selected.get("id")))
    if not asks or chosen is None:
        return None
    if answer_matches(" ".join(item.text for item in answer_items(chosen)), asks):
        return None
    words = content_words(text)
    for ranked in (selected.get("ranking") or [])[:RANKED]:
        candidate = items_by_id().get(str(ranked.get("id")))
        if (candidate is not None and candidate.id != chosen.id and answer_matches(candidate.text, asks)
                and ties(words, f"{candidate.question} {candidate.text}") > 0):
            return candidate
    return None
