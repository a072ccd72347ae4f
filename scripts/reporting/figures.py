"""The report's figures, counted from conversations (scripts.reporting.conversations).

How each figure is derived from the tracker's events is written down in docs/report.md;
the names here are the ones used there and in the CSV.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Dict, Iterable, List, Optional, Tuple

from scripts.learning.review import CORE_FALLBACK_ACTION, FALLBACK_INTENT, normalised, predicted_label, unsure_events
from scripts.reporting.conversations import Conversation, Turn

HANDOFF_RESPONSE = "utter_handoff"
DEFAULT_RESPONSE = "utter_default"  # said after the second failed understanding, and by action_default_fallback
CLARIFY_ACTION = "action_clarify"  # "Mener du …?"
CENTRE_STATUS = "faq/centre_status"
OTHER_LANGUAGE = "other_language"
ITEM_INTENTS = ("faq", "follow_up")  # the intents whose knowledge_item the report counts
# The reasons for a handoff to 72 20 00 30, in the order a turn is checked (one reason per turn).
HANDOFF_REASONS = {
    "action_failed": "an action failed (no reply stored)",
    "person": "asked for a person",
    "centre_status": "asked whether the centre still exists",
    "misunderstood": "not understood twice, or the dialogue fell back",
}
DAYS_PER_DAY_PERIOD = 31  # a longer report counts per week
TOP = 20


@dataclass
class Period:
    """The figures of one day or week; every count is a number of conversations or of user messages."""

    label: str
    conversations: int = 0
    messages: int = 0
    conversations_with_handoff: int = 0
    handoffs: Counter = field(default_factory=Counter)  # reason -> turns
    fallbacks: int = 0
    clarifications: int = 0

    @property
    def handoff_rate(self) -> float:
        """Share (0..1) of the conversations with at least one handoff."""
        return self.conversations_with_handoff / self.conversations if self.conversations else 0.0

    @property
    def fallback_rate(self) -> float:
        """Share (0..1) of the user messages that fell back."""
        return self.fallbacks / self.messages if self.messages else 0.0

    @property
    def clarification_rate(self) -> float:
        """Share (0..1) of the user messages answered with "Mener du …?"."""
        return self.clarifications / self.messages if self.messages else 0.0


@dataclass(frozen=True)
class UnsureMessage:
    """A message text the model was unsure about (as stored, so already redacted), how often, and the usual guess."""

    text: str
    count: int
    predicted: str


@dataclass
class Figures:
    """Everything the report shows.

    unit: "day" or "week"; periods: one per unit from the first to the last
    conversation, empty ones included; total: the whole range as one Period.
    lengths: user messages per conversation. advice: "started", "completed", "stopped",
    "left" -> runs of the form; stopped_at: (outcome, slot) -> runs. topics: faq key
    -> messages; items: knowledge item id -> messages; other_language: messages.
    """

    unit: str
    periods: List[Period]
    total: Period
    lengths: List[int]
    advice: Counter
    stopped_at: Counter
    topics: Counter
    items: Counter
    other_language: int
    unsure: List[UnsureMessage]

    @property
    def mean_length(self) -> float:
        """Mean user messages per conversation (0 without conversations)."""
        return statistics.mean(self.lengths) if self.lengths else 0.0

    @property
    def median_length(self) -> float:
        """Median user messages per conversation (0 without conversations)."""
        return statistics.median(self.lengths) if self.lengths else 0.0

    @property
    def other_language_rate(self) -> float:
        """Share (0..1) of the user messages in another language."""
        return self.other_language / self.total.messages if self.total.messages else 0.0


def is_fallback(turn: Turn) -> bool:
    """The NLU fell back (nlu_fallback) or the dialogue did (action_default_fallback)."""
    return turn.intent == FALLBACK_INTENT or CORE_FALLBACK_ACTION in turn.actions


def handoff_reason(turn: Turn) -> Optional[str]:
    """The key in HANDOFF_REASONS of the handoff in `turn`, or None if it handed nothing off."""
    steps = turn.steps
    if not turn.responses:
        return "action_failed"
    if turn.intent == "request_human" and HANDOFF_RESPONSE in steps:
        return "person"
    label = predicted_label(turn.intent, turn.message.parse_data or {})
    if label == CENTRE_STATUS and not is_fallback(turn) and CLARIFY_ACTION not in steps:
        return "centre_status"
    if DEFAULT_RESPONSE in steps or CORE_FALLBACK_ACTION in steps:
        return "misunderstood"
    return None


def period_label(moment: float, unit: str) -> str:
    """The day ("2026-11-30") or ISO week ("2026-W49") of `moment` (Unix time, s), in local time."""
    day = datetime.fromtimestamp(moment).date()
    return day.isoformat() if unit == "day" else _week(day)


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _all_periods(first: float, last: float, unit: str) -> List[str]:
    day, end = datetime.fromtimestamp(first).date(), datetime.fromtimestamp(last).date()
    labels: List[str] = []
    while day <= end:
        label = day.isoformat() if unit == "day" else _week(day)
        if not labels or labels[-1] != label:
            labels.append(label)
        day += timedelta(days=1)
    return labels


def _count_conversation(conversation: Conversation, period: Period, figures: Figures) -> None:
    reasons = []
    for turn in conversation.turns:
        for target in (period, figures.total):
            target.messages += 1
            target.fallbacks += is_fallback(turn)
            target.clarifications += CLARIFY_ACTION in turn.actions
        reason = handoff_reason(turn)
        if reason:
            reasons.append(reason)
        parse_data = turn.message.parse_data or {}
        label = predicted_label(turn.intent, parse_data)
        if label.startswith("faq/"):
            figures.topics[label.split("/", 1)[1]] += 1
        item = parse_data.get("knowledge_item")
        if turn.intent in ITEM_INTENTS and isinstance(item, dict) and item.get("id"):
            figures.items[item["id"]] += 1
        figures.other_language += turn.intent == OTHER_LANGUAGE
    for target in (period, figures.total):
        target.conversations += 1
        target.conversations_with_handoff += bool(reasons)
        target.handoffs.update(reasons)
    figures.lengths.append(len(conversation.turns))
    for outcome, slot in conversation.advice:
        figures.advice["started"] += 1
        figures.advice[outcome] += 1
        if outcome != "completed":
            figures.stopped_at[(outcome, slot or "–")] += 1


def _unsure(conversations: Iterable[Conversation], thresholds: Tuple[float, float]) -> List[UnsureMessage]:
    counts: Counter = Counter()
    texts: Dict[str, str] = {}
    guesses: Dict[str, Counter] = {}
    for conversation in conversations:
        for event, prediction in unsure_events(conversation.events, *thresholds):
            key = normalised(event.text)
            counts[key] += 1
            texts.setdefault(key, event.text.strip())
            guesses.setdefault(key, Counter())[prediction.label] += 1
    return [UnsureMessage(texts[key], n, guesses[key].most_common(1)[0][0]) for key, n in counts.most_common(TOP)]


def compute(conversations: List[Conversation], thresholds: Tuple[float, float], unit: Optional[str] = None) -> Figures:
    """The figures of `conversations`, each counted in the period of its start.

    Args:
        conversations: e.g. from scripts.reporting.conversations.conversations().
        thresholds: (threshold, ambiguity_threshold) of the FallbackClassifier, for the unsure messages.
        unit: "day" or "week"; by default "day" if the conversations span at most
            DAYS_PER_DAY_PERIOD days, else "week".
    """
    conversations = sorted(conversations, key=lambda c: c.start)
    first, last = (conversations[0].start, conversations[-1].start) if conversations else (0.0, 0.0)
    unit = unit or ("day" if last - first <= DAYS_PER_DAY_PERIOD * 86400 else "week")
    periods = {label: Period(label) for label in (_all_periods(first, last, unit) if conversations else [])}
    figures = Figures(unit=unit, periods=list(periods.values()), total=Period("total"), lengths=[], advice=Counter(),
                      stopped_at=Counter(), topics=Counter(), items=Counter(), other_language=0, unsure=[])
    for conversation in conversations:
        _count_conversation(conversation, periods[period_label(conversation.start, unit)], figures)
    figures.unsure = _unsure(conversations, thresholds)
    return figures
