"""The training data: contract names, sizes, held-out split, validation, generated files."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from scripts.knowledge.build import stale_files
from scripts.paths import ROOT
from scripts.learning.retrain import RASA_OWN_WARNINGS

# The contract's copy in the repo, so that a clone checks against it; the shared original
# beside the repo, where it exists, must be the same.
CONTRACT = ROOT / "docs" / "nlu_contract.md"
SHARED_CONTRACT = ROOT.parent / "shared" / "nlu_contract.md"
EXTRA_INTENTS = {"other_language", "stop", "follow_up", "complain"}  # added beside the contract's names (README)
EXTRA_ENTITIES = {"topic"}


def _counts(path: Path) -> Counter:
    data = load_data(str(path))
    return Counter(m.get_full_intent() for m in data.intent_examples)


def _contract_names():
    text = CONTRACT.read_text(encoding="utf-8")
    section = lambda title: text.split(title, 1)[1].split("\n## ", 1)[0]  # noqa: E731
    headers = {"intent", "key", "entity"}
    first_column = lambda part: set(re.findall(r"^\| ([a-z_]+) \|", part, re.MULTILINE)) - headers  # noqa: E731
    return (
        first_column(section("## Conversation intents")),
        first_column(section("## Knowledge questions")),
        first_column(section("## Entities")),
    )


@pytest.fixture(scope="module")
def train_counts() -> Counter:
    return _counts(ROOT / "data" / "nlu")


@pytest.fixture(scope="module")
def heldout_counts() -> Counter:
    return _counts(ROOT / "tests" / "nlu")


def test_the_contract_copy_is_the_shared_original():
    if not SHARED_CONTRACT.exists():
        pytest.skip(f"no shared original at {SHARED_CONTRACT} to compare docs/nlu_contract.md with")
    assert CONTRACT.read_text(encoding="utf-8") == SHARED_CONTRACT.read_text(encoding="utf-8")


def test_names_follow_the_nlu_contract(train_counts):
    intents, faq_keys, entities = _contract_names()
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["intents"]) == intents | EXTRA_INTENTS | {"faq"}
    assert set(domain["entities"]) == entities | EXTRA_ENTITIES
    assert {k.split("/")[1] for k in train_counts if k.startswith("faq/")} == faq_keys
    assert {k for k in train_counts if not k.startswith("faq/")} == intents | EXTRA_INTENTS


def test_enough_training_examples(train_counts):
    for label, count in train_counts.items():
        assert count >= (15 if label.startswith("faq/") else 25), label


def test_about_a_fifth_is_held_out(train_counts, heldout_counts):
    assert set(heldout_counts) == set(train_counts)
    for label, count in heldout_counts.items():
        share = count / (count + train_counts[label])
        assert 0.15 <= share <= 0.3, f"{label}: {share:.0%} held out"


def test_held_out_examples_are_not_in_training():
    normal = lambda text: re.sub(r"[^\w ]", "", text.lower()).strip()  # noqa: E731
    train = {normal(m.get("text")) for m in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    heldout = {normal(m.get("text")) for m in load_data(str(ROOT / "tests" / "nlu")).intent_examples}
    assert not train & heldout


def test_generated_files_are_current():
    assert stale_files() == []


def test_rasa_data_validate_has_no_errors_or_warnings():
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "UserWarning" in line and "/rasa/" in line]
    project_warnings = [w for w in warnings if not any(known in w for known in RASA_OWN_WARNINGS)]
    assert result.returncode == 0, output[-3000:]
    assert project_warnings == []
