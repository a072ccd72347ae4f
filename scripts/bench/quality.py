"""NLU quality from `rasa test nlu`: on the held-out file, and by cross-validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from scripts.bench.assistants import rasa


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def misunderstood(reports: Path) -> Set[str]:
    """The texts whose intent is wrong or, for a faq question, whose response key is wrong.

    Either way the user gets a wrong answer. Read from the error files `rasa test nlu`
    wrote into `reports` (none: nothing misunderstood).
    """
    wrong = {e["text"] for e in _read(reports / "intent_errors.json") or []}
    return wrong | {e["text"] for e in _read(reports / "response_selection_errors.json") or []}


def mistakes(reports: Path) -> List[Dict[str, str]]:
    """Each misunderstood message (see `misunderstood`) with what was expected and what was understood.

    Returns:
        [{"text", "expected", "understood"}, ...]: intents, or faq/<key> for wrong faq answers.
    """
    found = [{"text": e["text"], "expected": e["intent"], "understood": e["intent_prediction"]["name"]}
             for e in _read(reports / "intent_errors.json") or []]
    found += [{"text": e["text"], "expected": e["intent_response_key_target"],
               "understood": e["intent_response_key_prediction"]["name"]}
              for e in _read(reports / "response_selection_errors.json") or []]
    return found


def scores(reports: Path) -> Dict[str, Any]:
    """Figures from the reports `rasa test nlu` wrote into `reports`; error rate as in `misunderstood`.

    Returns:
        {"messages", "intent_accuracy", "intent_macro_f1", "intent_error_rate",
         "faq_messages", "faq_accuracy", "faq_macro_f1", "entity_macro_f1", "error_rate"};
        the faq and entity figures are None when there is no such report.

    Raises:
        FileNotFoundError: no intent_report.json in `reports`.
    """
    intents = _read(reports / "intent_report.json")
    if intents is None:
        raise FileNotFoundError(f"no intent_report.json in {reports}")
    faq = _read(reports / "response_selection_report.json")
    entities = _read(reports / "DIETClassifier_report.json")
    messages = intents["macro avg"]["support"]
    return {
        "messages": messages,
        "intent_accuracy": round(intents["accuracy"], 4),
        "intent_macro_f1": round(intents["macro avg"]["f1-score"], 4),
        "intent_error_rate": round(1 - intents["accuracy"], 4),
        "faq_messages": faq["macro avg"]["support"] if faq else None,
        "faq_accuracy": round(faq["accuracy"], 4) if faq else None,
        "faq_macro_f1": round(faq["macro avg"]["f1-score"], 4) if faq else None,
        "entity_macro_f1": round(entities["macro avg"]["f1-score"], 4) if entities else None,
        "error_rate": round(len(misunderstood(reports)) / messages, 4),
    }


def error_ratio(project: Dict[str, Any], reference: Dict[str, Any], key: str = "error_rate") -> Optional[float]:
    """project[key] / reference[key] (e.g. 0.5: half the errors), or None if the reference makes none."""
    return round(project[key] / reference[key], 2) if reference[key] else None


def overlap(project_reports: Path, reference_reports: Path) -> Dict[str, int]:
    """How many messages only the project, only the reference, or both misunderstood.

    Returns:
        {"only_project": int, "only_reference": int, "both": int}.
    """
    project, reference = misunderstood(project_reports), misunderstood(reference_reports)
    return {"only_project": len(project - reference), "only_reference": len(reference - project),
            "both": len(project & reference)}


def held_out_scores(root: Path, model: Path, test_data: Path, out: Path) -> Dict[str, Any]:
    """`rasa test nlu` of `model` on `test_data`; returns `scores` of its reports (kept in `out`)."""
    rasa(["test", "nlu", "--model", str(model), "--nlu", str(test_data), "--out", str(out),
          "--no-plot"],
         root, out.with_suffix(".log"))
    return scores(out)


def cross_validation_scores(root: Path, config: Path, data: Path, folds: int, out: Path) -> Dict[str, Any]:
    """`rasa test nlu --cross-validation` of `config` on `data`, from an empty training cache.

    Returns:
        `scores` of the test folds taken together, plus {"folds": folds, "seconds": wall time}.
    """
    seconds = rasa(["test", "nlu", "--config", str(config), "--nlu", str(data), "--cross-validation",
                    "--folds", str(folds), "--out", str(out), "--no-plot"], root, out.with_suffix(".log"), cache=out / "cache")
    return {"folds": folds, "seconds": round(seconds, 1), **scores(out)}
