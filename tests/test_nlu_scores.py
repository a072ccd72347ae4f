"""The held-out NLU file scored with the trained model by `rasa test nlu`.

The thresholds sit a little below what the model reaches (README, "NLU figures"),
so a change that makes understanding clearly worse fails here.
"""

import json
import subprocess
import sys

import pytest

from scripts.paths import ROOT
from tests.helpers import OUTPUT

MIN_INTENT_MACRO_F1 = 0.90
MIN_FAQ_MACRO_F1 = 0.90
MIN_ENTITY_MACRO_F1 = 0.85


@pytest.fixture(scope="module")
def reports(model):
    out = OUTPUT / "nlu"
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "nlu", "--model", str(model), "--nlu", "tests/nlu", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {name: json.loads((out / f"{name}.json").read_text()) for name in
            ("intent_report", "response_selection_report", "DIETClassifier_report")}


def _print_table(title, report):
    print(f"\n{title}")
    for label, scores in sorted(report.items()):
        if isinstance(scores, dict) and "f1-score" in scores:
            print(f"  {label:<40} F1 {scores['f1-score']:.3f}  (n={scores['support']})")


def test_intent_macro_f1(reports):
    report = reports["intent_report"]
    _print_table("Intent F1 on the held-out file", report)
    assert report["macro avg"]["f1-score"] >= MIN_INTENT_MACRO_F1


def test_faq_response_selection_macro_f1(reports):
    report = reports["response_selection_report"]
    _print_table("faq response selection F1 on the held-out file", report)
    assert report["macro avg"]["f1-score"] >= MIN_FAQ_MACRO_F1


def test_entity_macro_f1(reports):
    report = reports["DIETClassifier_report"]
    _print_table("Entity F1 on the held-out file", report)
    assert report["macro avg"]["f1-score"] >= MIN_ENTITY_MACRO_F1
