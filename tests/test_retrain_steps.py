"""`make retrain`'s steps (scripts.learning.retrain) without training: reading
`rasa data validate`'s warnings, and reusing an earlier evaluation."""

import json

import pytest

from scripts.learning.retrain import validation_warnings
from tests.helpers import classification_report as report

INTENTS = {"greet": 1.0, "goodbye": 0.9}
FAQ = {"faq/funding": 1.0, "faq/rsv_criteria": 0.8}


def test_validation_warnings_leave_out_rasas_own_faq_warning():
    log = (
        "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The following duplicated intents have been found "
        "across multiple domain files: faq\n  More info\n"
        "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The intent 'inform' is not used in any story or rule.\n"
    )
    assert validation_warnings(log) == ["The intent 'inform' is not used in any story or rule."]


def test_an_earlier_evaluation_of_the_same_model_and_tests_is_reused(tmp_path, monkeypatch):
    from scripts.learning import retrain

    monkeypatch.setattr(retrain, "RESULTS", tmp_path)
    monkeypatch.setattr(retrain, "run_logged", lambda *args: pytest.fail("evaluated again"))
    monkeypatch.setattr(retrain, "evaluate_nlu", lambda *args, **kwargs: pytest.fail("evaluated again"))
    earlier = tmp_path / "20261130-100000" / "candidate"
    for folder, name, content in (("nlu", "intent_report.json", report(INTENTS)), ("nlu", "response_selection_report.json", report(FAQ)),
                                  ("core", "story_report.json", {"conversation_accuracy": {"correct": 7, "total": 7}})):
        (earlier / folder).mkdir(parents=True, exist_ok=True)
        (earlier / folder / name).write_text(json.dumps(content))
    model = tmp_path / "20261130-100000-aaaaaaaaaaaa.tar.gz"
    tests = retrain.files_digest([retrain.HELD_OUT_NLU, retrain.TEST_STORIES])
    (earlier / retrain.EVALUATED).write_text(json.dumps({"model": model.name, "tests": tests}))
    metrics = retrain.evaluate(model, tmp_path / "20261130-110000" / "served")
    assert metrics.intents.f1 == INTENTS and (tmp_path / "20261130-110000" / "served" / "nlu" / "intent_report.json").exists()
