"""NLU quality from `rasa test nlu` (run by scripts.learning.evaluate): on the held-out
file, and by cross-validation."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from scripts.bench.results import CrossValidation, NluScores, Overlap
from scripts.learning.evaluate import NluFigures, cross_validate_nlu, evaluate_nlu


def error_ratio(project: Optional[float], reference: Optional[float]) -> Optional[float]:
    """project / reference of two error rates (e.g. 0.5: half the errors), or None if the reference makes none."""
    return round(project / reference, 2) if project is not None and reference else None


def overlap(project: NluFigures, reference: NluFigures) -> Overlap:
    """How many messages only the project, only the reference, or both misunderstood."""
    mine, theirs = project.misunderstood, reference.misunderstood
    return Overlap(only_project=len(mine - theirs), only_reference=len(theirs - mine), both=len(mine & theirs))


def held_out_figures(model: Path, test_data: Path, out: Path) -> NluFigures:
    """`rasa test nlu` of `model` on `test_data`, without plots; reports kept in `out`, log in <out>.log."""
    return evaluate_nlu(model, test_data, out, plots=False)


def cross_validation_scores(config: Path, data: Path, folds: int, out: Path) -> CrossValidation:
    """`rasa test nlu --cross-validation` of `config` on `data`, from an empty training cache.

    Returns:
        The scores of the test folds taken together, with `folds` and the wall time in s.
    """
    figures, seconds = cross_validate_nlu(config, data, folds, out)
    return CrossValidation(**NluScores.fields_of(figures), folds=folds, seconds=round(seconds, 1))  # type: ignore[arg-type]
