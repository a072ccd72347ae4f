"""The training data: contract names, sizes, held-out split, validation, generated files."""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from components.item_selector import example_item
from scripts.knowledge.build import stale_files
from scripts.learning.evaluate import run_rasa
from scripts.learning.retrain import validation_warnings
from scripts.paths import ROOT

# The contract's copy in the repo, so that a clone checks against it; it may add names beside
# the shared original's, but every name of the shared original (where it exists) must be kept.
CONTRACT = ROOT / "docs" / "nlu_contract.md"
SHARED_CONTRACT = ROOT.parent / "shared" / "nlu_contract.md"
EXTRA_INTENTS = {"other_language", "stop", "follow_up", "complain"}  # added beside the contract's names (docs/design.md)
EXTRA_ENTITIES = {"topic", "knowledge_item"}


def _counts(path: Path, with_items: bool = True) -> Counter:
    """{full intent: examples}; with_items=False leaves out the item-tagged ones."""
    data = load_data(str(path))
    return Counter(m.get_full_intent() for m in data.intent_examples if with_items or not example_item(m))


def _contract_names(path: Path = CONTRACT):
    text = path.read_text(encoding="utf-8")
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


def test_the_contract_copy_keeps_every_shared_name():
    if not SHARED_CONTRACT.exists():
        pytest.skip(f"no shared original at {SHARED_CONTRACT} to compare docs/nlu_contract.md with")
    for kind, shared, project in zip(("intents", "faq keys", "entities"), _contract_names(SHARED_CONTRACT), _contract_names(), strict=True):
        assert shared, f"no {kind} found in {SHARED_CONTRACT}: has its layout changed?"
        assert shared <= project, f"docs/nlu_contract.md lost shared {kind}: {sorted(shared - project)}"


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
    # Of the general examples: the item-tagged ones (metadata: {item: ...}) are measured
    # on the independent evaluation set in tests/eval/ instead (tests/test_eval_scores.py).
    # At least 15 % of a label's general examples are held out, and no more than 30 % of
    # all its examples, so neither the test nor the training data starves.
    general = _counts(ROOT / "data" / "nlu", with_items=False)
    assert set(heldout_counts) == set(train_counts)
    for label, count in heldout_counts.items():
        assert count / (count + general[label]) >= 0.15, f"{label}: too few held out"
        assert count / (count + train_counts[label]) <= 0.3, f"{label}: too many held out"


def test_held_out_examples_are_not_in_training():
    normal = lambda text: re.sub(r"[^\w ]", "", text.lower()).strip()  # noqa: E731
    train = {normal(m.get("text")) for m in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    heldout = {normal(m.get("text")) for m in load_data(str(ROOT / "tests" / "nlu")).intent_examples}
    assert not train & heldout


def test_generated_files_are_current():
    assert stale_files() == []


def test_rasa_data_validate_has_no_errors_or_warnings(tmp_path):
    log = tmp_path / "validate.log"
    run_rasa(["data", "validate", "--fail-on-warnings"], log, timeout_s=600)  # raises with the log's end on errors
    assert validation_warnings(log.read_text(errors="replace")) == []
