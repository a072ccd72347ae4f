"""The benchmark's pure helpers (scripts/bench): statistics, conversations, configs, scores, report.

No timing is asserted here; `make bench` measures and records.
"""

import dataclasses
import json

import pytest
import yaml

from scripts.bench import report
from scripts.bench.assistants import reference_pipeline, with_epochs
from scripts.bench.quality import error_ratio, overlap
from scripts.bench.results import (
    Assistant,
    Breakdown,
    CrossValidation,
    Latency,
    LevelResult,
    Machine,
    NluScores,
    Overlap,
    Quality,
    ReferenceScores,
    Results,
    Serving,
)
from scripts.bench.serving import ignore_tracker_store_overrides, write_endpoints
from scripts.bench.settings import FULL
from scripts.bench.stats import by_turn, latency_summary
from scripts.bench.workload import build_conversations, split
from scripts.learning.evaluate import Mistake, read_nlu_reports
from tests.helpers import write_nlu_reports


def test_latency_summary_and_turn_buckets():
    assert latency_summary([]) == Latency(n=0)
    assert latency_summary([10.0, 20.0, 30.0]).p50_ms == 20.0
    buckets = by_turn([(1, 5.0), (2, 10.0), (5, 20.0), (12, 40.0)])
    assert list(buckets) == ["1", "2-5", "6-10", "11-15", "16-20", "21-45", "46-50"]
    assert buckets["2-5"].n == 2 and buckets["2-5"].p50_ms == 15.0
    assert buckets["6-10"] == Latency(n=0)


EXAMPLES = {"greet": ["hej"], "goodbye": ["farvel"], "faq": [f"spørgsmål {i}" for i in range(30)], "thank": ["tak"]}


def test_conversations_open_with_greeting_close_with_goodbye_and_do_not_repeat():
    conversations = build_conversations(EXAMPLES, 20, (10, 20))
    assert len(conversations) == 20
    for conversation in conversations:
        assert 10 <= len(conversation) <= 20
        assert conversation[0] == "hej" and conversation[-1] == "farvel"
        assert len(set(conversation[1:-1])) == len(conversation) - 2
    assert build_conversations(EXAMPLES, 20, (10, 20)) == conversations  # seeded


def test_conversations_need_examples_and_repeat_them_only_when_longer():
    with pytest.raises(ValueError):
        build_conversations({"greet": ["hej"], "faq": ["a"]}, 1, (3, 4))
    with pytest.raises(ValueError):
        build_conversations({"greet": ["hej"], "goodbye": ["farvel"]}, 1, (3, 4))
    [long] = build_conversations(EXAMPLES, 1, (50, 50))  # 50 turns from 31 other examples
    assert len(long) == 50 and set(long[1:-1]) <= set(EXAMPLES["faq"] + EXAMPLES["thank"])


def test_split_gives_consecutive_slices():
    assert split([[str(i)] for i in range(5)], [2, 0, 3]) == [[["0"], ["1"]], [], [["2"], ["3"], ["4"]]]
    with pytest.raises(ValueError):
        split([["a"]], [2])


CONFIG = {
    "language": "da",
    "pipeline": [{"name": "SpacyTokenizer"}, {"name": "DIETClassifier", "epochs": 100, "random_seed": 42},
                 {"name": "ResponseSelector", "epochs": 80}],
    "policies": [{"name": "TEDPolicy", "epochs": 50}, {"name": "RulePolicy"}],
}


def test_reference_pipeline_takes_language_epochs_and_seeds_from_the_project():
    reference = reference_pipeline(CONFIG)
    components = {c["name"]: c for c in reference["pipeline"]}
    assert reference["language"] == "da" and reference["policies"] == []
    assert components["DIETClassifier"] == {"name": "DIETClassifier", "epochs": 100, "random_seed": 42}
    assert components["ResponseSelector"] == {"name": "ResponseSelector", "epochs": 80}
    assert "WhitespaceTokenizer" in components and "SpacyTokenizer" not in components
    assert {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4} in reference["pipeline"]


