"""The benchmark's results as targets, a Markdown report, a JSON file and a terminal summary.

docs/benchmarks.md is rewritten on every run except its last section, "Changes tried",
which is written by hand and kept as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from scripts.bench.results import Assistant, Breakdown, CrossValidation, Quality, Results, Target
from scripts.bench.settings import TARGETS
from scripts.bench.stats import LAST_TURNS

CHANGES_HEADING = "## Changes tried"
NO_CHANGES = "None yet. Record here each change tried for a missed target, with its measured effect.\n"
MB_PER_GB = 1024
LOAD_TARGET_CONCURRENCY = 32  # the load level the throughput target is about
SHARED_MACHINE_SHARE = 0.1  # others' share of the CPU above which the run counts as taken on a shared machine
GROWTH_SHOWN_MS = 0.5  # parts below this at both ends of a conversation are left out of the growth table
MET = {True: "yes", False: "**no**", None: "–"}
NAMES = {"project": "project", "rasa_init": "rasa init", "reference_pipeline": "language-agnostic pipeline"}


def _ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


def _fmt(value: Optional[float], unit: str = "", digits: int = 1) -> str:
    """`value` rounded with its unit, or "–" when it was not measured."""
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def _pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def targets(results: Results) -> List[Target]:
    """The targets of settings.TARGETS with the measured figures."""
    project, init = results.project, results.rasa_init
    p50 = project.serving.level(1).latency.p50_ms
    busy, calm = project.serving.level(LOAD_TARGET_CONCURRENCY), init.serving.level(LOAD_TARGET_CONCURRENCY)
    throughput_ratio = _ratio(busy.throughput_msg_s, calm.throughput_msg_s)
    rss = project.serving.peak_rss_mb
    cpu_ratio = _ratio(busy.server_cpu_ms_per_msg, calm.server_cpu_ms_per_msg)
    return [
        Target("End-to-end p50, 1 conversation", f"≤ {TARGETS.p50_ms:g} ms",
               _fmt(p50, " ms"), _fmt(init.serving.level(1).latency.p50_ms, " ms"),
               p50 is not None and p50 <= TARGETS.p50_ms),
        Target(f"Throughput, {LOAD_TARGET_CONCURRENCY} conversations",
               f"≥ {TARGETS.throughput_ratio:g} × rasa init, no failed request",
               f"{busy.throughput_msg_s} msg/s ({_fmt(throughput_ratio, ' ×', 2)}), {busy.failed} failed",
               f"{calm.throughput_msg_s} msg/s, {calm.failed} failed",
               throughput_ratio is not None and throughput_ratio >= TARGETS.throughput_ratio and busy.failed == 0),
        Target("Full training time", f"< {TARGETS.training_s / 60:g} min",
               _fmt(project.training_s / 60, " min"), _fmt(init.training_s / 60, " min"),
               project.training_s < TARGETS.training_s),
        Target("Rasa server peak RSS", f"≤ {TARGETS.peak_rss_mb / MB_PER_GB:g} GB ({TARGETS.peak_rss_mb:.0f} MB)",
               _fmt(rss, " MB", 0), _fmt(init.serving.peak_rss_mb, " MB", 0), rss <= TARGETS.peak_rss_mb),
        _error_rate_target(results.quality),
        Target(f"p95 at {LOAD_TARGET_CONCURRENCY} conversations", f"≤ {TARGETS.p95_ms / 1000:g} s, no failed request",
               f"{_fmt(busy.latency.p95_ms, ' ms', 0)}, {busy.failed} failed",
               f"{_fmt(calm.latency.p95_ms, ' ms', 0)}, {calm.failed} failed",
               busy.latency.p95_ms is not None and busy.latency.p95_ms <= TARGETS.p95_ms and busy.failed == 0),
        Target(f"Rasa server CPU per message, {LOAD_TARGET_CONCURRENCY} conversations",
               f"≤ {TARGETS.cpu_ratio:g} × rasa init",
               f"{_fmt(busy.server_cpu_ms_per_msg, ' ms')} ({_fmt(cpu_ratio, ' ×', 2)})",
               _fmt(calm.server_cpu_ms_per_msg, " ms"), cpu_ratio is not None and cpu_ratio <= TARGETS.cpu_ratio),
        _turn_50_target(results),
    ]


def _turn_50_ratio(assistant: Assistant) -> Tuple[Optional[float], Optional[float], Optional[float]]:
    """(median whole message at turn 1, at turns 46-50, their ratio), in process; None where not measured."""
    by_turn = assistant.breakdown.total_by_turn
    first, last = by_turn.get("1"), by_turn.get(f"{LAST_TURNS[0]}-{LAST_TURNS[1]}")
    first_ms = first.p50_ms if first else None
    last_ms = last.p50_ms if last else None
    return first_ms, last_ms, _ratio(last_ms, first_ms)


def _turn_50_target(results: Results) -> Target:
    project_first, project_last, ratio = _turn_50_ratio(results.project)
    init_first, init_last, init_ratio = _turn_50_ratio(results.rasa_init)
    return Target("Latency at turns 46-50 against turn 1 (in process, p50)", f"≤ {TARGETS.turn_50_ratio:g} × turn 1",
                  f"{_fmt(project_last, ' ms')} against {_fmt(project_first, ' ms')} ({_fmt(ratio, ' ×', 2)})",
                  f"{_fmt(init_last, ' ms')} against {_fmt(init_first, ' ms')} ({_fmt(init_ratio, ' ×', 2)})",
                  None if ratio is None else ratio <= TARGETS.turn_50_ratio)


def _error_rate_target(quality: Optional[Quality]) -> Target:
    name, goal = "NLU error rate (held-out)", f"≤ {TARGETS.error_ratio:g} × language-agnostic pipeline"
    if quality is None:
        return Target(name, goal, "not measured", "–", None)
    return Target(name, goal, f"{_pct(quality.project.error_rate)} ({_fmt(quality.error_ratio, ' ×', 2)})",
                  _pct(quality.reference_pipeline.error_rate),
                  quality.error_ratio is not None and quality.error_ratio <= TARGETS.error_ratio)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; cells are turned into text as they are."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _header(results: Results) -> str:
    machine, share = results.machine, results.others_cpu_share
    text = (f"# Benchmarks\n\nWritten by `make bench` (`python -m scripts.bench`) on {machine.date} at commit "
            f"`{machine.git_commit}` for `{results.config}` and `{results.endpoints}`; the run took "
            f"{results.duration_s // 60} min.\n")
    if results.quick:
        text += ("\n> **Quick run** (`--quick`: fewer epochs, folds and messages). These figures are for "
                 "developing the benchmark only and are not comparable to a full run.\n")
    if share >= SHARED_MACHINE_SHARE:
        text += (f"\n> **Shared machine.** Other processes (other engineers' work) used {share:.0%} of the "
                 f"{machine.cores} cores on average during this run, so speed and training time are "
                 "worse than on an idle machine. Each load level shows the share it had; the project and the "
                 "reference were measured in turns, so both bore the load alike.\n")
    versions = machine.versions
    rows = [["CPU", f"{machine.cpu_model}, {machine.cores} cores"], ["Memory", f"{machine.memory_gb} GB"],
            ["OS", machine.os], ["Python", machine.python],
            ["Rasa / rasa-sdk", f"{versions['rasa']} / {versions['rasa-sdk']}"],
            ["TensorFlow / spaCy / Sanic", f"{versions['tensorflow']} / {versions['spacy']} / {versions['sanic']}"],
            ["spaCy pipeline", machine.spacy_pipeline + (" (fallback: da_core_news_sm is not installed)"
                                                         if machine.spacy_fallback else "")]]
    return text + "\n## Machine\n\n" + table(["", ""], rows)


def _targets(results: Results) -> str:
    rows = [[t.target, t.goal, t.measured, t.reference, MET[t.met]] for t in results.targets]
    return "\n## Targets\n\n" + table(["Target", "Goal", "Project", "Reference", "Met"], rows)


def _evaluation(quality: Quality) -> str:
    """The independent evaluation set's figures beside the held-out file's (empty where it was not scored)."""
    mine, reference, held_out = quality.evaluation_project, quality.evaluation_reference, quality.project
    if mine is None or reference is None:
        return ""
    keys = [("Intent accuracy", "intent_accuracy"), ("faq response selection accuracy", "faq_accuracy"),
            ("Error rate: intent or faq answer wrong", "error_rate")]
    rows = [[label, _pct(getattr(held_out, key)), _pct(getattr(mine, key)), _pct(getattr(reference, key))]
            for label, key in keys]
    return (f"\nOn the independent evaluation set `tests/eval/` ({mine.messages} messages, written by someone "
            "who had not seen `data/`), beside the held-out file:\n\n"
            + table(["", "Project, held-out file", "Project, evaluation set", "Language-agnostic, evaluation set"], rows))


def _quality(results: Results) -> str:
    quality = results.quality
    if quality is None:
        return "\n## NLU quality\n\nNot measured in this run (`--skip-quality`).\n"
    project, reference, cv = quality.project, quality.reference_pipeline, quality.cross_validation
    overlap = quality.misunderstood
    rows = [
        ["Intent accuracy", _pct(project.intent_accuracy), _pct(reference.intent_accuracy)],
        ["Intent macro-F1", _fmt(project.intent_macro_f1, digits=3), _fmt(reference.intent_macro_f1, digits=3)],
        [f"faq response selection accuracy ({project.faq_messages} questions)",
         _pct(project.faq_accuracy), _pct(reference.faq_accuracy)],
        ["faq response selection macro-F1", _fmt(project.faq_macro_f1, digits=3),
         _fmt(reference.faq_macro_f1, digits=3)],
        ["Entity macro-F1 (DIETClassifier)", _fmt(project.entity_macro_f1, digits=3),
         _fmt(reference.entity_macro_f1, digits=3)],
        ["Error rate: intent or faq answer wrong", _pct(project.error_rate), _pct(reference.error_rate)],
        ["Error rate: intent wrong", _pct(project.intent_error_rate), _pct(reference.intent_error_rate)],
    ]
    return (
        f"\n## NLU quality\n\nOn the held-out file `tests/nlu/` ({project.messages} messages, never trained on), "
        "scored by `rasa test nlu`. The reference is Rasa's language-agnostic pipeline (WhitespaceTokenizer, "
        "RegexFeaturizer, LexicalSyntacticFeaturizer, CountVectorsFeaturizer word and char_wb 1–4, "
        "DIETClassifier, EntitySynonymMapper, ResponseSelector, FallbackClassifier; Rasa's defaults) trained "
        "on the same data for the same epochs.\n\n"
        + table(["", "Project config", "Language-agnostic pipeline"], rows)
        + f"\nRatio of error rates (project / reference): **{_fmt(quality.error_ratio, digits=2)}** "
        f"(intent alone: {_fmt(quality.intent_error_ratio, digits=2)}). Misunderstood by the project only: "
        f"{overlap.only_project}, by the reference only: {overlap.only_reference}, by both: {overlap.both}. "
        f"One message is {100 / project.messages:.1f} points of error rate, and retraining alone moves a "
        "few messages (DIET and ResponseSelector start from random weights), so small ratios of this test set "
        "are uncertain; the cross-validation below rests on all the training data.\n\n"
        + _cross_validation(cv)
        + _evaluation(quality)
        + "\nHeld-out messages the project misunderstood (for whoever improves the training data):\n\n"
        + table(["Message", "Expected", "Understood as"],
                [[m.text.replace("|", "/"), m.expected, m.understood] for m in quality.project_mistakes])
    )


def _cross_validation(cv: Optional[CrossValidation]) -> str:
    if cv is None:
        return "Cross-validation: not run in this run (`--skip-cross-validation`).\n"
    rows = [["Intent accuracy", _pct(cv.intent_accuracy)], ["Intent macro-F1", _fmt(cv.intent_macro_f1, digits=3)],
            ["faq response selection accuracy", _pct(cv.faq_accuracy)],
            ["Entity macro-F1", _fmt(cv.entity_macro_f1, digits=3)], ["Error rate", _pct(cv.error_rate)]]
    return (f"{cv.folds}-fold cross-validation of the project's config on `data/` ({cv.messages} messages, "
            f"test folds taken together, {cv.seconds / 60:.0f} min):\n\n" + table(["", "Project config"], rows))


def _both(results: Results) -> Tuple[Tuple[str, Assistant], ...]:
    return (("project", results.project), ("rasa_init", results.rasa_init))


def _speed(results: Results) -> str:
    parse_rows = [[NAMES[name], a.parse.n, _fmt(a.parse.p50_ms, " ms"), _fmt(a.parse.p95_ms, " ms"),
                   _fmt(a.parse.p99_ms, " ms")] for name, a in _both(results)]
    load_rows = []
    for index in range(len(results.project.serving.levels)):
        for name, assistant in _both(results):
            row = assistant.serving.levels[index]
            load_rows.append([row.concurrency, NAMES[name], row.conversations, row.messages, row.failed,
                              row.throughput_msg_s, _fmt(row.latency.p50_ms, " ms"),
                              _fmt(row.latency.p95_ms, " ms"), _fmt(row.server_cpu_ms_per_msg, " ms"),
                              f"{row.others_cpu_share:.0%}"])
    single = {name: a.serving.levels[0].by_turn for name, a in _both(results)}
    turn_rows = [[turn, single["project"][turn].n, _fmt(single["project"][turn].p50_ms, " ms"),
                  _fmt(single["project"][turn].p95_ms, " ms"), single["rasa_init"][turn].n,
                  _fmt(single["rasa_init"][turn].p50_ms, " ms"), _fmt(single["rasa_init"][turn].p95_ms, " ms")]
                 for turn in single["project"] if single["project"][turn].n or single["rasa_init"][turn].n]
    return (
        "\n## Speed\n\n### NLU parse in process\n\nThe held-out messages, cycled, parsed by the loaded model "
        "(`Agent.parse_message`), the models taking turns in blocks of 100.\n\n"
        + table(["Assistant", "Messages", "p50", "p95", "p99"], parse_rows)
        + "\n### End to end through the REST channel\n\nConversations of "
        f"{results.settings.turns[0]}–{results.settings.turns[1]} messages (a greeting, varied "
        "messages, a goodbye; the project's from the held-out file, rasa init's from its own NLU data), each "
        "sending its next message when the answer came, with the action server running. Throughput counts "
        "answered messages per second of the level. *Server CPU per message* is the CPU time the Rasa server "
        "used per answered message (it rises too when other processes compete for the cores); *others* is the share of the "
        "CPU that other processes used meanwhile.\n\n"
        + table(["Conversations at a time", "Assistant", "Conversations", "Messages", "Failed", "msg/s", "p50",
                 "p95", "Server CPU per message", "Others"], load_rows)
        + "\nLatency by turn index, 1 conversation at a time (the tracker grows with every message):\n\n"
        + table(["Turn", "Project n", "p50", "p95", "rasa init n", "p50", "p95"], turn_rows)
    )


def _weight(results: Results) -> str:
    both = [assistant for _, assistant in _both(results)]
    reference = results.quality.reference_pipeline if results.quality else None
    rows = [
        ["Full training time", *(_fmt(a.training_s, " s", 0) for a in both),
         _fmt(reference.training_s if reference else None, " s (NLU only)", 0)],
        ["Model archive", *(_fmt(a.archive_mb, " MB") for a in both),
         _fmt(reference.archive_mb if reference else None, " MB")],
        ["Rasa server peak RSS", *(_fmt(a.serving.peak_rss_mb, " MB", 0) for a in both), "–"],
        ["Rasa server RSS after the load test", *(_fmt(a.serving.rss_mb, " MB", 0) for a in both), "–"],
        ["Action server peak RSS", _fmt(results.project.action_server_peak_rss_mb, " MB", 0),
         "– (no custom actions)", "–"],
    ]
    return ("\n## Weight\n\nTraining from an empty cache; `rasa init` includes creating the project. Peak RSS is "
            "VmHWM of the server's process group after the load test.\n\n"
            + table(["", "Project", "rasa init", "Language-agnostic pipeline"], rows))


def _parts_table(breakdown: Breakdown) -> str:
    total = breakdown.total_ms
    rows: List[List[Any]] = [[name, _fmt(ms, " ms", 2), f"{ms / total:.0%}" if total else "–"]
                             for name, ms in breakdown.parts.items()]
    rows.append(["**whole message**", _fmt(total, " ms", 2), "100%"])
    return table(["Part", "Mean per message", "Share"], rows)


def _breakdown(results: Results) -> str:
    project, init = results.project.breakdown, results.rasa_init.breakdown
    turns = [[turn, _fmt(project.total_by_turn[turn].mean_ms, " ms"), _fmt(project.total_by_turn[turn].p50_ms, " ms"),
              _fmt(init.total_by_turn[turn].mean_ms, " ms"), _fmt(init.total_by_turn[turn].p50_ms, " ms")]
             for turn in project.total_by_turn if project.total_by_turn[turn].n]
    return (
        "\n## Where the time goes\n\nOne message handled in process (`Agent.handle_text`, as the server does "
        "it, without HTTP), with the assistant's own tracker store and action server; each graph node timed "
        "with a Rasa `GraphNodeHook`, and the tracker store's retrieve and save and the calls of the action server "
        "timed too. Means over "
        f"{project.messages} messages (project) and {init.messages} (rasa init) in conversations of "
        f"{results.settings.long_turns} messages. "
        "Policies run once per predicted action, so usually twice per message.\n\n### Project\n\n" + _parts_table(project)
        + "\n### rasa init\n\n" + _parts_table(init)
        + "\n### Whole message by turn index\n\n" + table(["Turn", "Project mean", "p50", "rasa init mean", "p50"], turns)
        + _growth(results)
    )


def _growth(results: Results) -> str:
    """Each part's mean over the first and the last turns of the long conversations, for both assistants."""
    spans = list(results.project.breakdown.parts_by_turns)
    if len(spans) < 2:
        return ""
    first, last = spans[0], spans[-1]
    rows = []
    for name, assistant in _both(results):
        parts = assistant.breakdown.parts_by_turns
        for part in parts.get(first, {}):
            early, late = parts[first][part], parts.get(last, {}).get(part)
            if max(early, late or 0.0) >= GROWTH_SHOWN_MS:
                rows.append([NAMES[name], part, _fmt(early, " ms", 2), _fmt(late, " ms", 2)])
    return (f"\n### What grows with the conversation\n\nMean per message at turns {first} and {last} of the "
            f"{results.settings.long_turns}-message conversations (parts of at least {GROWTH_SHOWN_MS:g} ms):\n\n"
            + table(["Assistant", "Part", f"Turns {first}", f"Turns {last}"], rows))


