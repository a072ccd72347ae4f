"""What the conversation has shown: the previous reply, the knowledge items in it, their sentences.

Read by the follow-up logic (actions.follow_up), the replies about the conversation
(actions.meta) and the knowledge answer's repeat check (channels/repeats.py).
"""

from __future__ import annotations

import re
from typing import Any, Dict, FrozenSet, Iterable, List

from actions.knowledge import Item, load_items

SHOWN_PREFIX = 60  # characters of an item's text that, found in a bot message, mean it was shown


def previous_reply(events: List[Dict[str, Any]], turns: int = 1) -> List[str]:
    """The bot texts of the replies to the `turns` user messages before the latest one, oldest first.

    Args:
        events: the tracker's events (dicts), oldest first; the last user event is the latest message.
        turns: how many of the previous replies (1: just the one before the latest message).
    """
    user_events = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(user_events) < 2:
        return []
    start = user_events[max(0, len(user_events) - 1 - turns)]
    return [e.get("text") or "" for e in events[start + 1:user_events[-1]] if e.get("event") == "bot"]


def offered_questions(events: List[Dict[str, Any]]) -> FrozenSet[str]:
    """The titles of the quick-reply buttons in the reply before the latest message (item questions, mostly).

    Args:
        events: the tracker's events (dicts), oldest first; the last user event is the latest message.
    """
    user_events = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(user_events) < 2:
        return frozenset()
    bots = [e for e in events[user_events[-2] + 1:user_events[-1]] if e.get("event") == "bot"]
    return frozenset(str(b.get("title") or "") for e in bots for b in ((e.get("data") or {}).get("buttons") or []))


def shown_items(bot_texts: Iterable[str]) -> List[Item]:
    """The items whose text is in `bot_texts`, in the order they were shown (the first is the one led with)."""
    seen = "\n".join(bot_texts)
    found = [(seen.find(item.text[:SHOWN_PREFIX]), item) for item in load_items()]
    return [item for position, item in sorted((f for f in found if f[0] >= 0), key=lambda f: f[0])]


def sentences(text: str) -> List[str]:
    """The sentences and list lines of an item's text ("kr." and "fx." do not end a sentence)."""
    parts = re.split(r"(?<![A-ZÆØÅ]\.[A-ZÆØÅ]\.)(?<=[.!?])\s+(?=[A-ZÆØÅ\[\"])|\n+", text)  # not after "A.P."
    return [p.strip() for p in parts if len(p.strip()) > 3]
