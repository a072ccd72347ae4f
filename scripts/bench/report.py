"""The benchmark's results as targets, a Markdown report, a JSON file and a terminal summary.

docs/benchmarks.md is rewritten on every run except its last section, "Changes tried",
which is written by hand and kept as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

CHANGES_HEADING = "## Changes tried"
NO_CHANGES = "None yet. Record here each change tried for a missed target, with its measured effect.\n"
MB_PER_GB = 1024
SHARED_MACHINE_SHARE = 0.1  # others' share of the CPU above which the run counts as taken on a shared machine
MET = {True: "yes", False: "**no**", None: "–"}
NAMES = {"project": "project", "rasa_init": "rasa init", "reference_pipeline": "language-agnostic pipeline"}


def _level(assistant: Dict[str, Any], concurrency: int) -> Dict[str, Any]:
    return next(level for level in assistant["serving"]["levels"] if level["concurrency"] == concurrency)


def _ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


def _fmt(value: Optional[float], unit: str = "", digits: int = 1) -> str:
    """`value` rounded with its unit, or "–" when it was not measured."""
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def _pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def targets(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The issue's targets with the measured figures.

    Returns:
        [{"target", "goal", "measured", "reference": texts, "met": bool, or None if not measured}, ...].
    """
    project, init = results["assistants"]["project"], results["assistants"]["rasa_init"]
    quality = results["quality"]
    p50 = _level(project, 1)["latency"].get("p50_ms")
    busy, calm = _level(project, 32), _level(init, 32)
    throughput_ratio = _ratio(busy["throughput_msg_s"], calm["throughput_msg_s"])
    rss = project["serving"]["peak_rss_mb"]
    return [
        {"target": "End-to-end p50, 1 conversation", "goal": "≤ 60 ms",
         "measured": _fmt(p50, " ms"), "reference": _fmt(_level(init, 1)["latency"].get("p50_ms"), " ms"),
         "met": p50 is not None and p50 <= 60},
        {"target": "Throughput, 32 conversations", "goal": "≥ 2 × rasa init, no failed request",
         "measured": f"{busy['throughput_msg_s']} msg/s ({_fmt(throughput_ratio, ' ×', 2)}), {busy['failed']} failed",
         "reference": f"{calm['throughput_msg_s']} msg/s, {calm['failed']} failed",
         "met": throughput_ratio is not None and throughput_ratio >= 2 and busy["failed"] == 0},
        {"target": "Full training time", "goal": "< 5 min",
         "measured": _fmt(project["training_s"] / 60, " min"), "reference": _fmt(init["training_s"] / 60, " min"),
         "met": project["training_s"] < 300},
        {"target": "Rasa server peak RSS", "goal": "< 1.5 GB (1536 MB)",
         "measured": _fmt(rss, " MB", 0), "reference": _fmt(init["serving"]["peak_rss_mb"], " MB", 0),
         "met": rss < 1.5 * MB_PER_GB},
        _error_rate_target(quality),
    ]