def test_with_epochs_overrides_only_what_has_epochs_and_keeps_the_original():
    quick = with_epochs(CONFIG, 5)
    assert [c.get("epochs") for c in quick["pipeline"]] == [None, 5, 5]
    assert [p.get("epochs") for p in quick["policies"]] == [5, None]
    assert CONFIG["pipeline"][1]["epochs"] == 100
    assert with_epochs(CONFIG, None) == CONFIG


def test_bench_endpoints_keep_the_tracker_store_but_never_its_database(tmp_path):
    source = tmp_path / "endpoints.yml"
    source.write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n"
                      "tracker_store:\n  type: storage.tracker_store.EnvSQLTrackerStore\n  dialect: sqlite\n"
                      "  db: tracker.db\n")
    written = yaml.safe_load(write_endpoints(source, "http://localhost:7000/webhook", tmp_path / "bench.yml").read_text())
    action = {"url": "http://localhost:7000/webhook", "token": "${ACTION_SERVER_TOKEN}"}  # the action server's secret
    assert written["action_endpoint"] == action
    assert written["tracker_store"] == {"type": "storage.tracker_store.EnvSQLTrackerStore", "dialect": "sqlite",
                                        "db": str(tmp_path / "bench-tracker.db")}
    assert yaml.safe_load(write_endpoints(None, "http://localhost:7000/webhook", tmp_path / "none.yml").read_text()) == {
        "action_endpoint": action}
    environ = {"TRACKER_STORE_DIALECT": "postgresql", "TRACKER_STORE_HOST": "db.example", "PATH": "/bin"}
    ignore_tracker_store_overrides(environ)
    assert environ == {"PATH": "/bin"}


def test_bench_scores_round_the_evaluation_and_compare_the_pipelines(tmp_path):
    write_nlu_reports(tmp_path / "project", intent_errors=["a", "b"], faq_errors=["b", "c"])
    write_nlu_reports(tmp_path / "reference", intent_errors=["c", "d"], faq_errors=[])
    project, reference = read_nlu_reports(tmp_path / "project"), read_nlu_reports(tmp_path / "reference")
    scores = NluScores.of(project)
    assert scores.error_rate == 0.3  # a, b, c of 10
    assert scores.intent_error_rate == 0.2 and scores.faq_accuracy == 0.75 and scores.faq_messages == 4
    assert scores.entity_macro_f1 is None  # no entity report
    assert error_ratio(scores.error_rate, 0.6) == 0.5
    assert error_ratio(scores.error_rate, 0.0) is None
    assert overlap(project, reference) == Overlap(only_project=2, only_reference=1, both=1)


def _latency(p50):
    return Latency(n=10, mean_ms=p50, p50_ms=p50, p95_ms=2 * p50, p99_ms=3 * p50, max_ms=4 * p50)


def _level(concurrency, throughput, p50, failed=0):
    return LevelResult(concurrency=concurrency, conversations=2, messages=10, failed=failed, errors={}, elapsed_s=1.0,
                       throughput_msg_s=throughput, latency=_latency(p50), by_turn={"1": _latency(p50), "2-5": Latency(n=0)},
                       others_cpu_share=0.2, server_cpu_ms_per_msg=20.0)


def _assistant(throughput_32, p50_1, rss_mb, training_s, turn_50_ms=12.0):
    parts = {"DIETClassifier6": 6.0, "TEDPolicy2": 3.0, "everything else (actions, events, NLG)": 1.0}
    return Assistant(
        training_s=training_s, archive_mb=80.0,
        parse=Latency(n=1000, p50_ms=10.0, p95_ms=12.0, p99_ms=15.0),
        breakdown=Breakdown(messages=30, total_ms=10.0, parts=parts,
                            total_by_turn={"1": Latency(n=2, mean_ms=9.0, p50_ms=9.0), "2-5": Latency(n=0),
                                           "46-50": Latency(n=2, mean_ms=turn_50_ms, p50_ms=turn_50_ms)},
                            parts_by_turns={"1-5": parts, "46-50": {**parts, "TEDPolicy2": 9.0}}),
        serving=Serving([_level(1, 30.0, p50_1), _level(32, throughput_32, 500.0)], peak_rss_mb=rss_mb, rss_mb=rss_mb - 100),
        action_server_peak_rss_mb=120.0,
    )


