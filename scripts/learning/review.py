"""Learning from stored conversations (the tracker store of endpoints.yml).

    python -m scripts.learning.review uncertain [--since YYYY-MM-DD]
        writes results/review/uncertain-<timestamp>.yml: the user messages the model was
        unsure about, in Rasa's NLU YAML format, grouped under the predicted intent
    python -m scripts.learning.review story [SENDER_ID] [--test]
        writes one conversation as a training story (or, with --test, a test story) to
        results/review/; without SENDER_ID lists the most recent conversations

"Unsure" is what the FallbackClassifier in config.yml calls it: the top intent's
confidence is below `threshold`, the top two intents are less than
`ambiguity_threshold` apart, or the NLU predicted nlu_fallback for another reason
(e.g. the vocabulary rule of components.fallback). Messages the dialogue answered
with its own fallback (RulePolicy's core fallback, action_default_fallback) count
too: the NLU was sure there, but the intent did not fit the conversation, which
often means it was wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

import yaml
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_writer.yaml_story_writer import YAMLStoryWriter
from rasa.shared.nlu.training_data.loading import load_data

from channels.redaction import redact_text
from scripts.paths import CONFIG, DOMAIN, ENDPOINTS, NLU_DATA, RESULTS, shown

REVIEW = RESULTS / "review"
FALLBACK_INTENT = "nlu_fallback"
CORE_FALLBACK_ACTION = "action_default_fallback"  # core_fallback_action_name in config.yml
# FallbackClassifier's defaults, used if config.yml has none.
DEFAULT_THRESHOLDS = (0.3, 0.1)
RECENT = 20

REVIEW_HEADER = """\
# Messages the model was unsure about, exported {when} from the tracker store.
# Unsure: top intent confidence below {threshold}, the top two intents within
# {ambiguity} of each other, nlu_fallback for another reason (FallbackClassifier
# in config.yml), or the dialogue answered with its fallback action.
# Each example sits under the intent the model predicted; its metadata gives the
# prediction, the runner-up and the conversation. To learn from them:
#   1. move each example under the intent it really is (intents: domain.yml; faq
#      questions under faq/<key>, keys: data/responses/faq.yml); delete the
#      ones that teach nothing;
#   2. check the entity annotations [text](entity);
#   3. copy the blocks into the matching file in data/nlu/ (metadata may stay:
#      Rasa ignores it), then run `make retrain`.
"""

STORY_HEADER = """\
# Conversation {sender} from the tracker store, exported {when} as a {kind}.
# Rename the story and check every step: fallback turns (nlu_fallback,
# action_default_fallback) are usually not what should happen. Then move it to
# {target} and run `make retrain`.
"""


@dataclass(frozen=True)
class Prediction:
    """An unsure NLU prediction.

    label: the predicted intent, "faq/<key>" for the retrieval intent faq.
    confidence, runner_up_confidence: intent confidences, 0..1.
    reason: why it counts as unsure, e.g. "confidence below 0.5".
    """

    label: str
    confidence: float
    runner_up: Optional[str]
    runner_up_confidence: float
    reason: str


@dataclass(frozen=True)
class Uncertain:
    """A user message the model was unsure about; `timestamp` is Unix time in s, `entities` as Rasa extracted them."""

    text: str
    sender_id: str
    timestamp: float
    prediction: Prediction
    entities: Tuple[Dict[str, Any], ...] = ()


def fallback_thresholds(config_path: Path = CONFIG) -> Tuple[float, float]:
    """(threshold, ambiguity_threshold) of the FallbackClassifier in `config_path`, or Rasa's defaults.

    Any component whose name ends in "FallbackClassifier" counts, so subclasses such
    as components.fallback.VocabularyFallbackClassifier do too.
    """
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        if str(component.get("name", "")).endswith("FallbackClassifier"):
            return component.get("threshold", DEFAULT_THRESHOLDS[0]), component.get("ambiguity_threshold", DEFAULT_THRESHOLDS[1])
    return DEFAULT_THRESHOLDS


def predicted_label(intent: str, parse_data: Dict[str, Any]) -> str:
    """`intent`, or "faq/<key>" if it is a retrieval intent with a selected response.

    Args:
        intent: the intent's name, e.g. "faq".
        parse_data: the NLU result stored with the user message (its "response_selector").
    """
    selector = parse_data.get("response_selector", {})
    if intent in selector.get("all_retrieval_intents", []):
        return selector.get(intent, {}).get("response", {}).get("intent_response_key") or intent
    return intent


def uncertainty(
    parse_data: Dict[str, Any], threshold: float, ambiguity: float, core_fallback: bool = False
) -> Optional[Prediction]:
    """The prediction in `parse_data` (the NLU result Rasa stores with a user message) if it was unsure, else None.

    The FallbackClassifier's own "nlu_fallback" is left out of the ranking, so the real
    top intents are compared. `core_fallback`: the dialogue answered the message with
    its fallback action, which makes a confident prediction count as unsure too.
    """
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    if not ranking:
        return None
    top, second = ranking[0], (ranking[1] if len(ranking) > 1 else {})
    confidence, runner_up = top["confidence"], second.get("confidence", 0.0)
    if confidence < threshold:
        reason = f"confidence below {threshold}"
    elif second and confidence - runner_up < ambiguity:
        reason = f"top two intents within {ambiguity}"
    elif (parse_data.get("intent") or {}).get("name") == FALLBACK_INTENT:
        reason = f"the NLU fell back ({FALLBACK_INTENT})"
    elif core_fallback:
        reason = f"the dialogue fell back ({CORE_FALLBACK_ACTION})"
    else:
        return None
    return Prediction(predicted_label(top["name"], parse_data), confidence, second.get("name"), runner_up, reason)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def normalised(text: str) -> str:
    """`text` in lower case with its whitespace collapsed, so the same message written twice counts once."""
    return " ".join(text.lower().split())


def uncertain_messages(
    trackers: Iterable[DialogueStateTracker], threshold: float, ambiguity: float, since: float = 0.0
) -> List[Uncertain]:
    """The unsure user messages in `trackers` sent at or after `since` (Unix time, s), each text once."""
    found: Dict[str, Uncertain] = {}
    for tracker in trackers:
        for event, prediction in unsure_events(tracker.events, threshold, ambiguity, since):
            if normalised(event.text) not in found:
                entities = tuple(event.parse_data.get("entities") or ())
                found[normalised(event.text)] = Uncertain(event.text.strip(), tracker.sender_id, event.timestamp, prediction, entities)
    return list(found.values())


def unsure_events(
    events: Iterable[Event], threshold: float, ambiguity: float, since: float = 0.0
) -> Iterator[Tuple[UserUttered, Prediction]]:
    """Each user message with text in `events` (one conversation, in order) sent at or after `since` (Unix time, s)
    that the model was unsure about (`uncertainty`), with its prediction; every occurrence, in order."""
    events = list(events)
    for index, event in enumerate(events):
        if not isinstance(event, UserUttered) or not (event.text or "").strip() or event.timestamp < since:
            continue
        answer = next((e.action_name for e in events[index + 1:] if isinstance(e, ActionExecuted)), None)
        prediction = uncertainty(event.parse_data, threshold, ambiguity, answer == CORE_FALLBACK_ACTION)
        if prediction:
            yield event, prediction


def annotated(text: str, entities: Iterable[Dict[str, Any]]) -> str:
    """`text` with the extracted entities marked up as Rasa's training data does: "i [Aarhus](municipality)"."""
    result, end = [], 0
    for entity in sorted(entities, key=lambda e: e.get("start", 0)):
        start, stop = entity.get("start"), entity.get("end")
        if start is None or stop is None or start < end:
            continue
        result += [text[end:start], f"[{text[start:stop]}]({entity['entity']})"]
        end = stop
    return "".join(result) + text[end:]


