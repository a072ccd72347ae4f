"""Training the three assistants the benchmark compares, each timed and from an empty cache.

- the project: config.yml, data/, domain.yml (`rasa train`);
- the reference pipeline: Rasa's language-agnostic NLU pipeline on the same data (`rasa train nlu`);
- the reference assistant: what `rasa init --no-prompt` creates and trains.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from scripts.learning.evaluate import run_rasa

TRAINING_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Trained:
    """A trained model: archive path, wall time of the training in s, archive size in MB."""

    model: Path
    training_s: float
    archive_mb: float


def _trained(model: Path, seconds: float) -> Trained:
    return Trained(model, round(seconds, 1), round(model.stat().st_size / 2**20, 1))


def with_epochs(config: Dict[str, Any], epochs: Optional[int]) -> Dict[str, Any]:
    """A copy of a Rasa config whose components and policies with `epochs` train for `epochs`.

    Args:
        config: a parsed config.yml.
        epochs: the new number of epochs, or None for an unchanged copy.
    """
    def override(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [{**item, "epochs": epochs} if epochs and "epochs" in item else dict(item) for item in items]

    return {**config, "pipeline": override(config.get("pipeline") or []), "policies": override(config.get("policies") or [])}


SHARED_SETTINGS = ("epochs", "random_seed")


def reference_pipeline(project_config: Dict[str, Any]) -> Dict[str, Any]:
    """Rasa's language-agnostic pipeline with the project's language, epochs and seeds; no policies.

    Everything is at Rasa's defaults except SHARED_SETTINGS of DIETClassifier and
    ResponseSelector, taken from the project's config where it sets them.
    """
    def shared_of(name: str) -> Dict[str, Any]:
        found = [c for c in project_config.get("pipeline", []) if c["name"] == name]
        return {key: found[0][key] for key in SHARED_SETTINGS if found and key in found[0]}

    return {
        "recipe": "default.v1",
        "language": project_config.get("language", "en"),
        "assistant_id": "bench-reference-pipeline",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
            {"name": "DIETClassifier", **shared_of("DIETClassifier")},
            {"name": "EntitySynonymMapper"},
            {"name": "ResponseSelector", **shared_of("ResponseSelector")},
            {"name": "FallbackClassifier"},
        ],
        "policies": [],
    }


def write_yaml(data: Dict[str, Any], path: Path) -> Path:
    """Writes `data` as YAML to `path` and returns `path`."""
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def train_project(root: Path, config: Path, work: Path) -> Trained:
    """`rasa train` of the project (data/, domain.yml) with `config`, from an empty cache.

    Raises:
        RasaCommandFailed (a RuntimeError): training failed or took longer than TRAINING_TIMEOUT_S.
    """
    seconds = run_rasa(["train", "--config", str(config), "--out", str(work), "--fixed-model-name", "project"],
                       work / "train-project.log", cwd=root, cache=work / "cache-project", timeout_s=TRAINING_TIMEOUT_S)
    return _trained(work / "project.tar.gz", seconds)


def train_nlu(root: Path, config: Path, work: Path, name: str) -> Trained:
    """`rasa train nlu` on the project's data/ with `config`, from an empty cache (errors as for train_project)."""
    seconds = run_rasa(["train", "nlu", "--config", str(config), "--nlu", "data", "--out", str(work),
                        "--fixed-model-name", name], work / f"train-{name}.log", cwd=root, cache=work / f"cache-{name}",
                       timeout_s=TRAINING_TIMEOUT_S)
    return _trained(work / f"{name}.tar.gz", seconds)


def init_assistant(work: Path) -> Trained:
    """Creates and trains the `rasa init` assistant in work/init; its training time includes the scaffold.

    Raises:
        RuntimeError: `rasa init` failed (RasaCommandFailed) or made no model.
    """
    directory = work / "init"
    directory.mkdir(parents=True, exist_ok=True)
    seconds = run_rasa(["init", "--no-prompt", "--init-dir", str(directory)], work / "init.log", cwd=directory,
                       cache=work / "cache-init", timeout_s=TRAINING_TIMEOUT_S)
    models = sorted((directory / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"`rasa init` made no model; see {work / 'init.log'}")
    return _trained(models[-1], seconds)
