"""Ranks the knowledge items (knowledge/knowledge_base.yml) against a message.

The ResponseSelector picks the faq key (the topic); this component, placed after it,
picks the item of the topic that answers the specific question, so the answer can
start with the fee, the deadline or the "no" the user asked for.

It learns from the NLU examples that carry `metadata: {item: <id>}` and from the
items' own texts, with scikit-learn: TF-IDF over character n-grams (robust to typos,
compounds and spellings without æ/ø/å) and a logistic regression. A second logistic
regression over the same features learns the topic of every faq example and item text.

The topic: the ResponseSelector's topic confidences are averaged with the second
model's (`topic_weight` of the latter), and the average replaces the ResponseSelector's
selection in the parse data (`response_selector.faq`: the chosen key, its confidence
and the ranking), so the answer, the fallback's faq_threshold and "Mener du …?" all use
it. Measured on tests/eval/ (docs/retrieval.md): the two models err on different
messages, and the average is better calibrated than either.
The items: a message's item scores are combined with those topic confidences
(score = P(item) · P(topic of item), normalised), so the ranking agrees with the topic.
An item written for some company forms only (its `company_forms`, e.g. I/S and K/S)
counts FORM_MISMATCH as much when the message names only other forms ("kan et aps
blive rsv" is not the I/S question), and NO_FORM_NAMED as much when it names none.

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
from typing import Any, Dict, FrozenSet, List, Optional, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
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
RANKING_LENGTH = 10  # items in knowledge_item.ranking, topics in the response selector's ranking
# A topic missing from the ResponseSelector's ranking (it keeps the top 10) counts
# as this confidence, so its items stay in the ranking, far below.
UNRANKED_TOPIC_CONFIDENCE = 1e-4
COMPANY_FORM = "company_form"  # the entity naming a company form ("aps", "forening")
# A free-guidance question that names a municipality ("gratis sparring i vordingborg?") is
# answered by the item naming the municipality's Erhvervshus (its variations of
# utter_faq/free_guidance, chosen by the asked_municipality slot: scripts/knowledge/build.py).
MUNICIPALITY, LOCAL_TOPIC, LOCAL_ITEM = "municipality", "free_guidance", "free_guidance_which_house"
FORM_MISMATCH = 0.1  # the weight of an item for other company forms than the message names
NO_FORM_NAMED = 0.5  # the weight of an item for some company forms only, when the message names none


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


def topic_training_texts(training_data: TrainingData, items: Tuple[Item, ...]) -> Tuple[List[str], List[str]]:
    """The texts and faq keys ("funding") to learn the topic from: every faq example, then each item's text."""
    texts, labels = [], []
    for example in training_data.intent_examples:
        full_intent = example.get_full_intent() or ""
        if example.get(INTENT) == RETRIEVAL_INTENT and "/" in full_intent:
            texts.append(example.get(TEXT))
            labels.append(full_intent.split("/", 1)[1])
    texts += [item.text for item in items]
    labels += [item.topic for item in items]
    return texts, labels


