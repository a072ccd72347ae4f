"""Comparing a candidate model with the served one: metrics, the decision, the report.

Pure functions on the JSON reports that `rasa test nlu` (read by
scripts.learning.evaluate) and `rasa test core` write, so the decision and the report
are tested on recorded figures without training.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import yaml

from scripts.learning.evaluate import Scores, read_nlu_reports

# Largest drop in a macro-F1 (intents, faq keys) that still promotes. Measured noise:
# eight new goodbye examples, touching no faq data, moved the faq macro-F1 by -0.042
# and single faq keys (4-5 test examples each) by up to -0.19, through the changed
# training batches alone.
TOLERANCE = 0.05
# A label whose F1 drops by this much or more refuses the candidate whatever the
# macro-F1 does: that is damage to the label (e.g. its examples relabelled), not noise.
COLLAPSE_DROP = 0.5
# A label whose F1 drops by this much or more is flagged in the report.
FLAG_DROP = 0.10


@dataclass(frozen=True)
class Metrics:
    """How one model did on tests/nlu and tests/test_stories.yml."""

    intents: Scores
    faq: Scores
    stories_passed: int
    stories_total: int
    failed_stories: Tuple[str, ...] = ()


def load_metrics(nlu_dir: Path, core_dir: Path) -> Metrics:
    """Reads the reports of `rasa test nlu --out nlu_dir` and `rasa test core --out core_dir`.

    Raises:
        FileNotFoundError, KeyError, json.JSONDecodeError: a report is missing or malformed.
    """
    stories = json.loads((core_dir / "story_report.json").read_text(encoding="utf-8"))["conversation_accuracy"]
    nlu = read_nlu_reports(nlu_dir)
    if nlu.faq is None:
        raise FileNotFoundError(f"no response selection report in {nlu_dir}: the model has no faq keys to compare")
    return Metrics(
        intents=nlu.intents,
        faq=nlu.faq,
        stories_passed=stories["correct"],
        stories_total=stories["total"],
        failed_stories=failed_story_names(core_dir / "failed_test_stories.yml"),
    )


def failed_story_names(path: Path) -> Tuple[str, ...]:
    """The names of the stories in `rasa test core`'s failed_test_stories.yml (empty if none or unreadable)."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ()
    return tuple(story.get("story", "?") for story in content.get("stories", []) if isinstance(story, dict))


@dataclass(frozen=True)
class Check:
    """One condition for promotion, with a one-line explanation."""

    passed: bool
    text: str


@dataclass(frozen=True)
class Decision:
    """Whether to promote the candidate, and the checks that decided it."""

    promote: bool
    forced: bool
    checks: Tuple[Check, ...] = field(default_factory=tuple)

    @property
    def failures(self) -> List[str]:
        """The explanations of the failed checks."""
        return [check.text for check in self.checks if not check.passed]


def _stories_check(candidate: Metrics) -> Check:
    if candidate.stories_passed == candidate.stories_total:
        return Check(True, f"all {candidate.stories_total} test stories pass")
    failed = candidate.stories_total - candidate.stories_passed
    names = f": {', '.join(candidate.failed_stories)}" if candidate.failed_stories else ""
    return Check(False, f"{failed} of {candidate.stories_total} test stories fail{names}")


def _drop_check(measure: str, before: float, after: float, tolerance: float) -> Check:
    change = after - before
    figures = f"{measure} {before:.3f} → {after:.3f} ({change:+.3f})"
    if change < -tolerance - 1e-9:
        return Check(False, f"{figures}: dropped by more than the tolerance {tolerance:.3f}")
    return Check(True, f"{figures}: within the tolerance {tolerance:.3f}")


def _collapse_check(before: Metrics, after: Metrics) -> Check:
    collapsed = [
        f"{label} {old:.3f} → {after_scores.f1.get(label, 0.0):.3f}"
        for before_scores, after_scores in ((before.intents, after.intents), (before.faq, after.faq))
        for label, old in before_scores.f1.items()
        if old - after_scores.f1.get(label, 0.0) >= COLLAPSE_DROP
    ]
    if collapsed:
        return Check(False, f"F1 fell by {COLLAPSE_DROP} or more: {', '.join(collapsed)}")
    return Check(True, f"no intent or faq key lost {COLLAPSE_DROP} F1 or more")


def decide(candidate: Metrics, served: Optional[Metrics], tolerance: float = TOLERANCE, force: bool = False) -> Decision:
    """Promote only if all test stories pass, neither macro-F1 (intents, faq keys) dropped by
    more than `tolerance`, and no single label's F1 dropped by COLLAPSE_DROP or more.

    Args:
        candidate: the new model's metrics.
        served: the served model's metrics on the same test data, or None if none is served.
        tolerance: the largest allowed drop of a macro-F1, e.g. 0.05.
        force: promote even if a check fails (the checks are still reported).
    """
    checks = [_stories_check(candidate)]
    if served is None:
        checks.append(Check(True, "no served model to compare with"))
    else:
        checks.append(_drop_check("intent macro-F1", served.intents.macro_f1, candidate.intents.macro_f1, tolerance))
        checks.append(_drop_check("faq macro-F1", served.faq.macro_f1, candidate.faq.macro_f1, tolerance))
        checks.append(_collapse_check(served, candidate))
    passed = all(check.passed for check in checks)
    return Decision(promote=passed or force, forced=force and not passed, checks=tuple(checks))


