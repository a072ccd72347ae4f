"""Which trained model matches the project, and training one when none does.

A model's file name ends with a fingerprint of everything that shapes it:
config.yml, domain.yml, every file under data/, the custom NLU components and the
spaCy pipeline this machine loads. Rasa serves the newest archive in models/, so
that one is "the served model".

Candidates live in models/candidates/, where Rasa does not look. `make retrain`
trains one there, evaluates it and either promotes it (moves it into models/ as the
newest archive) or refuses it, leaving a `<model>.refused.json` record beside it.

Four lookups, from the plainest to the one that does the most:
- `currently_served`: the newest archive in models/, what Rasa serves now.
- `find_trained_model`: a model trained from inputs with a given fingerprint, if one
  exists (served earlier, or a candidate); never trains.
- `find_or_train_candidate` (`make test`): the model matching the current data, a
  candidate trained now (minutes) if there is none; never promotes.
- `train_and_promote_if_needed` (`make run`, `make shell`): the currently served model
  if it matches; if `make retrain` refused the model for the current data, the
  previous model, saying why; otherwise the matching model, trained if needed
  (minutes) and promoted.

Usage: python -m scripts.learning.registry [--if-needed]   (prints the path of the model)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from scripts.paths import CANDIDATES, CONFIG, MODELS, RASA, ROOT, shown

INPUTS = ("config.yml", "domain.yml", "data", "components")


def _files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            yield path


def spacy_pipeline() -> str:
    """The spaCy pipeline identity that training would use now (see components.danish_spacy)."""
    import yaml

    from components.danish_spacy import pipeline_identity

    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    spacy_nlp = next(c for c in config["pipeline"] if c["name"].endswith("SpacyNLP"))
    return pipeline_identity(spacy_nlp["model"], spacy_nlp.get("model_version"))


def files_digest(paths: Iterable[Path], root: Path = ROOT, seed: str = "") -> str:
    """A 12-hex-digit digest of `seed` and the names (relative to `root`) and contents of the files in `paths`.

    Folders in `paths` count with every file below them; missing paths are skipped.
    """
    digest = hashlib.sha256(seed.encode())
    for path in _files(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fingerprint(root: Path = ROOT) -> str:
    """A 12-hex-digit digest of the training inputs and the spaCy pipeline.

    Args:
        root: the project folder holding config.yml, domain.yml, data/ and components/.

    Returns:
        e.g. "3f9a0c1d2e4b"; it changes when any input file or the pipeline changes.
    """
    return files_digest((root / name for name in INPUTS), root, seed=spacy_pipeline())


def _newest(paths: Iterable[Path]) -> Optional[Path]:
    return max(paths, key=lambda p: p.stat().st_mtime, default=None)


def currently_served(models: Path = MODELS) -> Optional[Path]:
    """The archive Rasa serves now: the newest *.tar.gz directly in `models`, or None. Looks only."""
    return _newest(models.glob("*.tar.gz"))


def matches(model: Optional[Path], digest: str) -> bool:
    """True if `model` was trained from inputs with fingerprint `digest`."""
    return model is not None and model.name.endswith(f"-{digest}.tar.gz")


def model_name(digest: str) -> str:
    """A new model's file name without .tar.gz: "<YYYYmmdd-HHMMSS>-<digest>"."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{digest}"


def train_args(output: Path, name: str) -> List[str]:
    """The arguments of `rasa train` that write `output`/`name`.tar.gz."""
    return ["train", "--out", str(output), "--fixed-model-name", name]


def train(output: Path = MODELS, digest: Optional[str] = None) -> Path:
    """Trains a model with `rasa train` into `output` (~4 min, progress on the terminal) and returns its path.

    Raises:
        subprocess.CalledProcessError: `rasa train` failed.
    """
    name = model_name(digest or fingerprint())
    output.mkdir(parents=True, exist_ok=True)
    subprocess.run([*RASA, *train_args(output, name)], cwd=ROOT, check=True)
    return output / f"{name}.tar.gz"


