"""Rasa's FallbackClassifier, which also falls back on messages with no known word
and on knowledge questions whose topic the ResponseSelector is unsure of.

DIET gives a confident intent even to a message it has no word for ("?!?",
"<script>…</script>", "xqzv blorp"), because its character n-grams always match
something. A message none of whose words occur in the training data cannot be
understood, so this classifier predicts `nlu_fallback` for it, as it does for low
or ambiguous confidence. The vocabulary is learnt from the NLU training data: the
examples, the entity synonyms and the lookup tables.

A knowledge question (intent `faq`) also falls back when the ResponseSelector's
confidence in its topic is below `faq_threshold`: then the assistant asks "Mener du …?"
(action_clarify) instead of answering from a topic it is unsure of.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, FrozenSet, List, Text, Type

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from actions.knowledge import KNOWLEDGE_ITEM
from components.danish_text import is_compound_of
from components.language import LANGUAGE, OTHER_LANGUAGE

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "vocabulary.json"
FAQ = "faq"  # the retrieval intent of the knowledge questions
REPEATED_LETTER = re.compile(r"(\w)\1{2,}")  # "heeej": a letter typed three or more times


def words(message: Message) -> List[str]:
    """The lower-case tokens of the message's text that contain a letter."""
    return [t.text.lower() for t in message.get(TOKENS_NAMES[TEXT]) or [] if any(c.isalpha() for c in t.text)]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class VocabularyFallbackClassifier(FallbackClassifier):
    """FallbackClassifier (threshold, ambiguity_threshold) plus the no-known-word rule
    and `faq_threshold` (0-1, the least ResponseSelector confidence for the faq topic)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's defaults, and faq_threshold 0 (off)."""
        return {**FallbackClassifier.get_default_config(), "faq_threshold": 0.0}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: FrozenSet[str] = frozenset(),
    ) -> None:
        """Keeps the config, where to persist, and the known words."""
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary

    @classmethod
    def required_components(cls) -> List[Type]:
        """A tokenizer (for the words). The intent classifiers must still come first in
        the pipeline: Rasa's IntentClassifier requirement is dropped only because it
        cannot hold for the training node of a trainable classifier."""
        return [Tokenizer]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VocabularyFallbackClassifier:
        """An untrained classifier (empty vocabulary)."""
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the words of the NLU examples, entity synonyms and lookup tables.

        Synonyms and lookup tables count because a bare answer such as "Lemvig" or
        "vækst" is understood through them, even where no example contains it.
        Persists them as a JSON list of lower-case words.
        """
        phrases = [*training_data.entity_synonyms.keys(), *training_data.entity_synonyms.values()]
        phrases += [element for table in training_data.lookup_tables if isinstance(table.get("elements"), list)
                    for element in table["elements"]]
        vocabulary = {word for example in training_data.nlu_examples for word in words(example)}
        vocabulary.update(word for phrase in phrases for word in re.findall(r"\w+", str(phrase).lower()))
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / VOCABULARY_FILE, sorted(vocabulary))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> VocabularyFallbackClassifier:
        """Loads the vocabulary persisted by `train`.

        Raises:
            ValueError: the model has no vocabulary for this component (retrain).
        """
        with model_storage.read_from(resource) as directory:
            vocabulary = frozenset(read_json_file(directory / VOCABULARY_FILE))
        return cls({**cls.get_default_config(), **config}, model_storage, resource, vocabulary)

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's FallbackClassifier.process; a message it turns into nlu_fallback also
        loses its knowledge_item entity (no answer is given from it), and one without a
        known word its item ranking (no item is close to keyboard mash)."""
        for message in super().process(messages):
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME:
                continue
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != KNOWLEDGE_ITEM]
            message.set(ENTITIES, entities, add_to_output=True)
            if not self.knows_a_word(message) and not (message.get(LANGUAGE) or {}).get("foreign"):
                message.set(KNOWLEDGE_ITEM, None, add_to_output=True)
        return messages

    def knows_a_word(self, message: Message) -> bool:
        """True if any word of the message is known (see `knows`)."""
        return any(self.knows(word) for word in words(message))

    def knows(self, word: str) -> bool:
        """True if the lower-case `word` is in the vocabulary, is so with a letter typed
        three or more times cut to one or two ("heeej", "jaaa"), or is a Danish compound
        of its words ("fleksjobordningen" = "fleksjob" + "ordningen")."""
        spellings = {word, REPEATED_LETTER.sub(r"\1", word), REPEATED_LETTER.sub(r"\1\1", word)}
        return any(spelling in self.vocabulary or is_compound_of(spelling, self.vocabulary) for spelling in spellings)

    def _should_fallback(self, message: Message) -> bool:
        """True for low or ambiguous confidence (Rasa's rules), when no word is known
        (unless components.language found the message foreign: other_language then), or
        for a faq question whose topic confidence is below faq_threshold. Never for a
        message components.language made other_language: its confidence 1.0 is put
        beside DIET's ranking, which Rasa's ambiguity rule would read as a tie."""
        foreign = (message.get(LANGUAGE) or {}).get("foreign")
        if foreign and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == OTHER_LANGUAGE:
            return False
        if super()._should_fallback(message):
            return True
        if not self.knows_a_word(message) and not foreign:
            logger.debug("No known word in %r: predicting nlu_fallback.", message.get(TEXT))
            return True
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == FAQ:
            confidence = faq_confidence(message)
            if confidence < self.component_config["faq_threshold"]:
                logger.debug("faq topic confidence %.2f below faq_threshold: predicting nlu_fallback.", confidence)
                return True
        return False


def faq_confidence(message: Message) -> float:
    """The ResponseSelector's confidence (0-1) in the faq topic it chose (0: none chosen)."""
    selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(FAQ) or {}
    return float((selector.get("response") or {}).get("confidence") or 0.0)
