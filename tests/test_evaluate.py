"""One evaluation path (scripts.learning.evaluate) without a model: reading `rasa test nlu`'s
reports, combining test files, and running a command with a log (a stand-in for Rasa)."""

import sys

import pytest

from scripts.learning import evaluate
from scripts.learning.evaluate import Mistake, RasaCommandFailed, Scores, read_nlu_reports, run_rasa
from tests.helpers import classification_report, write_nlu_reports


def test_figures_count_a_message_once_if_intent_or_faq_answer_is_wrong(tmp_path):
    figures = read_nlu_reports(write_nlu_reports(tmp_path, intent_errors=["a", "b"], faq_errors=["b", "c"]))
    assert figures.messages == 10 and figures.misunderstood == {"a", "b", "c"} and figures.error_rate == 0.3
    assert figures.mistakes[0] == Mistake("a", "greet", "faq")
    assert figures.mistakes[-1] == Mistake("c", "faq/funding", "faq/growth")
    assert figures.faq is not None and figures.faq.accuracy == 0.75 and figures.faq.examples == 4
    assert figures.entities is None  # no entity report


def test_scores_of_a_report_without_accuracy_use_the_micro_average():
    report = classification_report({"municipality": 0.9, "company_form": 0.7})
    del report["accuracy"]
    report["micro avg"] = {"f1-score": 0.85, "support": 16}
    scores = Scores.from_report(report)
    assert scores.accuracy == 0.85 and scores.f1 == {"municipality": 0.9, "company_form": 0.7}
    assert scores.macro_f1 == pytest.approx(0.8) and scores.support == {"municipality": 8, "company_form": 8}


def test_a_folder_without_reports_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_nlu_reports(tmp_path)


def test_several_test_files_become_one_folder_for_rasa(tmp_path):
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "faq.yml").write_text("a")
    (tmp_path / "eval" / "notes.md").write_text("not data")
    (tmp_path / "heldout.yml").write_text("b")
    assert evaluate._test_data(tmp_path / "heldout.yml", tmp_path / "out") == tmp_path / "heldout.yml"
    folder = evaluate._test_data([tmp_path / "eval", tmp_path / "heldout.yml"], tmp_path / "out")
    assert sorted(p.read_text() for p in folder.iterdir()) == ["a", "b"]


@pytest.fixture
def fake_rasa(monkeypatch):
    """Makes run_rasa run `python -c <args[0]>` instead of Rasa: fast, and no model needed."""
    monkeypatch.setattr(evaluate, "RASA", [sys.executable, "-c"])


def test_a_command_writes_its_output_to_the_log_and_returns_its_time(fake_rasa, tmp_path):
    log = tmp_path / "logs" / "run.log"
    seconds = run_rasa(["print('trained')"], log)
    assert log.read_text() == "trained\n" and 0 < seconds < 60


def test_a_failed_command_names_itself_and_shows_the_end_of_its_log(fake_rasa, tmp_path):
    with pytest.raises(RasaCommandFailed, match=r"failed \(exit code 3\)") as error:
        run_rasa(["import sys; print('bad data'); sys.exit(3)"], tmp_path / "run.log")
    assert "bad data" in str(error.value)


def test_a_command_past_its_timeout_is_stopped(fake_rasa, tmp_path):
    beats = []
    with pytest.raises(RasaCommandFailed, match="ran longer than"):
        run_rasa(["import time; time.sleep(30)"], tmp_path / "run.log", timeout_s=0.6, heartbeat=beats.append, heartbeat_s=0.2)
    assert beats and all(0 < beat < 1 for beat in beats)
