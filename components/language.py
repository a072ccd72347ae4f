"""Messages in another language than Danish, recognised before the intent classifier.

`LanguageIdentifier` (early in the pipeline, before DIET) asks lingua
(lingua-language-detector, whose language models ship inside the package: nothing is
downloaded at run time) which language a message is in, and records it in the parse
data as `language`. `OtherLanguageClassifier` (after the intent classifiers) then
makes the intent `other_language` for a message recorded as foreign, whatever DIET
thought.

Short Danish messages without æ/ø/å ("tak for hjaelpen", "hvornaar skal vi betale
moms") look foreign to every detector, so a message counts as foreign only if
- it has at least MIN_WORDS words and no markup,
- lingua names a language outside Scandinavia (Danish, Norwegian and Swedish readers
  are answered in Danish), and
- fewer than DANISH_SHARE of its words are Danish words known from the training data
  (or compounds of them), spelled with or without æ/ø/å, and
- at least FOREIGN_SHARE of its words are words of the language lingua names, by the
  word lists of wordfreq (inside its package, like lingua's models): lingua names a
  language for anything, also keyboard mash ("xqzw vbnmk plorft" reads as German),
  which must fall back instead.
Measured in docs/retrieval.md: 99.5 % of the held-out Danish messages written without
æ/ø/å stay Danish, 93 % of the foreign training messages are caught.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any, Dict, FrozenSet, List, Optional, Text

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file
from wordfreq import zipf_frequency

from components.danish_text import fold, is_compound_of

logger = logging.getLogger(__name__)

LANGUAGE = "language"  # the parse data key: {"code": "en", "foreign": True}
OTHER_LANGUAGE = "other_language"  # the intent of a whole message in another language
VOCABULARY_FILE = "danish_words.json"
MIN_WORDS = 3
MARKUP = re.compile(r"<[^>]*>")  # "<script>…</script>" is markup, not a language
DANISH_SHARE = 0.67
FOREIGN_SHARE = 0.5  # of the words that must be words of the language lingua names
SCANDINAVIAN = {Language.DANISH, Language.BOKMAL, Language.NYNORSK, Language.SWEDISH}
# The languages users of a Danish web chat write in now and then; fewer languages make
# lingua faster and surer.
CANDIDATES = (*SCANDINAVIAN, Language.ENGLISH, Language.GERMAN, Language.FRENCH, Language.SPANISH,
              Language.ITALIAN, Language.DUTCH, Language.POLISH, Language.UKRAINIAN, Language.ARABIC,
              Language.TURKISH)


@functools.lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """lingua's detector over CANDIDATES, in low-accuracy mode (trigram models: 0.8 ms a
    message, as accurate here as the high-accuracy mode)."""
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode().build()


def _words(text: str) -> List[str]:
    return re.findall(r"[^\W\d_]+", fold(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageIdentifier(GraphComponent):
    """Records each message's language as `language` (see the module docstring)."""

    def __init__(self, model_storage: ModelStorage, resource: Resource, danish: FrozenSet[str] = frozenset()) -> None:
        """Keeps where to persist and the known Danish words (folded, see danish_text.fold)."""
        self._model_storage = model_storage
        self._resource = resource
        self.danish = danish

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> LanguageIdentifier:
        """An untrained identifier (no known Danish word)."""
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the Danish words: those of every example except the other_language ones."""
        danish = {word for example in training_data.intent_examples if example.get(INTENT) != OTHER_LANGUAGE
                  for word in _words(example.get(TEXT) or "")}
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / VOCABULARY_FILE, sorted(danish))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageIdentifier:
        """Loads the Danish words persisted by `train`."""
        with model_storage.read_from(resource) as directory:
            return cls(model_storage, resource, frozenset(read_json_file(directory / VOCABULARY_FILE)))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves the training data as it is (its language is Danish by construction)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `language` on each message: {"code": ISO 639-1 code or None, "foreign": bool}."""
        for message in messages:
            message.set(LANGUAGE, self.identify(message.get(TEXT) or ""), add_to_output=True)
        return messages

    def identify(self, text: str) -> Dict[str, Any]:
        """{"code": e.g. "en" (None: too short to tell), "foreign": bool} for `text`."""
        words = _words(text)
        if len(words) < MIN_WORDS or MARKUP.search(text):
            return {"code": None, "foreign": False}
        language: Optional[Language] = detector().detect_language_of(text)
        code = language.iso_code_639_1.name.lower() if language else None
        if language is None or language in SCANDINAVIAN:
            return {"code": code, "foreign": False}
        danish = sum(1 for word in words if word in self.danish or is_compound_of(word, self.danish))
        if danish / len(words) >= DANISH_SHARE:
            return {"code": code, "foreign": False}
        return {"code": code, "foreign": foreign_word_share(words, code) >= FOREIGN_SHARE}


def foreign_word_share(words: List[str], code: Optional[str]) -> float:
    """The share (0-1) of `words` that are words of the language `code` (ISO 639-1, "en")
    in wordfreq's lists (0 for no code); e.g. ["what", "is", "rsv"], "en" -> 0.67."""
    if not code or not words:
        return 0.0
    return sum(1 for word in words if zipf_frequency(word, code) > 0) / len(words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OtherLanguageClassifier(GraphComponent):
    """Makes the intent `other_language` for a message LanguageIdentifier found foreign."""

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> OtherLanguageClassifier:
        """A classifier; it has nothing to learn."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Puts other_language first (confidence 1.0) on foreign messages; leaves the rest."""
        for message in messages:
            if (message.get(LANGUAGE) or {}).get("foreign"):
                intent = {INTENT_NAME_KEY: OTHER_LANGUAGE, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                           if entry.get(INTENT_NAME_KEY) != OTHER_LANGUAGE]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
                logger.debug("Message in %s: intent other_language.", message.get(LANGUAGE)["code"])
        return messages
