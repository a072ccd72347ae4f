"""Learning from stored conversations, on a small SQLite tracker store the test fills
with real Rasa events (parse data as the served model stores it)."""

import asyncio

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.loading import load_data

from scripts.learning.review import export_story, export_uncertain, fallback_thresholds, uncertainty
from tests.helpers import DOMAIN, T0, conversation, parse_data, turn

MUNICIPALITY = {"entity": "municipality", "start": 16, "end": 22, "value": "Aarhus", "extractor": "DIETClassifier"}


@pytest.fixture
def store(tmp_path) -> TrackerStore:
    """A SQLite tracker store in a temp file with two conversations, opened anew as after a restart."""
    db = str(tmp_path / "tracker.db")
    writer = SQLTrackerStore(DOMAIN, dialect="sqlite", db=db)
    alice = conversation(
        "alice",
        turn("hej", [("greet", 0.99), ("goodbye", 0.01)], "utter_greet", T0 + 1),  # sure
        turn("xqzv blorp", [("nlu_fallback", 0.5), ("goodbye", 0.244), ("affirm", 0.179)], "utter_ask_rephrase", T0 + 2),
        turn("penge til opstart", [("faq", 0.62), ("request_advice", 0.58)], "utter_faq", T0 + 3, faq_key="faq/funding"),
        turn("vi har en forening", [("nlu_fallback", 0.5), ("inform", 0.41), ("greet", 0.2)], "utter_ask_rephrase",
             T0 + 4, entities=[{**MUNICIPALITY, "entity": "company_form", "start": 10, "end": 18, "value": "forening"}]),
        # sure, but the dialogue fell back: the intent did not fit
        turn("penge", [("affirm", 0.84), ("goodbye", 0.09)], "action_default_fallback", T0 + 4.2),
    )
    bob = conversation(
        "bob",
        turn("XQZV  blorp", [("nlu_fallback", 0.5), ("goodbye", 0.3), ("thank", 0.2)], "utter_ask_rephrase", T0 + 5),
        # "hej" is already a training example: unsure or not, it is not exported again.
        turn("hej", [("nlu_fallback", 0.5), ("greet", 0.45), ("thank", 0.3)], "utter_ask_rephrase", T0 + 6),
        turn("vi holder til i Aarhus", [("inform", 0.45), ("greet", 0.1)], "utter_ask_rephrase", T0 + 7,
             entities=[MUNICIPALITY]),
    )
    for tracker in (alice, bob):
        asyncio.run(writer.save(tracker))
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=db)


def test_export_lists_unsure_messages_as_rasa_nlu_data(store, tmp_path, capsys):
    path = export_uncertain(store, out_dir=tmp_path / "review")
    print(path.read_text())
    assert "5 unsure messages, among 8 user messages in 2 conversations" in capsys.readouterr().out
    examples = {m.get("text"): m.get_full_intent() for m in load_data(str(path)).intent_examples}
    assert examples == {
        "xqzv blorp": "goodbye",  # below the threshold; the real top intent, not nlu_fallback
        "penge til opstart": "faq/funding",  # top two within the ambiguity threshold; the faq key
        "vi har en forening": "inform",
        "vi holder til i Aarhus": "inform",
        "penge": "affirm",
    }
    nlu = yaml.safe_load(path.read_text())["nlu"]
    assert [block["intent"] for block in nlu] == ["affirm", "faq/funding", "goodbye", "inform"]  # grouped by prediction
    assert nlu[0]["examples"][0]["metadata"]["reason"] == "the dialogue fell back (action_default_fallback)"
    inform = {e["text"]: e["metadata"] for e in nlu[3]["examples"]}
    threshold, _ = fallback_thresholds()
    assert inform["vi holder til i [Aarhus](municipality)"] == {
        "predicted": "inform", "confidence": 0.45, "runner_up": "greet", "runner_up_confidence": 0.1,
        "reason": f"confidence below {threshold}", "conversation": "bob", "time": inform["vi holder til i [Aarhus](municipality)"]["time"],
    }
    assert "vi har en [forening](company_form)" in inform


def test_export_since_a_date_leaves_older_messages_out(store, tmp_path, capsys):
    assert export_uncertain(store, out_dir=tmp_path, since=T0 + 4.5).read_text().count("conversation: bob") == 2
    assert export_uncertain(store, out_dir=tmp_path, since=T0 + 3600) is None
    assert "No unsure messages" in capsys.readouterr().out


def test_conversation_becomes_a_test_story_and_a_training_story(store, tmp_path):
    test_story = export_story(store, "alice", test=True, out_dir=tmp_path / "test")
    training_story = export_story(store, "alice", test=False, out_dir=tmp_path / "train")
    [steps] = YAMLStoryReader(DOMAIN).read_from_file(test_story)
    users = [e for e in steps.events if isinstance(e, UserUttered)]
    assert [(u.text, u.intent_name) for u in users][:2] == [("hej", "greet"), ("xqzv blorp", "nlu_fallback")]
    assert [e.action_name for e in steps.events if isinstance(e, ActionExecuted)][:2] == ["utter_greet", "utter_ask_rephrase"]
    stories = yaml.safe_load(training_story.read_text())["stories"]
    assert stories[0]["steps"][0] == {"intent": "greet"} and "user" not in str(stories)
    assert export_story(store, "nobody", test=False, out_dir=tmp_path) is None


@pytest.mark.parametrize(
    "ranking, core_fallback, reason",
    [
        ([("greet", 0.95), ("goodbye", 0.03)], False, None),
        ([("nlu_fallback", 0.5), ("greet", 0.45), ("thank", 0.3)], False, "confidence below 0.5"),
        ([("greet", 0.6), ("goodbye", 0.55)], False, "top two intents within 0.1"),
        ([("nlu_fallback", 0.5), ("other_language", 0.95)], False, "the NLU fell back (nlu_fallback)"),
        ([("affirm", 0.84), ("goodbye", 0.09)], True, "the dialogue fell back (action_default_fallback)"),
    ],
    ids=["sure", "low", "ambiguous", "other-fallback", "dialogue-fallback"],
)
def test_unsure_reasons(ranking, core_fallback, reason):
    prediction = uncertainty(parse_data("x", ranking), threshold=0.5, ambiguity=0.1, core_fallback=core_fallback)
    assert (prediction.reason if prediction else None) == reason
