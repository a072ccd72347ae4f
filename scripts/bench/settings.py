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
        long_turns: user messages in each of those conversations (the turn-50 figure).
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
    long_turns: int


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
    long_turns=50,
)

QUICK = dataclasses.replace(
    FULL, quick=True, epochs=5, folds=2, parse_messages=200, conversations_per_level=(3, 8, 32),
    level_time_limit_s=60.0, breakdown_conversations=1,
)


@dataclass(frozen=True)
class Targets:
    """What the project's assistant must reach on this 2-core machine (issues 6 and 14), each with why.

    Attributes:
        p50_ms: end-to-end median latency of a message with 1 conversation, ms.
        throughput_ratio: messages per s at 32 concurrent conversations, as a multiple of `rasa init`'s.
        training_s: full training time from an empty cache, s.
        peak_rss_mb: peak resident memory of the Rasa server, MB (2**20 bytes).
        error_ratio: held-out NLU error rate as a multiple of the language-agnostic pipeline's.
        p95_ms: end-to-end p95 latency at 32 concurrent conversations, ms.
        cpu_ratio: Rasa server CPU time per message at 32 conversations, as a multiple of `rasa init`'s.
        turn_50_ratio: median whole-message time at turns 46-50 of a conversation, as a multiple of turn 1's.
    """

    p50_ms: float
    throughput_ratio: float
    training_s: float
    peak_rss_mb: float
    error_ratio: float
    p95_ms: float
    cpu_ratio: float
    turn_50_ratio: float


TARGETS = Targets(
    p50_ms=60.0,  # a typed reply must feel immediate; the rest of the budget goes to the network and the widget
    throughput_ratio=2.0,  # a public page gets bursts of users; the server must carry them better than Rasa's sample bot
    training_s=300.0,  # `make retrain` and a fresh `make test` train; an operator waits for it, CI runs it
    peak_rss_mb=1228.8,  # 1.2 GB (issue 14; was 1.5 GB): several Rasa servers, the action server and a database fit on a VM
    error_ratio=0.7,  # the Danish pipeline must earn its weight with clearly fewer wrong answers than Rasa's default
    p95_ms=1000.0,  # issue 14: in a burst, the slowest twentieth of messages still answered within a second
    cpu_ratio=1.0,  # issue 14: a server carries as many conversations per core as Rasa's sample bot
    turn_50_ratio=1.5,  # issue 14: a long conversation must not slow down with every turn
)
