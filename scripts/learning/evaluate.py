"""Evaluating a model's NLU with `rasa test nlu`, and running Rasa commands with a log.

The one place where `rasa test nlu` is run and its reports are read: the retrain gate
(scripts.learning.retrain), the benchmark (scripts.bench) and the NLU tests
(tests/test_nlu_scores.py) all call `evaluate_nlu` (or `cross_validate_nlu`) and get
typed figures back. Every Rasa command an operator tool or test runs in a subprocess
goes through `run_rasa`, which keeps the command's output in a log file.

Example, scoring the served model on a new evaluation set:

    from scripts.learning.evaluate import evaluate_nlu
    from scripts.learning.registry import currently_served
    from scripts.paths import ROOT

    figures = evaluate_nlu(currently_served(), ROOT / "tests" / "eval", ROOT / "results" / "eval")
    print(figures.intents.macro_f1, figures.faq.accuracy, figures.error_rate)
    for mistake in figures.mistakes:
        print(mistake.text, mistake.expected, "->", mistake.understood)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Optional, Sequence, Tuple, Union

from scripts.paths import RASA, ROOT, shown

# The rows of a classification report that are summaries, not labels.
SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")
# The reports `rasa test nlu` writes into its --out folder.
INTENT_REPORT = "intent_report.json"
FAQ_REPORT = "response_selection_report.json"  # only when the model has a ResponseSelector
ENTITY_REPORT = "DIETClassifier_report.json"  # only when the test data has entities
INTENT_ERRORS = "intent_errors.json"
FAQ_ERRORS = "response_selection_errors.json"
LOG_TAIL_LINES = 20  # lines of a failed command's log shown in the error


class RasaCommandFailed(RuntimeError):
    """A Rasa command exited with an error or ran too long; the message names the command
    and shows the end of its log."""


def run_rasa(
    args: Sequence[str],
    log: Path,
    *,
    cwd: Path = ROOT,
    cache: Optional[Path] = None,
    timeout_s: Optional[float] = None,
    heartbeat: Optional[Callable[[float], None]] = None,
    heartbeat_s: float = 60.0,
) -> float:
    """Runs `rasa <args>` (this Python's Rasa) with its output appended to `log`.

    Args:
        args: the arguments after `rasa`, e.g. ["test", "nlu", "--model", "models/x.tar.gz"].
        log: the file that gets stdout and stderr; its folder is created if needed.
        cwd: the folder to run in (the project folder, or e.g. a `rasa init` project).
        cache: Rasa's training cache folder (RASA_CACHE_DIRECTORY); a fresh one makes a
            training start from scratch. None: Rasa's default, .rasa/cache.
        timeout_s: stop the command after this many seconds (None: no limit).
        heartbeat: called with the elapsed seconds every `heartbeat_s` s while the command
            runs, e.g. to print progress.

    Returns:
        The command's wall time in s.

    Raises:
        RasaCommandFailed: the command exited with a non-zero code or ran past `timeout_s`.
    """
    env = {**os.environ, **({"RASA_CACHE_DIRECTORY": str(cache)} if cache else {})}
    log.parent.mkdir(parents=True, exist_ok=True)
    command = f"rasa {' '.join(args[:2])}"
    start = time.monotonic()
    with open(log, "ab") as output:
        process = subprocess.Popen([*RASA, *args], cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        while True:
            elapsed = time.monotonic() - start
            wait_s = heartbeat_s if timeout_s is None else max(min(heartbeat_s, timeout_s - elapsed), 0.0)
            try:
                process.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                if timeout_s is not None and time.monotonic() - start >= timeout_s:
                    process.kill()
                    process.wait()
                    raise RasaCommandFailed(f"`{command}` ran longer than {timeout_s:.0f} s; {_log_tail(log)}") from None
                if heartbeat:
                    heartbeat(time.monotonic() - start)
    if process.returncode != 0:
        raise RasaCommandFailed(f"`{command}` failed (exit code {process.returncode}); {_log_tail(log)}")
    return time.monotonic() - start


def _log_tail(log: Path) -> str:
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:])
    return f"end of {shown(log)}:\n{tail}"


@dataclass(frozen=True)
class Scores:
    """The figures of one classification report of `rasa test nlu` (intents, faq keys or entities).

    Attributes:
        f1: F1 (0..1) by label, e.g. {"greet": 1.0, "faq/funding": 0.91}.
        support: test examples by label.
        macro_f1: the unweighted mean of the labels' F1, 0..1.
        accuracy: share of test examples labelled right, 0..1 (micro-F1 where Rasa
            writes no accuracy, as in the entity report).
        examples: test examples in the report (the macro average's support).
    """

    f1: Dict[str, float]
    support: Dict[str, int]
    macro_f1: float
    accuracy: float
    examples: int

    @classmethod
    def from_report(cls, report: Dict[str, Any]) -> "Scores":
        """Reads a report as `rasa test nlu` writes it: {label: {"f1-score", "support", ...}, "accuracy": x, ...}.

        Raises:
            KeyError: the report has no "macro avg" row or a label row lacks its figures.
        """
        labels = {k: v for k, v in report.items() if k not in SUMMARY_ROWS}
        accuracy = report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0.0))
        return cls(
            f1={label: scores["f1-score"] for label, scores in labels.items()},
            support={label: scores["support"] for label, scores in labels.items()},
            macro_f1=report["macro avg"]["f1-score"],
            accuracy=accuracy,
            examples=report["macro avg"]["support"],
        )


@dataclass(frozen=True)
class Mistake:
    """A test message the model got wrong: its text, the expected and the understood label
    (an intent, or "faq/<key>" when the faq answer was wrong)."""

    text: str
    expected: str
    understood: str


@dataclass(frozen=True)
class NluFigures:
    """What `rasa test nlu` found for one model on one set of test files.

    Attributes:
        intents: intent classification.
        faq: response selection of the retrieval intent faq (faq keys), None if the
            model has no ResponseSelector.
        entities: entity extraction by DIETClassifier, None if the test data has no entities.
        mistakes: every message with a wrong intent, then every one with a wrong faq answer.
        reports: the folder with Rasa's reports (JSON, and the plots unless left out).
    """

    intents: Scores
    faq: Optional[Scores]
    entities: Optional[Scores]
    mistakes: Tuple[Mistake, ...]
    reports: Path

    @property
    def messages(self) -> int:
        """The number of test messages."""
        return self.intents.examples

    @property
    def misunderstood(self) -> FrozenSet[str]:
        """The texts whose intent or, for a faq question, faq answer is wrong: either way
        the user gets a wrong answer."""
        return frozenset(mistake.text for mistake in self.mistakes)

    @property
    def error_rate(self) -> float:
        """The share of test messages misunderstood (see `misunderstood`), 0..1."""
        return len(self.misunderstood) / self.messages if self.messages else 0.0


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def read_nlu_reports(reports: Path) -> NluFigures:
    """The figures in the reports `rasa test nlu --out reports` wrote.

    Raises:
        FileNotFoundError: there is no intent report in `reports`.
        KeyError, json.JSONDecodeError: a report is malformed.
    """
    intents = _read_json(reports / INTENT_REPORT)
    if intents is None:
        raise FileNotFoundError(f"no {INTENT_REPORT} in {reports}")
    faq, entities = _read_json(reports / FAQ_REPORT), _read_json(reports / ENTITY_REPORT)
    mistakes = [Mistake(e["text"], e["intent"], e["intent_prediction"]["name"]) for e in _read_json(reports / INTENT_ERRORS) or []]
    mistakes += [
        Mistake(e["text"], e["intent_response_key_target"], e["intent_response_key_prediction"]["name"])
        for e in _read_json(reports / FAQ_ERRORS) or []
    ]
    return NluFigures(
        intents=Scores.from_report(intents),
        faq=Scores.from_report(faq) if faq else None,
        entities=Scores.from_report(entities) if entities else None,
        mistakes=tuple(mistakes),
        reports=reports,
    )


def _test_data(test_files: Union[Path, Sequence[Path]], out: Path) -> Path:
    """One path for `rasa test nlu --nlu`: the file or folder itself, or a folder of copies of several."""
    if isinstance(test_files, Path):
        return test_files
    if len(test_files) == 1:
        return test_files[0]
    folder = out / "test-data"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, path in enumerate(test_files):
        files = sorted(p for p in path.rglob("*.yml") if p.is_file()) if path.is_dir() else [path]
        for number, file in enumerate(files):
            shutil.copyfile(file, folder / f"{index:02d}-{number:03d}-{file.name}")
    return folder


def evaluate_nlu(
    model: Path,
    test_files: Union[Path, Sequence[Path]],
    out: Path,
    *,
    plots: bool = True,
    log: Optional[Path] = None,
    timeout_s: Optional[float] = None,
    heartbeat: Optional[Callable[[float], None]] = None,
) -> NluFigures:
    """Scores `model` on test files with `rasa test nlu` and returns the figures.

    Args:
        model: a trained model archive (*.tar.gz), e.g. `registry.currently_served()`.
        test_files: Rasa NLU YAML (intents, "faq/<key>" retrieval intents, entity
            annotations; `metadata` is ignored): one file, one folder (every file below
            it, e.g. tests/nlu/ or tests/eval/), or several files and folders.
        out: the folder for Rasa's reports (created; files in it are overwritten). The
            reports stay there: intent_report.json, response_selection_report.json,
            DIETClassifier_report.json, *_errors.json, and the plots unless `plots` is False.
        plots: False leaves out the confusion matrices and histograms (saves ~10 s).
        log: where Rasa's output goes; default: `out` with the suffix .log beside it.
        timeout_s: give up after this many seconds (None: no limit).
        heartbeat: called with the elapsed seconds every minute (see `run_rasa`).

    Returns:
        The figures: per-label F1 of intents, faq keys and entities, accuracies, macro-F1,
        the misunderstood messages and the error rate. Takes about 1 minute for 300
        test messages on this project's model.

    Raises:
        RasaCommandFailed: `rasa test nlu` failed (e.g. unreadable test data or model).
        FileNotFoundError: `rasa test nlu` wrote no intent report.
    """
    out.mkdir(parents=True, exist_ok=True)
    args = ["test", "nlu", "--model", str(model), "--nlu", str(_test_data(test_files, out)), "--out", str(out)]
    run_rasa([*args, *([] if plots else ["--no-plot"])], log or out.with_suffix(".log"),
             timeout_s=timeout_s, heartbeat=heartbeat)
    return read_nlu_reports(out)


def cross_validate_nlu(config: Path, data: Path, folds: int, out: Path, *, cache: Optional[Path] = None) -> Tuple[NluFigures, float]:
    """Cross-validates the NLU pipeline of `config` on `data` with `rasa test nlu --cross-validation`.

    Args:
        config: a Rasa config.yml.
        data: the NLU training data (file or folder), split into `folds` folds.
        out: the folder for Rasa's reports (no plots); the log goes beside it (<out>.log).
        cache: Rasa's training cache folder; default `out`/cache, so training starts from scratch.

    Returns:
        (the figures of the test folds taken together, wall time in s).

    Raises:
        RasaCommandFailed: the command failed.
    """
    args = ["test", "nlu", "--config", str(config), "--nlu", str(data), "--cross-validation", "--folds", str(folds),
            "--out", str(out), "--no-plot"]
    seconds = run_rasa(args, out.with_suffix(".log"), cache=cache or out / "cache")
    return read_nlu_reports(out), seconds
