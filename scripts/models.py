"""Which trained model matches the project, and training one when none does.

A model's file name ends with a fingerprint of everything that shapes it:
config.yml, domain.yml, every file under data/, the custom NLU components and the
spaCy pipeline this machine loads. Rasa serves the newest archive in models/, so
that one is "the served model"; `make run` trains only when it does not match.

Usage: python -m scripts.models [--if-needed]   (prints the path of the model)
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
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

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    spacy_nlp = next(c for c in config["pipeline"] if c["name"].endswith("SpacyNLP"))
    return pipeline_identity(spacy_nlp["model"], spacy_nlp.get("model_version"))


def fingerprint(root: Path = ROOT) -> str:
    """A 12-hex-digit digest of the training inputs and the spaCy pipeline.

    Args:
        root: the project folder holding config.yml, domain.yml, data/ and components/.

    Returns:
        e.g. "3f9a0c1d2e4b"; it changes when any input file or the pipeline changes.
    """
    digest = hashlib.sha256(spacy_pipeline().encode())
    for path in _files(root / name for name in INPUTS):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def served_model(models: Path = MODELS) -> Optional[Path]:
    """The archive Rasa serves: the newest *.tar.gz directly in `models`, or None."""
    archives = list(models.glob("*.tar.gz"))
    return max(archives, key=lambda p: p.stat().st_mtime) if archives else None


def matches(model: Optional[Path], digest: str) -> bool:
    """True if `model` was trained from inputs with fingerprint `digest`."""
    return model is not None and model.name.endswith(f"-{digest}.tar.gz")


def train(output: Path = MODELS, digest: Optional[str] = None) -> Path:
    """Trains a model with `rasa train` into `output` and returns its path.

    Raises:
        subprocess.CalledProcessError: `rasa train` failed.
    """
    digest = digest or fingerprint()
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{digest}"
    output.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--out", str(output), "--fixed-model-name", name],
        cwd=ROOT,
        check=True,
    )
    return output / f"{name}.tar.gz"


def ensure_model() -> Path:
    """The served model if it matches the current inputs; otherwise trains one."""
    digest = fingerprint()
    model = served_model()
    if matches(model, digest):
        return model
    print(f"models: no model matches the current data and config ({digest}); training one.", flush=True)
    return train(digest=digest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-needed", action="store_true", help="train only if no model matches")
    args = parser.parse_args()
    print(ensure_model() if args.if_needed else train())


if __name__ == "__main__":
    main()