def review_yaml(messages: List[Uncertain], threshold: float, ambiguity: float) -> str:
    """The review file: Rasa NLU YAML with one block per predicted label, examples with metadata.

    Args:
        messages: the unsure messages.
        threshold, ambiguity: the FallbackClassifier thresholds, named in the header.
    """
    blocks: Dict[str, List[Dict]] = {}
    for message in sorted(messages, key=lambda m: (m.prediction.label, m.prediction.confidence)):
        prediction = message.prediction
        metadata = {
            "predicted": prediction.label,
            "confidence": round(prediction.confidence, 3),
            "runner_up": prediction.runner_up,
            "runner_up_confidence": round(prediction.runner_up_confidence, 3),
            "reason": prediction.reason,
            "conversation": message.sender_id,
            "time": time.strftime("%Y-%m-%d %H:%M", time.localtime(message.timestamp)),
        }
        text = redact_text(annotated(message.text, message.entities))  # again, for messages stored before redaction
        blocks.setdefault(prediction.label, []).append({"text": text, "metadata": metadata})
    content = {"version": "3.1", "nlu": [{"intent": label, "examples": examples} for label, examples in blocks.items()]}
    header = REVIEW_HEADER.format(when=time.strftime("%Y-%m-%d %H:%M"), threshold=threshold, ambiguity=ambiguity)
    return header + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)


def story_yaml(tracker: DialogueStateTracker, test: bool) -> str:
    """The conversation in `tracker` as a YAML story (Rasa's YAMLStoryWriter); a test story, with user texts, if `test`.

    Personal data (channels.redaction) is replaced by placeholders, also in conversations
    stored before the channels redacted it.
    """
    kind, target = ("test story", "tests/test_stories.yml") if test else ("training story", "a file in data/stories/")
    header = STORY_HEADER.format(sender=tracker.sender_id, when=time.strftime("%Y-%m-%d %H:%M"), kind=kind, target=target)
    return header + redact_text(tracker.export_stories(YAMLStoryWriter(), e2e=test))


