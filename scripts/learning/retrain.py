"""`make retrain`: validate the data, train a candidate, evaluate it against the served
model, write a report, then promote the candidate or refuse it.

    python -m scripts.learning.retrain [--force] [--tolerance 0.02]

FORCE=1 in the environment means --force, TOLERANCE=x means --tolerance x. Output of
each Rasa command goes to results/<timestamp>/*.log; the report is
results/<timestamp>/report.md. Exit code 0: promoted (or nothing to do), 1: refused
or a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from scripts.learning.evaluate import RasaCommandFailed, evaluate_nlu, run_rasa
from scripts.learning.gate import TOLERANCE, Metrics, decide, load_metrics, render_report
from scripts.learning.registry import (
    currently_served,
    files_digest,
    find_trained_model,
    fingerprint,
    matches,
    model_name,
    promote,
    prune_candidates,
    refuse,
    train_args,
)
from scripts.paths import CANDIDATES, HELD_OUT_NLU, RESULTS, TEST_STORIES, shown

EVALUATED = "evaluated.json"  # in an evaluation folder: {"model": file name, "tests": digest of the test files}
STEPS = 5
HEARTBEAT_S = 60
# Rasa 3.6 merges the retrieval intent `faq` from the NLU data into the domain that
# also lists it, and warns about that merge for every project with a retrieval intent.
RASA_OWN_WARNINGS = ("duplicated intents have been found across multiple domain files: faq",)
IMAGES = (
    ("Intent confusion matrix", "nlu/intent_confusion_matrix.png"),
    ("Intent confidence histogram", "nlu/intent_histogram.png"),
    ("faq response selection confusion matrix", "nlu/response_selection_confusion_matrix.png"),
    ("faq response selection confidence histogram", "nlu/response_selection_histogram.png"),
    ("Test stories: action confusion matrix", "core/story_confusion_matrix.png"),
)


def _say(text: str) -> None:
    print(text, flush=True)


def _duration(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s" if seconds >= 60 else f"{seconds:.0f}s"


def _heartbeat(label: str) -> Callable[[float], None]:
    """Prints "<label>: … <elapsed>" when called with the elapsed seconds."""

    def say_elapsed(elapsed_s: float) -> None:
        _say(f"      {label}: … {_duration(elapsed_s)}")

    return say_elapsed


def run_logged(label: str, args: List[str], log: Path) -> None:
    """Runs `rasa <args>` in the project folder with its output in `log` (see evaluate.run_rasa).

    Prints "<label>: … <elapsed>" every HEARTBEAT_S s and "<label>: done in <elapsed>" at the end.

    Raises:
        RasaCommandFailed: the command exited with a non-zero code.
    """
    seconds = run_rasa(args, log, heartbeat=_heartbeat(label), heartbeat_s=HEARTBEAT_S)
    _say(f"      {label}: done in {_duration(seconds)}")


def validation_warnings(log_text: str) -> List[str]:
    """The warnings in the output of `rasa data validate`, without Rasa's own known ones, one line each."""
    found = re.findall(r"UserWarning: (.+)", log_text)
    return [w.strip() for w in dict.fromkeys(found) if not any(known in w for known in RASA_OWN_WARNINGS)]


def validate(out: Path) -> List[str]:
    """Runs `rasa data validate`; returns its warnings.

    Raises:
        RasaCommandFailed: the data has errors.
    """
    log = out / "validate.log"
    run_logged("rasa data validate", ["data", "validate"], log)
    return validation_warnings(log.read_text(errors="replace"))


def _earlier_evaluation(stamp: dict) -> Optional[Path]:
    for path in sorted(RESULTS.glob(f"*/*/{EVALUATED}"), reverse=True):
        try:
            if json.loads(path.read_text(encoding="utf-8")) == stamp:
                return path.parent
        except (OSError, ValueError):
            continue
    return None


def evaluate(model: Path, out: Path) -> Metrics:
    """Runs `rasa test nlu` on tests/nlu/ and `rasa test core` on tests/test_stories.yml into `out`/nlu, `out`/core.

    An earlier evaluation of the same model on the same test files under results/ is
    copied instead (the served model was usually evaluated as the last candidate).

    Raises:
        RasaCommandFailed: a command failed.
    """
    stamp = {"model": model.name, "tests": files_digest([HELD_OUT_NLU, TEST_STORIES])}
    earlier = _earlier_evaluation(stamp)
    if earlier:
        shutil.copytree(earlier, out, dirs_exist_ok=True)
        _say(f"      reusing the evaluation of {model.name} in {shown(earlier)}")
        return load_metrics(out / "nlu", out / "core")
    out.mkdir(parents=True, exist_ok=True)
    _say("      running rasa test nlu and rasa test core (~3 min)")
    start = time.monotonic()
    evaluate_nlu(model, HELD_OUT_NLU, out / "nlu", log=out / "test-nlu.log", heartbeat=_heartbeat("rasa test nlu"))
    _say(f"      rasa test nlu: done in {_duration(time.monotonic() - start)}")
    core_args = ["test", "core", "--e2e", "--model", str(model), "--stories", str(TEST_STORIES), "--out", str(out / "core")]
    run_logged("rasa test core", core_args, out / "test-core.log")
    metrics = load_metrics(out / "nlu", out / "core")
    (out / EVALUATED).write_text(json.dumps(stamp), encoding="utf-8")
    return metrics


