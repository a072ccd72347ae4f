"""How much `make bench` measures: the full run, or a quick one for development."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Settings:
    """Sizes of one benchmark run.

    Attributes:
        quick: True for a development run whose figures are not comparable to a full run.
        epochs: overrides every `epochs` in the configs (None: as configured).
        folds: folds of the cross-validation of the project's config.
        parse_messages: messages parsed in process for the NLU latency.
        concurrency: numbers of concurrent conversations in the load test.
        conversations_per_level: conversations sent at each concurrency, in the same order.
        turns: (fewest, most) user messages in one conversation.
        level_time_limit_s: a load level stops starting new messages after this many seconds.
        breakdown_conversations: conversations timed node by node in process.
    """

    quick: bool
    epochs: Optional[int]
    folds: int
    parse_messages: int
    concurrency: Tuple[int, ...]
    conversations_per_level: Tuple[int, ...]
    turns: Tuple[int, int]
    level_time_limit_s: float
    breakdown_conversations: int


FULL = Settings(
    quick=False,
    epochs=None,
    folds=5,
    parse_messages=1200,
    concurrency=(1, 8, 32),
    conversations_per_level=(20, 40, 96),
    turns=(10, 20),
    level_time_limit_s=240.0,
    breakdown_conversations=5,
)

QUICK = dataclasses.replace(
    FULL, quick=True, epochs=5, folds=2, parse_messages=200, conversations_per_level=(3, 8, 32),
    level_time_limit_s=60.0, breakdown_conversations=1,
)
