"""Understanding measured on the independent evaluation set in tests/eval/ (issue 10).

tests/eval/ is written apart from data/ (Rasa NLU YAML; `metadata: {item: <id>}` on
questions one knowledge item answers). The trained model parses each message; the test
prints the figures and the most confused pairs, and fails below the targets. The
EVAL_DIR environment variable points it at another copy of the set.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import classification_report

from actions.knowledge import load_items
from scripts.paths import ROOT

EVAL_DIR = Path(os.environ.get("EVAL_DIR", ROOT / "tests" / "eval"))
# Issue 10's targets, printed beside each figure. The tests fail below the floors: the
# figures the model reached (December 2026, docs/retrieval.md) less room for retraining
# noise, so a loss of understanding fails while the targets are still being worked
# towards. That the set is apart from data/ is checked by tests/test_eval_independent.py.
TARGET_ACCURACY, FLOOR_ACCURACY = 0.95, {"intent": 0.93, "faq key": 0.90, "item": 0.87}  # reached after the merge: 0.952, 0.930, 0.884
TARGET_LABEL_F1, FLOOR_LABEL_F1 = 0.85, 0.7  # lowest reached after the merge: out_of_scope 0.79
TARGET_SHORT_ANSWER_RECALL, FLOOR_SHORT_ANSWER_RECALL = 0.97, 0.8  # after the merge: affirm 0.833, thank 0.941
SHORT_ANSWERS = ("affirm", "deny", "stop", "thank", "goodbye")
TARGET_LOST_TO_FALLBACK, MAX_LOST_TO_FALLBACK = 0.02, 0.035  # of those understood before the fallback; reached 0.010
FALLBACK = "nlu_fallback"
MUST_FALL_BACK = ("xqzv blorp", "xqzw vbnmk plorft", "?!?", "<script>alert(1)</script>", "asdfjkl qwpoeiru", "<b></b>")

pytestmark = pytest.mark.skipif(not EVAL_DIR.is_dir(), reason=f"no evaluation set at {EVAL_DIR}")


class Parsed:
    """One evaluation message: its labels and the model's reading."""

    def __init__(self, example, result: Dict) -> None:
        self.text = example.get("text")
        self.intent = example.get("intent")
        self.key = example.get("intent_response_key")  # "faq/<key>" or None
        self.item = ((example.get("metadata") or {}).get("example") or {}).get("item")
        self.result = result

    @property
    def predicted_intent(self) -> str:
        return self.result["intent"]["name"]

    @property
    def intent_before_fallback(self) -> Optional[str]:
        ranking = [entry["name"] for entry in self.result.get("intent_ranking") or [] if entry["name"] != FALLBACK]
        return ranking[0] if ranking else None

    @property
    def predicted_key(self) -> Optional[str]:
        selector = (self.result.get("response_selector") or {}).get("faq") or {}
        return (selector.get("response") or {}).get("intent_response_key")

    @property
    def predicted_label(self) -> str:
        """The full label: "faq/<key>" for knowledge questions, else the intent."""
        return self.predicted_key if self.predicted_intent == "faq" and self.predicted_key else self.predicted_intent

    @property
    def label(self) -> str:
        return self.key or self.intent

    @property
    def predicted_item(self) -> Optional[str]:
        """The item the answer starts with: the knowledge_item entity, else the ranking's best."""
        entities = [e["value"] for e in self.result.get("entities") or [] if e["entity"] == "knowledge_item"]
        return entities[0] if entities else (self.result.get("knowledge_item") or {}).get("id")


@pytest.fixture(scope="module")
def agent(model):
    from rasa.core.agent import Agent

    return Agent.load(str(model))


@pytest.fixture(scope="module")
def parsed(agent) -> List[Parsed]:
    examples = load_data(str(EVAL_DIR)).intent_examples

    async def parse_all():
        return [await agent.parse_message(example.get("text")) for example in examples]

    return [Parsed(example, result) for example, result in zip(examples, asyncio.run(parse_all()), strict=True)]


