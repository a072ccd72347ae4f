"""The model registry (scripts.learning.registry): how promotion and refusal steer which
model `make run` serves and which one `make test` tests, on empty archives (no training)."""

import os
import time

import pytest

from scripts.learning import registry as models

DIGEST = "0123456789ab"


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    """An empty models/ folder; the current data's fingerprint is DIGEST."""
    monkeypatch.setattr(models, "fingerprint", lambda: DIGEST)
    (tmp_path / "candidates").mkdir()
    return tmp_path


def archive(folder, name, age_s=0):
    path = folder / name
    path.write_bytes(b"")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_run_serves_the_matching_model(models_dir):
    served = archive(models_dir, f"20261130-100000-{DIGEST}.tar.gz")
    assert models.train_and_promote_if_needed(models_dir) == served


def test_run_keeps_the_previous_model_if_the_candidate_was_refused(models_dir, capsys):
    previous = archive(models_dir, "20261129-100000-ffffffffffff.tar.gz", age_s=3600)
    refused = archive(models_dir / "candidates", f"20261130-100000-{DIGEST}.tar.gz")
    models.refuse(refused, models_dir / "report.md", ["intent macro-F1 dropped"])
    assert models.train_and_promote_if_needed(models_dir) == previous
    line = capsys.readouterr().out
    assert "refused by make retrain on" in line and "report.md" in line and "FORCE=1 make retrain" in line
    assert models.find_or_train_candidate(models_dir) == refused  # tests still test the model of the current data


def test_run_without_previous_model_refuses_to_serve_a_refused_candidate(models_dir):
    refused = archive(models_dir / "candidates", f"20261130-100000-{DIGEST}.tar.gz")
    models.refuse(refused, models_dir / "report.md", ["1 of 7 test stories fail"])
    with pytest.raises(RuntimeError, match="FORCE=1 make retrain"):
        models.train_and_promote_if_needed(models_dir)


def test_run_promotes_a_candidate_that_was_not_refused(models_dir):
    archive(models_dir, "20261129-100000-ffffffffffff.tar.gz")
    candidate = archive(models_dir / "candidates", f"20261130-100000-{DIGEST}.tar.gz", age_s=3600)
    served = models.train_and_promote_if_needed(models_dir)
    assert served == models_dir / candidate.name and not candidate.exists()
    assert models.currently_served(models_dir) == served  # the newest, so a plain `rasa run` serves it too


def test_promote_forgets_the_refusal(models_dir):
    refused = archive(models_dir / "candidates", f"20261130-100000-{DIGEST}.tar.gz")
    models.refuse(refused, models_dir / "report.md", ["x"])
    promoted = models.promote(refused, models_dir)
    assert models.refusal(promoted) is None and not list((models_dir / "candidates").iterdir())


def test_restoring_the_data_serves_the_earlier_model_again_without_training(models_dir):
    earlier = archive(models_dir, f"20261129-100000-{DIGEST}.tar.gz", age_s=7200)
    archive(models_dir, "20261130-100000-ffffffffffff.tar.gz", age_s=3600)  # served now, other data
    assert models.train_and_promote_if_needed(models_dir) == earlier == models.currently_served(models_dir)