def _results(quick=False, others=0.0, with_quality=True):
    scores = {"messages": 199, "intent_accuracy": 0.95, "intent_macro_f1": 0.9, "intent_error_rate": 0.05,
              "faq_messages": 103, "faq_accuracy": 0.9, "faq_macro_f1": 0.88, "entity_macro_f1": 0.85,
              "error_rate": 0.1}
    quality = Quality(
        project=NluScores(**scores),
        reference_pipeline=ReferenceScores(**{**scores, "error_rate": 0.25}, training_s=90.0, archive_mb=70.0),
        error_ratio=0.4, intent_error_ratio=0.5,
        misunderstood=Overlap(only_project=2, only_reference=20, both=8),
        project_mistakes=(Mistake("logger af", "goodbye", "faq"),),
        cross_validation=CrossValidation(**scores, folds=5, seconds=600.0),
    )
    machine = Machine(date="2026-11-30", git_commit="abc1234", cpu_model="Test CPU", cores=2, memory_gb=8.0, os="Linux",
                      python="3.10", versions={"rasa": "3.6.21", "rasa-sdk": "3.6.2", "tensorflow": "2.12.0",
                                               "spacy": "3.4.4", "sanic": "21.12.2"},
                      spacy_pipeline="blank:da", spacy_fallback=True)
    results = Results(
        quick=quick, config="config.yml", endpoints="endpoints.yml", settings=FULL, machine=machine,
        quality=quality if with_quality else None,
        assistants={"project": _assistant(50.0, 30.0, 1700.0, 240.0), "rasa_init": _assistant(20.0, 40.0, 1100.0, 60.0, turn_50_ms=30.0)},
        duration_s=1800, others_cpu_share=others,
    )
    return dataclasses.replace(results, targets=report.targets(results))


def test_targets_say_which_are_met():
    met = {t.target: t.met for t in _results().targets}
    assert met == {"End-to-end p50, 1 conversation": True, "Throughput, 32 conversations": True,
                   "Full training time": True, "Rasa server peak RSS": False, "NLU error rate (held-out)": True,
                   "p95 at 32 conversations": True, "Rasa server CPU per message, 32 conversations": True,
                   "Latency at turns 46-50 against turn 1 (in process, p50)": True}
    assert _results(with_quality=False).targets[4].met is None


def test_report_keeps_changes_tried_and_flags_quick_and_shared_runs(tmp_path):
    (tmp_path / "benchmarks.md").write_text("# old\n\n## Changes tried\n\n- TED removed: 2x faster.\n")
    md_path, json_path = report.write(_results(quick=True, others=0.5), tmp_path)
    text = md_path.read_text()
    assert text.endswith("## Changes tried\n\n- TED removed: 2x faster.\n") and "# old" not in text
    assert "**Quick run**" in text and "**Shared machine.**" in text
    assert "| Rasa server peak RSS | ≤ 1.2 GB (1229 MB) | 1700 MB | 1100 MB | **no** |" in text
    assert "| Latency at turns 46-50 against turn 1 (in process, p50) | ≤ 1.5 × turn 1 | 12.0 ms against 9.0 ms " \
           "(1.33 ×) | 30.0 ms against 9.0 ms (3.33 ×) | yes |" in text
    assert "| project | TEDPolicy2 | 3.00 ms | 9.00 ms |" in text  # what grows with the conversation
    assert "| End-to-end p50, 1 conversation | ≤ 60 ms | 30.0 ms | 40.0 ms | yes |" in text
    assert "| logger af | goodbye | faq |" in text
    written = json.loads(json_path.read_text())
    assert written["quick"] is True and written["assistants"]["project"]["serving"]["levels"][1]["throughput_msg_s"] == 50.0


def test_report_of_a_calm_full_run_without_quality(tmp_path):
    text = report.markdown(_results(with_quality=False))
    assert "Quick run" not in text and "Shared machine" not in text
    assert "Not measured in this run" in text and text.endswith(report.NO_CHANGES)


def test_report_of_a_run_without_cross_validation_keeps_the_held_out_scores():
    results = _results()
    results = dataclasses.replace(results, quality=dataclasses.replace(results.quality, cross_validation=None))
    text = report.markdown(results)
    assert "not run in this run (`--skip-cross-validation`)" in text and "5-fold" not in text
    assert "| Intent accuracy | 95.0 % | 95.0 % |" in text
