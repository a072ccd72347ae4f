"""A request for a person is handed off, even when DIET reads it as a request for advice.

"jeg vil gerne tale med en rådgiver" and "kan jeg ringe til nogen og faa hjaelp" share
most of their words and character n-grams with request_advice ("jeg vil gerne have
rådgivning", "kan du hjælpe mig"), so DIET may start the guided advice where the user
asked for a person, and the user never gets the phone number. This component, placed
after the intent classifiers and before the fallback classifier, relabels a
request_advice message as request_human when it names a person or a phone call: a
"rådgiver" is a person, "rådgivning" is the guided advice.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.question_first import put_first

logger = logging.getLogger(__name__)

REQUEST_ADVICE, REQUEST_HUMAN = "request_advice", "request_human"
# Words naming a person or a call, with and without æ/ø/å ("rådgiveren", "raadgiver",
# "ringe", "telefonnummer"), and "tale/snakke med nogen/en ..." ("kan jeg tale med nogen").
PERSON = re.compile(
    r"\b(?:r(?:å|aa|a)dgiver\w*|vejleder\w*|konsulent\w*|medarbejder\w*|sagsbehandler\w*|menneske\w*|"
    r"person(?:en|er|erne)?|ring|ringe|ringes|ringer|opringning|telefon\w*|tlf\w*)\b"
    r"|\b(?:tale|snakke|snak)\s+med\s+(?:nogen|en|et)\b",
    re.IGNORECASE,
)


def names_a_person(text: str) -> bool:
    """True if `text` asks for a person or a call ("tal med en rådgiver", "kan jeg ringe"),
    not for the guided advice ("jeg vil gerne have rådgivning")."""
    return PERSON.search(text) is not None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonFirst(GraphComponent):
    """Relabels request_advice as request_human for a message that names a person or a call."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonFirst:
        """The component; it has nothing to learn or configure."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Relabels each request_advice message that names a person (see the module docstring)."""
        for message in messages:
            if (message.get(INTENT) or {}).get("name") == REQUEST_ADVICE and names_a_person(message.get(TEXT) or ""):
                put_first(message, REQUEST_HUMAN)
                logger.debug("A request for advice that names a person: handed off as request_human.")
        return messages