def train_candidate(digest: str, out: Path) -> Path:
    """The candidate for fingerprint `digest`: a model trained earlier from the same inputs, or one trained now (~4 min)."""
    existing = find_trained_model(digest)
    if existing:
        _say(f"[2/{STEPS}] reusing the model already trained from this data: {shown(existing)}")
        return existing
    _say(f"[2/{STEPS}] training the candidate (~4-6 min, log: {shown(out / 'train.log')})…")
    prune_candidates(keep=digest)
    name = model_name(digest)
    CANDIDATES.mkdir(parents=True, exist_ok=True)
    run_logged("rasa train", train_args(CANDIDATES, name), out / "train.log")
    return CANDIDATES / f"{name}.tar.gz"


def evaluate_served(served: Optional[Path], out: Path, notes: List[str]) -> Optional[Metrics]:
    """The served model's metrics, or None (with a note) if none is served or it cannot be evaluated."""
    if served is None:
        _say(f"[4/{STEPS}] no model served yet: nothing to compare with")
        return None
    _say(f"[4/{STEPS}] evaluating the served model {served.name}…")
    try:
        return evaluate(served, out / "served")
    except RasaCommandFailed as error:
        note = f"the served model could not be evaluated, so nothing was compared: {str(error).splitlines()[0]}"
        _say(f"      {note}")
        notes.append(note)
        return None


def retrain(force: bool, tolerance: float) -> int:
    """The whole `make retrain`; returns the exit code (0 promoted or nothing to do, 1 refused).

    Raises:
        RasaCommandFailed: validation, training or evaluating the candidate failed.
    """
    digest = fingerprint()
    served = currently_served()
    if served is not None and matches(served, digest):
        _say(f"Nothing to retrain: the served model {served.name} was trained from the current data and config.")
        return 0
    when = time.localtime()
    out = RESULTS / time.strftime("%Y%m%d-%H%M%S", when)
    out.mkdir(parents=True, exist_ok=True)

    _say(f"[1/{STEPS}] validating data (rasa data validate)…")
    warnings = validate(out)
    for warning in warnings:
        _say(f"      warning: {warning}")
    model = train_candidate(digest, out)
    _say(f"[3/{STEPS}] evaluating the candidate on {shown(HELD_OUT_NLU)}/ and {shown(TEST_STORIES)}…")
    candidate_metrics = evaluate(model, out / "candidate")
    notes: List[str] = []
    served_metrics = evaluate_served(served, out, notes)

    _say(f"[5/{STEPS}] deciding and writing the report…")
    decision = decide(candidate_metrics, served_metrics, tolerance=tolerance, force=force)
    images = [(title, f"candidate/{path}") for title, path in IMAGES if (out / "candidate" / path).exists()]
    report = out / "report.md"
    report.write_text(
        render_report(
            when=time.strftime("%Y-%m-%d %H:%M", when),
            candidate_name=model.name,
            served_name=served.name if served else None,
            candidate=candidate_metrics,
            served=served_metrics,
            decision=decision,
            warnings=warnings,
            notes=notes,
            images=images,
        ),
        encoding="utf-8",
    )
    for check in decision.checks:
        _say(f"      {'ok  ' if check.passed else 'FAIL'} {check.text}")
    if decision.promote:
        promoted = promote(model)
        forced = " (forced)" if decision.forced else ""
        _say(f"Promoted{forced}: {shown(promoted)} is now the served model; restart `make run` to use it.")
    else:
        refuse(model, report, decision.failures)
        _say(f"Refused: {'; '.join(decision.failures)}.")
        keeps = f"`make run` keeps serving {served.name}." if served else "`make run` has no model to serve until one is promoted."
        _say(f"{keeps} FORCE=1 make retrain promotes it anyway.")
    _say(f"Report: {shown(report)}")
    return 0 if decision.promote else 1


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Validate, train, evaluate, compare and promote a model.")
    parser.add_argument("--force", action="store_true", default=_env_flag("FORCE"), help="promote even if checks fail")
    parser.add_argument(
        "--tolerance", type=float, default=os.environ.get("TOLERANCE") or TOLERANCE,
        help=f"largest allowed drop of intent or faq macro-F1 (default {TOLERANCE})",
    )
    args = parser.parse_args(argv)
    try:
        sys.exit(retrain(force=args.force, tolerance=args.tolerance))
    except RasaCommandFailed as error:
        sys.exit(f"retrain: {error}")
    except KeyboardInterrupt:
        sys.exit("\nretrain: interrupted; nothing was promoted.")


if __name__ == "__main__":
    main()