def _accuracy(pairs: List[Tuple[str, Optional[str]]]) -> float:
    return sum(gold == predicted for gold, predicted in pairs) / len(pairs)


def _confused(pairs: List[Tuple[str, Optional[str]]], title: str, top: int = 15) -> None:
    print(f"\n{title}: most confused (gold -> predicted, count)")
    for (gold, predicted), count in Counter((g, p) for g, p in pairs if g != p).most_common(top):
        print(f"  {gold:<40} -> {predicted:<40} {count}")


def test_intent_accuracy(parsed):
    pairs = [(p.intent, p.predicted_intent) for p in parsed]
    accuracy = _accuracy(pairs)
    print(f"\nintent accuracy on {EVAL_DIR.name}/: {accuracy:.3f} (n={len(pairs)}; target {TARGET_ACCURACY})")
    _confused(pairs, "intents")
    assert accuracy >= FLOOR_ACCURACY["intent"]


def test_faq_key_accuracy(parsed):
    pairs = [(p.key, p.predicted_label) for p in parsed if p.key]
    accuracy = _accuracy(pairs)
    print(f"\nfaq key accuracy: {accuracy:.3f} (n={len(pairs)}; target {TARGET_ACCURACY})")
    _confused(pairs, "faq keys")
    assert accuracy >= FLOOR_ACCURACY["faq key"]


def test_item_accuracy(parsed):
    known = {item.id for item in load_items()}
    pairs = [(p.item, p.predicted_item) for p in parsed if p.item in known]
    unknown = sorted({p.item for p in parsed if p.item and p.item not in known})
    accuracy = _accuracy(pairs)
    print(f"\nitem accuracy: {accuracy:.3f} (n={len(pairs)}; {len(unknown)} item ids not in the knowledge base: {unknown})")
    print(f"item accuracy target: {TARGET_ACCURACY}")
    _confused(pairs, "items")
    assert accuracy >= FLOOR_ACCURACY["item"]


def test_no_label_below_the_least_f1(parsed):
    gold, predicted = [p.label for p in parsed], [p.predicted_label for p in parsed]
    report = classification_report(gold, predicted, output_dict=True, zero_division=0)
    weak = {label: round(scores["f1-score"], 3) for label, scores in sorted(report.items())
            if label in set(gold) and scores["f1-score"] < TARGET_LABEL_F1}
    print(f"\nlabels below the target F1 {TARGET_LABEL_F1}: {weak}")
    assert all(f1 >= FLOOR_LABEL_F1 for f1 in weak.values())


def test_short_answers_are_understood(parsed):
    recall = {}
    for intent in SHORT_ANSWERS:
        pairs = [(p.intent, p.predicted_intent) for p in parsed if p.intent == intent]
        if pairs:
            recall[intent] = round(_accuracy(pairs), 3)
    print(f"\nshort answers, recall: {recall} (target {TARGET_SHORT_ANSWER_RECALL})")
    assert all(value >= FLOOR_SHORT_ANSWER_RECALL for value in recall.values())


def test_the_fallback_loses_few_understood_messages(parsed):
    understood = [p for p in parsed if p.intent_before_fallback == p.intent]
    lost = [p.text for p in understood if p.predicted_intent == FALLBACK]
    share = len(lost) / len(understood)
    print(f"\nlost to the fallback: {share:.3f} ({len(lost)} of {len(understood)}; target {TARGET_LOST_TO_FALLBACK}): {lost[:10]}")
    assert share <= MAX_LOST_TO_FALLBACK


def test_keyboard_mash_and_markup_still_fall_back(agent):
    async def intents():
        return [(await agent.parse_message(text))["intent"]["name"] for text in MUST_FALL_BACK]

    assert asyncio.run(intents()) == [FALLBACK] * len(MUST_FALL_BACK)
