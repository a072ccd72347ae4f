"""The workload of the load test: realistic conversations made of NLU examples (a greeting, questions, a goodbye)."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

OPENING, CLOSING = "greet", "goodbye"


def examples_by_intent(nlu_path: Path) -> Dict[str, List[str]]:
    """The example texts of an NLU file or folder, by base intent (retrieval intents as "faq").

    Raises:
        rasa.shared.exceptions.RasaException (or subclass): the data cannot be read.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    grouped: Dict[str, List[str]] = defaultdict(list)
    for message in load_data(str(nlu_path)).intent_examples:
        grouped[message.get("intent")].append(message.get("text"))
    return dict(grouped)


def build_conversations(
    examples: Dict[str, List[str]], count: int, turns: Tuple[int, int], seed: int = 6
) -> List[List[str]]:
    """Conversations that open with a greeting, ask varied things and close with a goodbye.

    The middle messages are drawn without repetition within a conversation from all
    examples of the other intents (with repetition only where a conversation is longer
    than the examples), so intents weigh as much as they have examples.

    Args:
        examples: texts by intent (see `examples_by_intent`); needs "greet" and "goodbye".
        count: number of conversations.
        turns: (fewest, most) user messages per conversation, at least 2 each.
        seed: the same seed gives the same conversations.

    Returns:
        `count` lists of user messages.

    Raises:
        ValueError: no greeting or goodbye examples, no other examples, or `turns` not 2 ≤ fewest ≤ most.
    """
    if not examples.get(OPENING) or not examples.get(CLOSING):
        raise ValueError(f"conversations need '{OPENING}' and '{CLOSING}' examples")
    middle = [text for intent in sorted(examples) if intent not in (OPENING, CLOSING) for text in examples[intent]]
    fewest, most = turns
    if fewest < 2 or most < fewest or not middle:
        raise ValueError(f"cannot build conversations of {fewest}-{most} turns from {len(middle)} examples")
    rng = random.Random(seed)

    def draw(k: int) -> List[str]:
        return rng.sample(middle, k) if k <= len(middle) else rng.choices(middle, k=k)

    return [
        [rng.choice(examples[OPENING]), *draw(rng.randint(fewest, most) - 2), rng.choice(examples[CLOSING])]
        for _ in range(count)
    ]


def split(conversations: List[List[str]], sizes: List[int]) -> List[List[List[str]]]:
    """Consecutive slices of `conversations` of the given sizes.

    Raises:
        ValueError: fewer conversations than the sizes add up to.
    """
    if sum(sizes) > len(conversations):
        raise ValueError(f"{len(conversations)} conversations cannot fill {sum(sizes)}")
    slices, start = [], 0
    for size in sizes:
        slices.append(conversations[start:start + size])
        start += size
    return slices
