"""Ranks the knowledge items (knowledge/knowledge_base.yml) against a message.

The ResponseSelector picks the faq key (the topic); this component, placed after it,
picks the item of the topic that answers the specific question, so the answer can
start with the fee, the deadline or the "no" the user asked for.

It learns from the NLU examples that carry `metadata: {item: <id>}` and from the
items' own texts, with scikit-learn: TF-IDF over character n-grams (robust to typos,
compounds and spellings without æ/ø/å) and a logistic regression. A message's item
scores are combined with the ResponseSelector's topic confidences
(score = P(item) · P(topic of item), normalised), so the ranking agrees with the topic.

Adds to the parse data:
    knowledge_item: {"id": str, "topic": str, "confidence": float,
                     "ranking": [{"id", "topic", "confidence"}, ...]}  (top 10, all items)
    or None when the message has no letter.
and, for a message whose intent is the retrieval intent `faq`, the entity
`knowledge_item`: the best item of the selected topic when its share of the topic's
scores reaches `threshold`, else the topic's lead item (its first faq item, the one
the topic's general answer starts with). The entity fills the slot `knowledge_item`,
whose value chooses the item's variation of the response utter_faq/<key>.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from actions.knowledge import KNOWLEDGE_ITEM, Item, load_items
from components.danish_text import fold

logger = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
MODEL_FILE = "item_selector.joblib"
RANKING_LENGTH = 10
# A topic missing from the ResponseSelector's ranking (it keeps the top 10) counts
# as this confidence, so its items stay in the ranking, far below.
UNRANKED_TOPIC_CONFIDENCE = 1e-4


def example_item(example: Message) -> Optional[str]:
    """The item id of a training example's `metadata: {item: <id>}` (Rasa keeps it under
    metadata["example"]), or None."""
    return (((example.get("metadata") or {}).get("example")) or {}).get("item")


def item_training_texts(training_data: TrainingData, items: Tuple[Item, ...]) -> Tuple[List[str], List[str]]:
    """The texts and item ids to learn from: the item-tagged examples, then each item's text.

    Raises:
        ValueError: an example names an unknown item, or an item has no example.
    """
    known = {item.id for item in items}
    texts, labels = [], []
    for example in training_data.intent_examples:
        item_id = example_item(example)
        if item_id is None:
            continue
        if item_id not in known:
            raise ValueError(f"training example {example.get(TEXT)!r} names the unknown item {item_id!r}")
        texts.append(example.get(TEXT))
        labels.append(item_id)
    untrained = known - set(labels)
    if untrained:
        raise ValueError(f"items without a training example (metadata: {{item: ...}}): {sorted(untrained)}")
    for item in items:
        texts.append(item.text)
        labels.append(item.id)
    return texts, labels


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ItemSelector(GraphComponent):
    """Ranks knowledge items and sets the `knowledge_item` entity (see the module docstring).

    Config:
        threshold: the least share (0-1) of its topic's item scores at which the best
            item is named as the entity; below it the topic's lead item is.
        C: the inverse regularisation strength of the logistic regression.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """threshold 0.2, C 10 (measured in docs/retrieval.md)."""
        return {"threshold": 0.2, "C": 10.0}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Pipeline] = None,
        topics: Optional[Dict[str, str]] = None,
        leads: Optional[Dict[str, str]] = None,
    ) -> None:
        """Keeps the config, where to persist, the fitted model, {item: topic} and {topic: lead item}."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.topics = topics or {}
        self.leads = leads or {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ItemSelector:
        """An untrained selector."""
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the ranking on the item-tagged examples and the item texts of knowledge/.

        Raises:
            ValueError: see `item_training_texts`.
        """
        items = load_items()
        texts, labels = item_training_texts(training_data, items)
        model = Pipeline([
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold)),
            ("classifier", LogisticRegression(C=self._config["C"], max_iter=3000)),
        ])
        model.fit(texts, labels)
        topics = {item.id: item.topic for item in items}
        leads: Dict[str, str] = {}
        for item in items:
            if item.faq:
                leads.setdefault(item.topic, item.id)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump({"model": model, "topics": topics, "leads": leads}, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ItemSelector:
        """Loads what `train` persisted.

        Raises:
            ValueError: the model has no item selector (retrain).
        """
        with model_storage.read_from(resource) as directory:
            saved = joblib.load(directory / MODEL_FILE)
        return cls({**cls.get_default_config(), **config}, model_storage, resource, **saved)

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds `knowledge_item` (and, for faq messages, the entity) to each message."""
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if self.model is None or not any(char.isalpha() for char in text):
            message.set(KNOWLEDGE_ITEM, None, add_to_output=True)
            return
        ranking = self.rank(text, _topic_confidences(message))
        best = ranking[0]
        message.set(KNOWLEDGE_ITEM, {**best, "ranking": ranking[:RANKING_LENGTH]}, add_to_output=True)
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == RETRIEVAL_INTENT:
            self._add_entity(message, ranking, text)

    def rank(self, text: str, topic_confidences: Dict[str, float]) -> List[Dict[str, Any]]:
        """All items, best first: [{"id", "topic", "confidence"}], confidences summing to 1.

        Args:
            text: the message.
            topic_confidences: {faq key: ResponseSelector confidence}; empty: items alone.
        """
        if self.model is None:
            return []
        probabilities = self.model.predict_proba([text])[0]
        classes = self.model.classes_
        if topic_confidences:
            weights = np.array([topic_confidences.get(self.topics[c], UNRANKED_TOPIC_CONFIDENCE) for c in classes])
            probabilities = probabilities * weights
        probabilities = probabilities / probabilities.sum()
        order = np.argsort(-probabilities)
        return [{"id": classes[i], "topic": self.topics[classes[i]], "confidence": float(probabilities[i])} for i in order]

    def _add_entity(self, message: Message, ranking: List[Dict[str, Any]], text: str) -> None:
        topic = _selected_topic(message) or ranking[0]["topic"]
        in_topic = [entry for entry in ranking if entry["topic"] == topic]
        share = in_topic[0]["confidence"] / sum(entry["confidence"] for entry in in_topic)
        item_id = in_topic[0]["id"] if share >= self._config["threshold"] else self.leads.get(topic, in_topic[0]["id"])
        entity = {"entity": KNOWLEDGE_ITEM, "value": item_id, "start": 0, "end": len(text),
                  "confidence": float(share), "extractor": self.__class__.__name__}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)


def _topic_confidences(message: Message) -> Dict[str, float]:
    """{faq key: confidence} from the ResponseSelector's ranking of the message (may be empty)."""
    selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
    return {entry["intent_response_key"].split("/", 1)[-1]: float(entry["confidence"])
            for entry in selector.get("ranking") or []}


def _selected_topic(message: Message) -> Optional[str]:
    """The faq key the ResponseSelector chose, e.g. "funding" (None: no selection)."""
    selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return key.split("/", 1)[-1] if key else None