def _text_model(C: float) -> Pipeline:
    """TF-IDF of folded character n-grams 2-5 and a logistic regression (docs/retrieval.md)."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold)),
        ("classifier", LogisticRegression(C=C, max_iter=3000)),
    ])


def _prepare_for_prediction(model: Pipeline) -> None:
    """Stores the fitted logistic regression's weights column-major, in place; predictions stay the same.

    scikit-learn scores a message as `X @ coef_.T` (X: the sparse TF-IDF row). With the
    row-major `coef_` that `fit` leaves, SciPy copies the whole weight matrix (classes ×
    n-grams, 8.8 MB for the items) on every message first: 3.8 ms per message for the item
    model, 0.8 ms without the copy (docs/benchmarks.md).
    """
    classifier = model.named_steps["classifier"]
    classifier.coef_ = np.asfortranarray(classifier.coef_)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ItemSelector(GraphComponent):
    """Ranks knowledge items and sets the `knowledge_item` entity (see the module docstring).

    Config:
        threshold: the least share (0-1) of its topic's item scores at which the best
            item is named as the entity; below it the topic's lead item is.
        C: the inverse regularisation strength of the logistic regressions.
        topic_weight: the weight (0-1) of the text model's topic confidences in the
            average with the ResponseSelector's; 0 leaves the ResponseSelector's selection.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """threshold 0.2, C 10, topic_weight 0.5 (measured in docs/retrieval.md)."""
        return {"threshold": 0.2, "C": 10.0, "topic_weight": 0.5}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Pipeline] = None,
        topics: Optional[Dict[str, str]] = None,
        leads: Optional[Dict[str, str]] = None,
        topic_model: Optional[Pipeline] = None,
        responses: Optional[Dict[str, List[Dict[str, Any]]]] = None,
        forms: Optional[Dict[str, List[str]]] = None,
    ) -> None:
        """Keeps the config, where to persist, the fitted item model, {item: topic},
        {topic: lead item}, the fitted topic model, {"utter_faq/<key>": responses} and
        {item: its company forms} for the items written for some forms only."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.topics = topics or {}
        self.leads = leads or {}
        self.topic_model = topic_model
        self.responses = responses or {}
        self.forms = forms or {}

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
        """Fits the item ranking on the item-tagged examples and the item texts of
        knowledge/, and the topic model on all faq examples and the item texts.

        Raises:
            ValueError: see `item_training_texts`.
        """
        items = load_items()
        model = _text_model(self._config["C"]).fit(*item_training_texts(training_data, items))
        topic_model = _text_model(self._config["C"]).fit(*topic_training_texts(training_data, items))
        responses = {key: value for key, value in training_data.responses.items()
                     if key.startswith(f"utter_{RETRIEVAL_INTENT}/")}
        topics = {item.id: item.topic for item in items}
        forms = {item.id: list(item.company_forms) for item in items if "all" not in item.company_forms}
        leads: Dict[str, str] = {}
        for item in items:
            if item.faq:
                leads.setdefault(item.topic, item.id)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump({"model": model, "topics": topics, "leads": leads, "topic_model": topic_model,
                         "responses": responses, "forms": forms}, directory / MODEL_FILE)
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
        for name in ("model", "topic_model"):
            if saved.get(name) is not None:
                _prepare_for_prediction(saved[name])
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
        topic_confidences = self.topic_confidences(text, _topic_confidences(message))
        if topic_confidences:
            self._select_topic(message, topic_confidences)
        ranking = self.rank(text, topic_confidences, _company_forms(message))
        best = ranking[0]
        message.set(KNOWLEDGE_ITEM, {**best, "ranking": ranking[:RANKING_LENGTH]}, add_to_output=True)
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == RETRIEVAL_INTENT:
            self._add_entity(message, ranking, text)

    def topic_confidences(self, text: str, selector: Dict[str, float]) -> Dict[str, float]:
        """{faq key: confidence}, summing to 1: the ResponseSelector's `selector` averaged
        with the topic model's, the latter weighted `topic_weight` (empty: `selector` empty)."""
        weight = self._config["topic_weight"]
        if not selector or not weight or self.topic_model is None:
            return selector
        text_model = dict(zip(self.topic_model.classes_, self.topic_model.predict_proba([text])[0], strict=True))
        keys = set(selector) | set(text_model)
        mixed = {key: (1 - weight) * selector.get(key, 0.0) + weight * float(text_model.get(key, 0.0)) for key in keys}
        total = sum(mixed.values()) or 1.0
        return {key: value / total for key, value in mixed.items()}

    def _select_topic(self, message: Message, confidences: Dict[str, float]) -> None:
        """Replaces the ResponseSelector's faq selection with the best of `confidences`."""
        selectors = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
        ranking = sorted(confidences.items(), key=lambda entry: -entry[1])[:RANKING_LENGTH]
        key, confidence = ranking[0]
        full_key = f"{RETRIEVAL_INTENT}/{key}"
        selectors[RETRIEVAL_INTENT] = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(f"utter_{full_key}", []),
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: full_key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{full_key}",
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {"id": index, PREDICTED_CONFIDENCE_KEY: value, INTENT_RESPONSE_KEY: f"{RETRIEVAL_INTENT}/{name}"}
                for index, (name, value) in enumerate(ranking)],
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)

    def rank(self, text: str, topic_confidences: Dict[str, float],
             company_forms: FrozenSet[str] = frozenset()) -> List[Dict[str, Any]]:
        """All items, best first: [{"id", "topic", "confidence"}], confidences summing to 1.

        Args:
            text: the message.
            topic_confidences: {faq key: confidence} (see `topic_confidences`); empty: items alone.
            company_forms: the company forms the message names ("aps"); empty: none.
        """
        if self.model is None:
            return []
        probabilities = self.model.predict_proba([text])[0]
        classes = self.model.classes_
        if topic_confidences:
            weights = np.array([topic_confidences.get(self.topics[c], UNRANKED_TOPIC_CONFIDENCE) for c in classes])
            probabilities = probabilities * weights
        probabilities = probabilities * np.array([self.form_weight(c, company_forms) for c in classes])
        probabilities = probabilities / probabilities.sum()
        order = np.argsort(-probabilities)
        return [{"id": classes[i], "topic": self.topics[classes[i]], "confidence": float(probabilities[i])} for i in order]

    def form_weight(self, item_id: str, company_forms: FrozenSet[str]) -> float:
        """The weight (0-1) of an item's score for the company forms a message names: 1 for an
        item of all forms or of a named form, FORM_MISMATCH for one of other forms only, and
        NO_FORM_NAMED for one of some forms only when the message names none ("kan vi blive
        rsv med det" after the ApS answer is not the I/S and K/S question)."""
        if item_id not in self.forms:
            return 1.0
        if not company_forms:
            return NO_FORM_NAMED
        return 1.0 if names_a_form(company_forms, self.forms[item_id]) else FORM_MISMATCH

    def _add_entity(self, message: Message, ranking: List[Dict[str, Any]], text: str) -> None:
        topic = _selected_topic(message) or ranking[0]["topic"]
        in_topic = [entry for entry in ranking if entry["topic"] == topic]
        share = in_topic[0]["confidence"] / sum(entry["confidence"] for entry in in_topic)
        item_id = in_topic[0]["id"] if share >= self._config["threshold"] else self.leads.get(topic, in_topic[0]["id"])
        if topic == LOCAL_TOPIC and any(e.get("entity") == MUNICIPALITY for e in message.get(ENTITIES) or []):
            item_id = LOCAL_ITEM if any(entry["id"] == LOCAL_ITEM for entry in ranking) else item_id
        entity = {"entity": KNOWLEDGE_ITEM, "value": item_id, "start": 0, "end": len(text),
                  "confidence": float(share), "extractor": self.__class__.__name__}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)


def _topic_confidences(message: Message) -> Dict[str, float]:
    """{faq key: confidence} from the ResponseSelector's ranking of the message (may be empty)."""
    selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
    return {entry["intent_response_key"].split("/", 1)[-1]: float(entry["confidence"])
            for entry in selector.get("ranking") or []}


def names_a_form(mentioned: FrozenSet[str], forms: List[str]) -> bool:
    """True if a mentioned company form is one of `forms`; a form of 4 or more letters
    also counts inside a longer word ("beboerforening", "foreningens" name "forening")."""
    return any(form == word or (len(form) >= 4 and form in word) for form in forms for word in mentioned)


def _company_forms(message: Message) -> FrozenSet[str]:
    """The company forms the message names: the values of its company_form entities ("aps")."""
    return frozenset(str(e.get("value")).lower() for e in message.get(ENTITIES) or [] if e.get("entity") == COMPANY_FORM)


def _selected_topic(message: Message) -> Optional[str]:
    """The faq key the ResponseSelector chose, e.g. "funding" (None: no selection)."""
    selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RETRIEVAL_INTENT) or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return key.split("/", 1)[-1] if key else None