def find_trained_model(digest: str, models: Path = MODELS) -> Optional[Path]:
    """The newest model trained from inputs with fingerprint `digest`, or None; never trains.

    Looks in `models` first (a model served earlier: restoring the data serves it
    again without training), then in its subfolder candidates/.
    """
    pattern = f"*-{digest}.tar.gz"
    return _newest(models.glob(pattern)) or _newest((models / CANDIDATES.name).glob(pattern))


def prune_candidates(keep: str, candidates: Path = CANDIDATES) -> None:
    """Deletes candidates (and their refusal records) of any fingerprint but `keep`: they can never match again."""
    for path in candidates.glob("*"):
        if path.is_file() and f"-{keep}." not in path.name:
            path.unlink()


def refusal_path(model: Path) -> Path:
    """Where the refusal record of `model` lives: beside it, "<name>.refused.json"."""
    return model.with_name(model.name.replace(".tar.gz", ".refused.json"))


def refuse(model: Path, report: Path, reasons: List[str]) -> None:
    """Records that `make retrain` refused `model`; `report` is the report's path, `reasons` one line each."""
    record = {"date": time.strftime("%Y-%m-%d %H:%M"), "report": shown(report), "reasons": reasons}
    refusal_path(model).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


def refusal(model: Optional[Path]) -> Optional[Dict]:
    """The refusal record of `model` ({"date", "report", "reasons"}), or None if it was not refused."""
    path = refusal_path(model) if model else None
    return json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else None


def promote(model: Path, models: Path = MODELS) -> Path:
    """Moves `model` into `models` as the newest archive, so Rasa serves it; forgets any refusal.

    Returns:
        The model's new path.
    """
    refusal_path(model).unlink(missing_ok=True)
    target = models / model.name
    model.replace(target)
    os.utime(target)  # newest by mtime, which is how Rasa and currently_served() pick
    return target


def find_or_train_candidate(models: Path = MODELS) -> Path:
    """The model matching the current inputs, trained as a candidate if there is none; for tests, never promotes.

    Args:
        models: the folder of served models; candidates are in its subfolder candidates/.

    Returns:
        The matching model (see `find_trained_model`), else a candidate trained now (~4 min).
    """
    digest = fingerprint()
    found = find_trained_model(digest, models)
    if found:
        return found
    print(f"models: no model matches the current data and config ({digest}); training a candidate.", flush=True)
    candidates = models / CANDIDATES.name
    prune_candidates(digest, candidates)
    return train(candidates, digest)


def train_and_promote_if_needed(models: Path = MODELS) -> Path:
    """The model `make run` and `make shell` serve; may train for minutes and promote (`models`: as for find_or_train_candidate).

    Returns:
        The currently served model if it matches the current inputs; the currently
        served model, with a printed line why, if `make retrain` refused the candidate
        for the current inputs; else the matching model (an earlier one or a candidate,
        trained now if needed, ~4 min), promoted.

    Raises:
        RuntimeError: the candidate for the current inputs was refused and there is no
            previous model to serve instead.
        subprocess.CalledProcessError: training failed.
    """
    digest = fingerprint()
    served = currently_served(models)
    if served is not None and matches(served, digest):
        return served
    refused = refusal(find_trained_model(digest, models))
    if refused and served is None:
        raise RuntimeError(
            f"the data in data/ was refused by make retrain on {refused['date']} (see {refused['report']}) and "
            "there is no earlier model to serve; fix the data, or promote it anyway with FORCE=1 make retrain."
        )
    if refused and served is not None:
        print(
            f"models: the data in data/ was refused by make retrain on {refused['date']}, see {refused['report']}; "
            f"serving the previous model {served.name}; FORCE=1 make retrain promotes it.",
            flush=True,
        )
        return served
    return promote(find_or_train_candidate(models), models)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-needed", action="store_true", help="train only if no model matches")
    args = parser.parse_args()
    print(find_or_train_candidate() if args.if_needed else train())


if __name__ == "__main__":
    main()
