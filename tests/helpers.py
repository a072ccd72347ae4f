"""Helpers the tests share: where test output goes, and talking to a Rasa server over REST.

Import them from here (`from tests.helpers import texts`); tests/conftest.py holds
only fixtures and the marker that sorts tests into the fast lane (see there).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from scripts.paths import ROOT

OUTPUT = ROOT / "test-output"  # logs and reports of the test run (gitignored)


def post(url: str, body: bytes, timeout_s: float = 60) -> Union[http.client.HTTPResponse, urllib.error.HTTPError]:
    """POSTs `body` as JSON; returns the response, also for 4xx/5xx (as HTTPError); `timeout_s` in s."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        return error


def texts(messages: List[Dict[str, Any]]) -> str:
    """All bot texts of a reply ([{"recipient_id", "text", ...}]) joined by newlines."""
    return "\n".join(m.get("text", "") for m in messages)


def classification_report(f1: Dict[str, float], support: int = 8, accuracy: Optional[float] = None) -> Dict[str, Any]:
    """A classification report shaped like `rasa test nlu`'s intent_report.json.

    Args:
        f1: F1 (0..1) by label; precision and recall are set to the same value.
        support: test examples per label.
        accuracy: the report's accuracy (default: the macro-F1).
    """
    rows: Dict[str, Any] = {
        label: {"precision": value, "recall": value, "f1-score": value, "support": support} for label, value in f1.items()
    }
    macro = sum(f1.values()) / len(f1)
    rows["accuracy"] = macro if accuracy is None else accuracy
    rows["macro avg"] = {"precision": macro, "recall": macro, "f1-score": macro, "support": support * len(f1)}
    rows["weighted avg"] = dict(rows["macro avg"])
    return rows


# --- stored conversations, built from real Rasa events ------------------------------------

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
T0 = 1_796_034_900.0  # Unix time (s) the test conversations start at


def parse_data(
    text: str, ranking: List[Tuple[str, float]], faq_key: Optional[str] = None, entities: Iterable[Dict[str, Any]] = ()
) -> Dict[str, Any]:
    """parse_data as Rasa stores it with a user message.

    Args:
        ranking: [(intent, confidence)], nlu_fallback first if it fired.
        faq_key: the selected response key ("faq/funding") if the intent is faq.
        entities: as Rasa extracted them.
    """
    intent = {"name": ranking[0][0], "confidence": ranking[0][1]}
    data: Dict[str, Any] = {"intent": intent, "entities": list(entities), "text": text,
            "intent_ranking": [{"name": name, "confidence": conf} for name, conf in ranking],
            "response_selector": {"all_retrieval_intents": ["faq"]}}
    if faq_key:
        data["response_selector"]["faq"] = {"response": {"intent_response_key": faq_key, "confidence": 0.4},
                                            "ranking": [{"intent_response_key": faq_key, "confidence": 0.4}]}
    return data


def turn(text: str, ranking: List[Tuple[str, float]], action: str, at: float, **kwargs: Any) -> List[Event]:
    """The events of one user message answered by `action` at Unix time `at` (s); kwargs as for parse_data."""
    data = parse_data(text, ranking, **kwargs)
    return [
        UserUttered(text, data["intent"], data["entities"], data, timestamp=at),
        ActionExecuted(action, timestamp=at + 0.1),
        BotUttered("svar", timestamp=at + 0.2),
        ActionExecuted("action_listen", timestamp=at + 0.3),
    ]


def conversation(sender_id: str, *turns: List[Event]) -> DialogueStateTracker:
    """A tracker of a session started at T0 with `turns` (see `turn`), as the tracker store returns it."""
    start = [ActionExecuted("action_session_start", timestamp=T0), SessionStarted(timestamp=T0),
             ActionExecuted("action_listen", timestamp=T0)]
    return DialogueStateTracker.from_events(sender_id, start + [e for t in turns for e in t], slots=DOMAIN.slots)


# --- reports as `rasa test nlu` writes them ------------------------------------------------


def write_nlu_reports(folder: Path, intent_errors: Sequence[str], faq_errors: Sequence[str]) -> Path:
    """Writes the reports of a `rasa test nlu` run on 10 messages (4 faq questions) into `folder`.

    The intent report says accuracy 0.8, the faq report 0.75; there is no entity report.
    `intent_errors` and `faq_errors` are the texts with a wrong intent (greet taken for
    faq) and a wrong faq answer (faq/funding taken for faq/growth). Returns `folder`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    reports = {
        "intent_report.json": {"greet": {"f1-score": 0.7, "support": 10}, "accuracy": 0.8,
                               "macro avg": {"f1-score": 0.7, "support": 10}},
        "response_selection_report.json": {"faq/funding": {"f1-score": 0.6, "support": 4}, "accuracy": 0.75,
                                           "macro avg": {"f1-score": 0.6, "support": 4}},
        "intent_errors.json": [{"text": t, "intent": "greet", "intent_prediction": {"name": "faq"}} for t in intent_errors],
        "response_selection_errors.json": [
            {"text": t, "intent_response_key_target": "faq/funding", "intent_response_key_prediction": {"name": "faq/growth"}}
            for t in faq_errors
        ],
    }
    for name, content in reports.items():
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
    return folder


# --- a knowledge answer and the message after it, as the follow-up logic sees them (no model) ----------

def items_text(*ids: str) -> str:
    """The texts of these knowledge items joined as an answer shows them."""
    from actions.knowledge import load_items

    texts_by_id = {item.id: item.text for item in load_items()}
    return "\n\n".join(texts_by_id[i] for i in ids)


def knowledge_then(question: str, key: str, answer: str, text: str, intent: str = "faq", item: Optional[str] = None,
                 confidence: float = 0.6) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """(events, latest parse data): a knowledge question on faq key `key` answered with `answer`, then `text`
    with `intent` and, if given, the item selector's `item` (an item id) at `confidence` (0-1)."""
    from actions.knowledge import load_items

    asked = {"intent": {"name": "faq"}, "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{key}"}}}}
    latest: Dict[str, Any] = {"text": text, "intent": {"name": intent}}
    if item:
        topic = {i.id: i.topic for i in load_items()}[item]
        latest["knowledge_item"] = {"id": item, "topic": topic, "confidence": confidence,
                                    "ranking": [{"id": item, "topic": topic, "confidence": confidence}]}
        latest["response_selector"] = {"faq": {"response": {"intent_response_key": f"faq/{topic}"}}}
    events: List[Dict[str, Any]] = [{"event": "user", "text": question, "parse_data": asked}, {"event": "bot", "text": answer},
                                    {"event": "user", "text": text, "parse_data": latest}]
    return events, latest
