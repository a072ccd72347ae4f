"""A knowledge answer holds the kind of fact its question asks for, or another ranked item does.

"hvad er fristen for at anmelde selskabet?" can reach the item on the founding fee: its
words are close, but it holds no deadline. When a knowledge question asks for a specific
kind of fact (SPECIFIC_ASKS: a price, a deadline, a duration, an amount, a rate, a limit, a
count; actions.wording.ASKS_FOR) and the answer the item selector chose does not
have it (the item and the items its `then` names), the first of the next RANKED items of its
ranking that has it, and shares a word with the question, answers instead. If none does, the
chosen answer stays: this check only moves an answer to a better item, never to a guess.

A question that names a scheme (SCHEMES: fleksjob, IGU, løntilskud, ...) is answered only by
items that name it too: "hvor mange timer om ugen skal en i fleksjob arbejde?" must not get the
IGU's 25 hours. When no ranked item names it and has what is asked for, `unanswered_scheme`
names the scheme for an honest "I don't know" (channels/repeats.py).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from actions.knowledge import Item, answer_items, items_by_id
from actions.normalise import fold
from actions.wording import answer_matches, asked_for, content_words, ties

SPECIFIC_ASKS = ("price", "deadline", "when", "duration", "amount", "rate", "limit", "count")
RANKED = 4  # how far down the item selector's ranking another item may come from
# Schemes a question may name, folded (actions.normalise.fold) -> as written in an answer. Each is
# matched at the start of a word: "moms" in "momsregistreres", not "løntilskud" in "fleksløntilskud".
SCHEMES = {"fleksjob": "fleksjob", "igu": "IGU", "lontilskud": "løntilskud", "skanejob": "skånejob",
           "virksomhedspraktik": "virksomhedspraktik", "lonsumsafgift": "lønsumsafgift", "moms": "moms",
           "selskabsskat": "selskabsskat"}


def unnamed(text: str, item: Item) -> List[str]:
    """The schemes (keys of SCHEMES) the question `text` names that the answer starting with `item`
    (the item and its `then` items, questions included) does not name; empty if none."""
    answer = fold(" ".join(f"{shown.question} {shown.text}" for shown in answer_items(item)))
    return [scheme for scheme in SCHEMES
            if re.search(rf"\b{scheme}", fold(text)) and not re.search(rf"\b{scheme}", answer)]


def better_item(parse_data: Dict[str, Any]) -> Optional[Item]:
    """The item that answers a knowledge question better than the one chosen, or None.

    Args:
        parse_data: the question's parse data, with the item selector's
            `knowledge_item` {"id", "ranking": [{"id", "confidence"}, ...]} and "text".

    Returns:
        An item of the ranking whose text has what the question asks for (SPECIFIC_ASKS) and names
        the schemes it names, when the chosen answer has not; None to keep the chosen answer.
    """
    text = parse_data.get("text") or ""
    asks = [ask for ask in asked_for(text) if ask in SPECIFIC_ASKS]
    selected = parse_data.get("knowledge_item") or {}
    chosen = items_by_id().get(str(selected.get("id")))
    if not asks or chosen is None:
        return None
    if not unnamed(text, chosen) and answer_matches(" ".join(item.text for item in answer_items(chosen)), asks):
        return None
    words = content_words(text)
    for ranked in (selected.get("ranking") or [])[:RANKED]:
        candidate = items_by_id().get(str(ranked.get("id")))
        if (candidate is not None and candidate.id != chosen.id and answer_matches(candidate.text, asks)
                and ties(words, f"{candidate.question} {candidate.text}") > 0 and not unnamed(text, candidate)):
            return candidate
    return None


def unanswered_scheme(parse_data: Dict[str, Any]) -> Optional[str]:
    """The scheme ("fleksjob") a knowledge question asks a specific fact about when the chosen answer
    does not name it; None otherwise. Asked when `better_item` found no item that does.

    Args:
        parse_data: as for `better_item`.

    Returns:
        The scheme as written in Danish (a value of SCHEMES), for "my sources on it don't say".
    """
    text = parse_data.get("text") or ""
    chosen = items_by_id().get(str((parse_data.get("knowledge_item") or {}).get("id")))
    if chosen is None or not any(ask in SPECIFIC_ASKS for ask in asked_for(text)):
        return None
    missing = unnamed(text, chosen)
    return SCHEMES[missing[0]] if missing else None
