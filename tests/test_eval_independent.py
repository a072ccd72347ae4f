"""The evaluation set in tests/eval/ stays independent of the training data in data/nlu/.

Issue 10 measures understanding on messages written apart from data/: no evaluation
message may equal a training example, or be one edit (Levenshtein distance 1: one
character inserted, deleted or replaced) away from one, after lower-casing. The test
prints every offending pair, so the evaluation message can be rewritten (by someone
who does not read the training file).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Set, Tuple

from rasa.shared.nlu.training_data.loading import load_data

from scripts.paths import ROOT

EVAL_DIR = ROOT / "tests" / "eval"
TRAINING_DIR = ROOT / "data" / "nlu"


def normalised_texts(path: str) -> Set[str]:
    """The lower-cased, stripped texts of all NLU examples Rasa's loader reads from `path`."""
    return {example.get("text").strip().lower() for example in load_data(path).intent_examples}


def within_one_edit(a: str, b: str) -> bool:
    """True if `a` and `b` are equal or one insertion, deletion or substitution apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    for index, (char_a, char_b) in enumerate(zip(a, b, strict=False)):
        if char_a != char_b:
            rest = index + 1
            return a[rest:] == b[rest:] if len(a) == len(b) else a[index:] == b[rest:]
    return True


def too_close(evaluation: Set[str], training: Set[str]) -> List[Tuple[str, str]]:
    """Pairs (evaluation text, training text) that are equal or one edit apart.

    Training texts are grouped by length, so each evaluation text is compared only with
    texts of its own length ±1.
    """
    by_length: Dict[int, List[str]] = defaultdict(list)
    for text in training:
        by_length[len(text)].append(text)
    return sorted(
        (text, other)
        for text in evaluation
        for length in (len(text) - 1, len(text), len(text) + 1)
        for other in by_length.get(length, [])
        if within_one_edit(text, other)
    )


def test_within_one_edit_counts_one_change_only() -> None:
    assert within_one_edit("nej tak", "nej tak")
    assert within_one_edit("nej tak", "nej tak!")
    assert within_one_edit("hvad koster det", "hvad koster dt")
    assert within_one_edit("moms", "mums")
    assert not within_one_edit("moms", "mumsa")
    assert not within_one_edit("hej med dig", "hej med mig!")


def test_no_evaluation_message_is_a_training_example_or_one_edit_away() -> None:
    pairs = too_close(normalised_texts(str(EVAL_DIR)), normalised_texts(str(TRAINING_DIR)))
    print()
    for evaluation, training in pairs:
        print(f"evaluation {evaluation!r} ~ training {training!r}")
    assert not pairs, f"{len(pairs)} evaluation messages equal a training example or are one edit away (printed above)"