def _figure(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.3f}"


def _change(before: Optional[float], after: Optional[float]) -> str:
    if before is None or after is None:
        return "–"
    change = after - before
    return f"{change:+.3f}" + (" ⚠" if change <= -FLAG_DROP else "")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _label_table(title: str, before: Optional[Scores], after: Scores) -> List[str]:
    labels = sorted(set(after.f1) | set(before.f1 if before else {}))
    lines = [f"### {title}", "", _row(["label", "n", "served", "candidate", "change"]), _row(["---", "---:", "---:", "---:", "---:"])]
    for label in labels:
        old = before.f1.get(label) if before else None
        new = after.f1.get(label)
        support = after.support.get(label, before.support.get(label, 0) if before else 0)
        lines.append(_row([label, str(support), _figure(old), _figure(new), _change(old, new)]))
    return lines + [""]


def _summary_table(candidate: Metrics, served: Optional[Metrics]) -> List[str]:
    rows = [
        ("intent macro-F1 (decides)", lambda m: m.intents.macro_f1),
        ("intent accuracy", lambda m: m.intents.accuracy),
        ("faq macro-F1 (decides)", lambda m: m.faq.macro_f1),
        ("faq response-selection accuracy", lambda m: m.faq.accuracy),
        ("test story accuracy", lambda m: m.stories_passed / m.stories_total if m.stories_total else 0.0),
    ]
    lines = [_row(["measure", "served", "candidate", "change"]), _row(["---", "---:", "---:", "---:"])]
    for name, measure in rows:
        old = measure(served) if served else None
        lines.append(_row([name, _figure(old), _figure(measure(candidate)), _change(old, measure(candidate))]))
    stories = lambda m: f"{m.stories_passed}/{m.stories_total}"  # noqa: E731
    lines.append(_row(["test stories passing", stories(served) if served else "–", stories(candidate), ""]))
    return lines + [""]


def _decision_lines(decision: Decision, served_name: Optional[str]) -> List[str]:
    if decision.forced:
        verdict = "**Decision: promoted with --force**, although checks failed."
    elif decision.promote:
        verdict = "**Decision: promoted.** `make run` serves the candidate from now on."
    else:
        verdict = f"**Decision: refused.** `make run` keeps serving {served_name or 'the previous model'}."
    checks = [f"- [{'x' if check.passed else ' '}] {check.text}" for check in decision.checks]
    return [verdict, "", *checks, ""]


def render_report(
    *,
    when: str,
    candidate_name: str,
    served_name: Optional[str],
    candidate: Metrics,
    served: Optional[Metrics],
    decision: Decision,
    warnings: Sequence[str] = (),
    notes: Sequence[str] = (),
    images: Sequence[Tuple[str, str]] = (),
) -> str:
    """The markdown report of one `make retrain`.

    Args:
        when: date and time of the run, e.g. "2026-11-30 11:02".
        candidate_name, served_name: model file names (served_name None if none was served).
        candidate, served: their metrics (served None if none was served or it could not be evaluated).
        decision: the outcome of `decide`.
        warnings: `rasa data validate` warnings, one line each.
        notes: other remarks, one line each (e.g. why the served model was not evaluated).
        images: (title, path relative to the report) of the images `rasa test` drew.

    Returns:
        The report text, markdown.
    """
    lines = [f"# Retrain report, {when}", ""]
    lines += _decision_lines(decision, served_name)
    lines += [f"- candidate: `{candidate_name}`", f"- served before: `{served_name or 'none'}`", *[f"- {n}" for n in notes], ""]
    lines += ["## Summary (held-out tests/nlu/, tests/test_stories.yml)", "", *_summary_table(candidate, served)]
    lines += [f"⚠ marks a label whose F1 dropped by {FLAG_DROP:.2f} or more.", ""]
    lines += ["## Per label", ""]
    lines += _label_table("Intents (F1)", served.intents if served else None, candidate.intents)
    lines += _label_table("faq keys (response selection F1)", served.faq if served else None, candidate.faq)
    if candidate.failed_stories:
        lines += ["## Failed test stories", "", *[f"- {name}" for name in candidate.failed_stories]]
        lines += ["", "Predicted against expected actions: `candidate/core/failed_test_stories.yml`.", ""]
    if warnings:
        lines += ["## Warnings from rasa data validate", "", *[f"- {w}" for w in warnings], ""]
    if images:
        lines += ["## Images of the candidate (rasa test)", ""]
        lines += [f"### {title}\n\n![{title}]({path})\n" for title, path in images]
    return "\n".join(lines)