def _changes_tried(existing: Optional[str]) -> str:
    if existing and CHANGES_HEADING in existing:
        return existing[existing.index(CHANGES_HEADING):]
    return f"{CHANGES_HEADING}\n\n{NO_CHANGES}"


def markdown(results: Results, existing: Optional[str] = None) -> str:
    """The whole report, keeping the "Changes tried" section of `existing` (the previous report) if any."""
    sections = [_header(results), _targets(results), _quality(results), _speed(results), _weight(results),
                _breakdown(results)]
    return "".join(sections) + "\n" + _changes_tried(existing)


def write(results: Results, out: Path) -> Tuple[Path, Path]:
    """Writes benchmarks.md and benchmarks.json into `out` (created if needed); returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out / "benchmarks.md", out / "benchmarks.json"
    existing = md_path.read_text(encoding="utf-8") if md_path.is_file() else None
    md_path.write_text(markdown(results, existing), encoding="utf-8")
    json_path.write_text(json.dumps(results.as_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md_path, json_path


def summary(results: Results) -> str:
    """A few lines for the terminal: the targets, and whether the run was quick or shared."""
    lines = ["", "QUICK RUN: figures not comparable to a full run." if results.quick else "Benchmark summary",
             f"Other processes used {results.others_cpu_share:.0%} of the CPU during the run."]
    for t in results.targets:
        verdict = {True: "met   ", False: "MISSED", None: "n/a   "}[t.met]
        lines.append(f"  {verdict}  {t.target:<32} {t.goal:<36} "
                     f"project {t.measured}; reference {t.reference}")
    return "\n".join(lines)