def _error_rate_target(quality: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    target = {"target": "NLU error rate (held-out)", "goal": "≤ 0.7 × language-agnostic pipeline"}
    if quality is None:
        return {**target, "measured": "not measured", "reference": "–", "met": None}
    return {**target, "measured": f"{_pct(quality['project']['error_rate'])} ({_fmt(quality['error_ratio'], ' ×', 2)})",
            "reference": _pct(quality["reference_pipeline"]["error_rate"]),
            "met": quality["error_ratio"] is not None and quality["error_ratio"] <= 0.7}


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; cells are turned into text as they are."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _header(results: Dict[str, Any]) -> str:
    machine, share = results["machine"], results["others_cpu_share"]
    text = (f"# Benchmarks\n\nWritten by `make bench` (`python -m scripts.bench`) on {machine['date']} at commit "
            f"`{machine['git_commit']}` for `{results['config']}` and `{results['endpoints']}`; the run took "
            f"{results['duration_s'] // 60} min.\n")
    if results["quick"]:
        text += ("\n> **Quick run** (`--quick`: fewer epochs, folds and messages). These figures are for "
                 "developing the benchmark only and are not comparable to a full run.\n")
    if share >= SHARED_MACHINE_SHARE:
        text += (f"\n> **Shared machine.** Other processes (other engineers' work) used {share:.0%} of the "
                 f"{machine['cores']} cores on average during this run, so speed and training time are "
                 "worse than on an idle machine. Each load level shows the share it had; the project and the "
                 "reference were measured in turns, so both bore the load alike.\n")
    rows = [["CPU", f"{machine['cpu_model']}, {machine['cores']} cores"], ["Memory", f"{machine['memory_gb']} GB"],
            ["OS", machine["os"]], ["Python", machine["python"]],
            ["Rasa / rasa-sdk", f"{machine['rasa']} / {machine['rasa-sdk']}"],
            ["TensorFlow / spaCy / Sanic", f"{machine['tensorflow']} / {machine['spacy']} / {machine['sanic']}"],
            ["spaCy pipeline", machine["spacy_pipeline"] + (" (fallback: da_core_news_sm is not installed)"
                                                            if machine["spacy_fallback"] else "")]]
    return text + "\n## Machine\n\n" + table(["", ""], rows)


def _targets(results: Dict[str, Any]) -> str:
    rows = [[t["target"], t["goal"], t["measured"], t["reference"], MET[t["met"]]] for t in results["targets"]]
    return "\n## Targets\n\n" + table(["Target", "Goal", "Project", "Reference", "Met"], rows)


def _quality(results: Dict[str, Any]) -> str:
    quality = results["quality"]
    if quality is None:
        return "\n## NLU quality\n\nNot measured in this run (`--skip-quality`).\n"
    project, reference, cv = quality["project"], quality["reference_pipeline"], quality["cross_validation"]
    overlap = quality["misunderstood"]
    rows = [
        ["Intent accuracy", _pct(project["intent_accuracy"]), _pct(reference["intent_accuracy"])],
        ["Intent macro-F1", _fmt(project["intent_macro_f1"], digits=3), _fmt(reference["intent_macro_f1"], digits=3)],
        [f"faq response selection accuracy ({project['faq_messages']} questions)",
         _pct(project["faq_accuracy"]), _pct(reference["faq_accuracy"])],
        ["faq response selection macro-F1", _fmt(project["faq_macro_f1"], digits=3),
         _fmt(reference["faq_macro_f1"], digits=3)],
        ["Entity macro-F1 (DIETClassifier)", _fmt(project["entity_macro_f1"], digits=3),
         _fmt(reference["entity_macro_f1"], digits=3)],
        ["Error rate: intent or faq answer wrong", _pct(project["error_rate"]), _pct(reference["error_rate"])],
        ["Error rate: intent wrong", _pct(project["intent_error_rate"]), _pct(reference["intent_error_rate"])],
    ]
    cv_rows = [["Intent accuracy", _pct(cv["intent_accuracy"])], ["Intent macro-F1", _fmt(cv["intent_macro_f1"], digits=3)],
               ["faq response selection accuracy", _pct(cv["faq_accuracy"])],
               ["Entity macro-F1", _fmt(cv["entity_macro_f1"], digits=3)], ["Error rate", _pct(cv["error_rate"])]]
    return (
        f"\n## NLU quality\n\nOn the held-out file `tests/nlu/` ({project['messages']} messages, never trained on), "
        "scored by `rasa test nlu`. The reference is Rasa's language-agnostic pipeline (WhitespaceTokenizer, "
        "RegexFeaturizer, LexicalSyntacticFeaturizer, CountVectorsFeaturizer word and char_wb 1–4, "
        "DIETClassifier, EntitySynonymMapper, ResponseSelector, FallbackClassifier; Rasa's defaults) trained "
        "on the same data for the same epochs.\n\n"
        + table(["", "Project config", "Language-agnostic pipeline"], rows)
        + f"\nRatio of error rates (project / reference): **{_fmt(quality['error_ratio'], digits=2)}** "
        f"(intent alone: {_fmt(quality['intent_error_ratio'], digits=2)}). Misunderstood by the project only: "
        f"{overlap['only_project']}, by the reference only: {overlap['only_reference']}, by both: {overlap['both']}. "
        f"One message is {100 / project['messages']:.1f} points of error rate, and retraining alone moves a "
        "few messages (DIET and ResponseSelector start from random weights), so small ratios of this test set "
        "are uncertain; the cross-validation below rests on all the training data.\n\n"
        f"{cv['folds']}-fold cross-validation of the project's config on `data/` ({cv['messages']} messages, "
        f"test folds taken together, {cv['seconds'] / 60:.0f} min):\n\n"
        + table(["", "Project config"], cv_rows)
        + _evaluation(quality.get("evaluation"), project)
        + "\nHeld-out messages the project misunderstood (for whoever improves the training data):\n\n"
        + table(["Message", "Expected", "Understood as"],
                [[m["text"].replace("|", "/"), m["expected"], m["understood"]] for m in quality["project_mistakes"]])
    )


def _evaluation(evaluation: Optional[Dict[str, Any]], held_out: Dict[str, Any]) -> str:
    """The independent evaluation set's figures beside the held-out file's (empty where it is absent)."""
    if not evaluation:
        return ""
    project, reference = evaluation["project"], evaluation["reference_pipeline"]
    keys = [("Intent accuracy", "intent_accuracy"), ("faq response selection accuracy", "faq_accuracy"),
            ("Error rate: intent or faq answer wrong", "error_rate")]
    rows = [[label, _pct(held_out[key]), _pct(project[key]), _pct(reference[key])] for label, key in keys]
    return (f"\nOn the independent evaluation set `tests/eval/` ({project['messages']} messages, written by "
            "someone who had not seen `data/`), beside the held-out file:\n\n"
            + table(["", "Project, held-out file", "Project, evaluation set", "Language-agnostic, evaluation set"], rows))


def _speed(results: Dict[str, Any]) -> str:
    project, init = results["assistants"]["project"], results["assistants"]["rasa_init"]
    parse_rows = [[NAMES[name], a["parse"]["n"], _fmt(a["parse"]["p50_ms"], " ms"), _fmt(a["parse"]["p95_ms"], " ms"),
                   _fmt(a["parse"]["p99_ms"], " ms")] for name, a in (("project", project), ("rasa_init", init))]
    load_rows = []
    for index, level in enumerate(project["serving"]["levels"]):
        for name, assistant in (("project", project), ("rasa_init", init)):
            row = assistant["serving"]["levels"][index]
            load_rows.append([row["concurrency"], NAMES[name], row["conversations"], row["messages"], row["failed"],
                              row["throughput_msg_s"], _fmt(row["latency"].get("p50_ms"), " ms"),
                              _fmt(row["latency"].get("p95_ms"), " ms"), _fmt(row["server_cpu_ms_per_msg"], " ms"),
                              f"{row['others_cpu_share']:.0%}"])
    single = {name: a["serving"]["levels"][0]["by_turn"] for name, a in (("project", project), ("rasa_init", init))}
    turn_rows = [[turn, single["project"][turn]["n"], _fmt(single["project"][turn].get("p50_ms"), " ms"),
                  _fmt(single["project"][turn].get("p95_ms"), " ms"), single["rasa_init"][turn]["n"],
                  _fmt(single["rasa_init"][turn].get("p50_ms"), " ms"), _fmt(single["rasa_init"][turn].get("p95_ms"), " ms")]
                 for turn in single["project"]]
    return (
        "\n## Speed\n\n### NLU parse in process\n\nThe held-out messages, cycled, parsed by the loaded model "
        "(`Agent.parse_message`), the models taking turns in blocks of 100.\n\n"
        + table(["Assistant", "Messages", "p50", "p95", "p99"], parse_rows)
        + "\n### End to end through the REST channel\n\nConversations of "
        f"{results['settings']['turns'][0]}–{results['settings']['turns'][1]} messages (a greeting, varied "
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


def _weight(results: Dict[str, Any]) -> str:
    a, reference = results["assistants"], (results["quality"] or {}).get("reference_pipeline", {})
    rows = [
        ["Full training time", *(_fmt(a[n]["training_s"], " s", 0) for n in ("project", "rasa_init")),
         _fmt(reference.get("training_s"), " s (NLU only)", 0)],
        ["Model archive", *(_fmt(a[n]["archive_mb"], " MB") for n in ("project", "rasa_init")),
         _fmt(reference.get("archive_mb"), " MB")],
        ["Rasa server peak RSS", *(_fmt(a[n]["serving"]["peak_rss_mb"], " MB", 0) for n in ("project", "rasa_init")), "–"],
        ["Rasa server RSS after the load test",
         *(_fmt(a[n]["serving"]["rss_mb"], " MB", 0) for n in ("project", "rasa_init")), "–"],
        ["Action server peak RSS", _fmt(a["project"]["action_server_peak_rss_mb"], " MB", 0),
         "– (no custom actions)", "–"],
    ]
    return ("\n## Weight\n\nTraining from an empty cache; `rasa init` includes creating the project. Peak RSS is "
            "VmHWM of the server's process group after the load test.\n\n"
            + table(["", "Project", "rasa init", "Language-agnostic pipeline"], rows))


def _parts_table(breakdown: Dict[str, Any]) -> str:
    total = breakdown["total_ms"]
    rows = [[name, _fmt(ms, " ms", 2), f"{ms / total:.0%}" if total else "–"]
            for name, ms in breakdown["parts"].items()]
    rows.append(["**whole message**", _fmt(total, " ms", 2), "100%"])
    return table(["Part", "Mean per message", "Share"], rows)


def _breakdown(results: Dict[str, Any]) -> str:
    project, init = results["assistants"]["project"]["breakdown"], results["assistants"]["rasa_init"]["breakdown"]
    turns = [[turn, _fmt(project["total_by_turn"][turn].get("mean_ms"), " ms"),
              _fmt(init["total_by_turn"][turn].get("mean_ms"), " ms")] for turn in project["total_by_turn"]]
    return (
        "\n## Where the time goes\n\nOne message handled in process (`Agent.handle_text`, as the server does "
        "it, without HTTP), with the assistant's own tracker store and action server; each graph node timed "
        "with a Rasa `GraphNodeHook`, and the tracker store's retrieve and save and the calls of the action server "
        "timed too. Means over "
        f"{project['messages']} messages (project) and {init['messages']} (rasa init) in whole conversations. "
        "Policies run once per predicted action, so usually twice per message.\n\n### Project\n\n" + _parts_table(project)
        + "\n### rasa init\n\n" + _parts_table(init)
        + "\n### Whole message by turn index\n\n" + table(["Turn", "Project mean", "rasa init mean"], turns)
    )


def _changes_tried(existing: Optional[str]) -> str:
    if existing and CHANGES_HEADING in existing:
        return existing[existing.index(CHANGES_HEADING):]
    return f"{CHANGES_HEADING}\n\n{NO_CHANGES}"


def markdown(results: Dict[str, Any], existing: Optional[str] = None) -> str:
    """The whole report, keeping the "Changes tried" section of `existing` (the previous report) if any."""
    sections = [_header(results), _targets(results), _quality(results), _speed(results), _weight(results),
                _breakdown(results)]
    return "".join(sections) + "\n" + _changes_tried(existing)


def write(results: Dict[str, Any], out: Path) -> Tuple[Path, Path]:
    """Writes benchmarks.md and benchmarks.json into `out` (created if needed); returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out / "benchmarks.md", out / "benchmarks.json"
    existing = md_path.read_text(encoding="utf-8") if md_path.is_file() else None
    md_path.write_text(markdown(results, existing), encoding="utf-8")
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md_path, json_path


def summary(results: Dict[str, Any]) -> str:
    """A few lines for the terminal: the targets, and whether the run was quick or shared."""
    lines = ["", "QUICK RUN: figures not comparable to a full run." if results["quick"] else "Benchmark summary",
             f"Other processes used {results['others_cpu_share']:.0%} of the CPU during the run."]
    for t in results["targets"]:
        verdict = {True: "met   ", False: "MISSED", None: "n/a   "}[t["met"]]
        lines.append(f"  {verdict}  {t['target']:<32} {t['goal']:<36} "
                     f"project {t['measured']}; reference {t['reference']}")
    return "\n".join(lines)