def open_tracker_store(endpoints: Path = ENDPOINTS, domain: Path = DOMAIN) -> TrackerStore:
    """The tracker store configured in `endpoints` (SQLite tracker.db by default, see storage.tracker_store)."""
    # endpoints.yml names ${ACTION_SERVER_TOKEN} for the action endpoint; Rasa refuses to read
    # the file while it is unset, and reading the tracker store needs no token.
    os.environ.setdefault("ACTION_SERVER_TOKEN", "")
    return TrackerStore.create(AvailableEndpoints.read_endpoints(str(endpoints)).tracker_store, Domain.load(str(domain)))


async def all_trackers(store: TrackerStore) -> List[DialogueStateTracker]:
    """Every stored conversation with all its sessions."""
    trackers = [await store.retrieve_full_tracker(sender_id) for sender_id in await store.keys()]
    return [tracker for tracker in trackers if tracker is not None]


def training_texts(nlu_data: Path = NLU_DATA) -> Set[str]:
    """The normalised texts of the training examples, so messages already labelled are not exported again."""
    return {normalised(m.get("text")) for m in load_data(str(nlu_data)).intent_examples}


def export_uncertain(store: TrackerStore, out_dir: Path = REVIEW, since: float = 0.0) -> Optional[Path]:
    """Writes the review file of unsure messages in `store` not yet in data/nlu/.

    Args:
        store: a tracker store, e.g. `open_tracker_store()`.
        out_dir: where to write "uncertain-<timestamp>.yml".
        since: only messages sent at or after this Unix time (s).

    Returns:
        The file written, or None if there was nothing to export (a line says why).
    """
    threshold, ambiguity = fallback_thresholds()
    trackers = asyncio.run(all_trackers(store))
    known = training_texts()
    messages = [m for m in uncertain_messages(trackers, threshold, ambiguity, since) if normalised(m.text) not in known]
    user_events = [e for t in trackers for e in t.events if isinstance(e, UserUttered) and e.timestamp >= since]
    scope = f"{_count(len(user_events), 'user message')} in {_count(len(trackers), 'conversation')}"
    if not messages:
        print(f"No unsure messages that are not in data/nlu/ yet, among {scope}.")
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"uncertain-{time.strftime('%Y%m%d-%H%M%S')}.yml"
    path.write_text(review_yaml(messages, threshold, ambiguity), encoding="utf-8")
    print(f"Wrote {shown(path)}: {_count(len(messages), 'unsure message')}, among {scope}.")
    return path


def recent_conversations(trackers: List[DialogueStateTracker], limit: int = RECENT) -> List[str]:
    """One line per conversation, most recent first: "<sender_id>  <n> messages  last <time>"."""
    lines = []
    for tracker in sorted(trackers, key=lambda t: t.events[-1].timestamp if t.events else 0, reverse=True)[:limit]:
        messages = sum(isinstance(e, UserUttered) for e in tracker.events)
        last = time.strftime("%Y-%m-%d %H:%M", time.localtime(tracker.events[-1].timestamp)) if tracker.events else "–"
        lines.append(f"{tracker.sender_id:<40} {messages:>4} messages   last {last}")
    return lines


def export_story(store: TrackerStore, sender_id: str, test: bool, out_dir: Path = REVIEW) -> Optional[Path]:
    """Writes the conversation `sender_id` as a story file in `out_dir`; returns it, or None if there is no such conversation."""
    tracker = asyncio.run(store.retrieve_full_tracker(sender_id))
    if tracker is None or not any(isinstance(e, UserUttered) for e in tracker.events):
        print(f"No stored conversation with the id {sender_id!r}. `make story` without CONVERSATION lists them.")
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    safe_id = re.sub(r"[^\w-]", "_", sender_id)[:60]
    path = out_dir / f"{'test-' if test else ''}story-{safe_id}-{time.strftime('%Y%m%d-%H%M%S')}.yml"
    text = story_yaml(tracker, test)
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"Wrote {shown(path)}")
    return path


def _since(value: str) -> float:
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-30: {value!r}") from error


def main() -> None:
    parser = argparse.ArgumentParser(description="Learn from stored conversations.")
    commands = parser.add_subparsers(dest="command", required=True)
    uncertain = commands.add_parser("uncertain", help="export the messages the model was unsure about")
    uncertain.add_argument("--since", type=_since, default=0.0, help="only messages from this date on (YYYY-MM-DD)")
    story = commands.add_parser("story", help="export a conversation as a story; without an id: list conversations")
    story.add_argument("sender_id", nargs="?", help="the conversation's id (sender id)")
    story.add_argument("--test", action="store_true", help="a test story (with the user's texts) for tests/test_stories.yml")
    args = parser.parse_args()

    store = open_tracker_store()
    if args.command == "uncertain":
        export_uncertain(store, since=args.since)
    elif args.sender_id:
        sys.exit(0 if export_story(store, args.sender_id, args.test) else 1)
    else:
        lines = recent_conversations(asyncio.run(all_trackers(store)))
        print("\n".join(lines) if lines else "No conversations stored yet: talk to the assistant with `make run` or `make shell`.")
        if lines:
            print("\nExport one with: make story CONVERSATION=<id>   (add TEST=1 for a test story)")


if __name__ == "__main__":
    main()
