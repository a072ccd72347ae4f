"""A concrete question is answered first, even when the message also tells about the user's enterprise.

"Jeg har en enkeltmandsvirksomhed. Kan jeg blive RSV?" reads to DIET like the
openings of request_advice ("jeg driver en enkeltmandsvirksomhed og har brug for
vejledning"), so the guided advice would start instead of the answer. This
component, placed after the ResponseSelector and before the fallback classifier,
relabels a request_advice or inform message as the knowledge question `faq` when
it holds a question that asks for no advice and the ResponseSelector is sure of
its topic. The form still starts when the user asks for advice or accepts it.
A thanks or goodbye that asks a question ("tak. kan jeg se det et sted?") is
relabelled the same way, or as nlu_fallback when the topic is unclear: a message
with a real question is a question, not a goodbye.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.endings import ending

logger = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
RELABELLED = ("request_advice", "inform")
# A thanks or goodbye that also asks something ("tak. kan jeg se det et sted når det er
# godkendt?") is a question: answered as faq when the topic is clear, else asked about
# (nlu_fallback: action_clarify reads it against the answer just given, or asks "Mener du …?").
CLOSINGS = ("thank", "goodbye")
UNCLEAR = "nlu_fallback"
QUESTION_WORDS = (
    "hvad", "hvordan", "hvor", "hvornår", "hvornar", "hvem", "hvilke", "hvilken", "hvilket", "hvorfor",
    "kan", "må", "ma", "skal", "er", "har", "bliver", "gælder", "gaelder", "koster", "findes", "får", "far",
)
# A question with one of these word beginnings asks for advice ("kan du rådgive os?").
ADVICE_WORDS = ("råd", "raad", "rådgiv", "raadgiv", "vejled", "sparring", "hjælp", "hjaelp", "guide", "anbefal")


MIN_CLAUSE_WORDS = 3  # a question after a comma needs a few words of its own ("..., er det" is none)


def _opens_with_question_word(text: str) -> bool:
    return text.split()[0].lower().strip(",") in QUESTION_WORDS


def questions(text: str) -> List[str]:
    """The sentences of `text` that are questions: ending in "?" or opening with a question word;
    and in the other sentences, a clause after a comma that opens with one.

    Args:
        text: a user message, e.g. "Jeg har en enkeltmandsvirksomhed. Kan jeg blive RSV?" or
            "hej vi er en forening i odense, skal vi have cvr nummer"

    Returns:
        e.g. ["Kan jeg blive RSV?"], ["skal vi have cvr nummer"]; sentences are split after
        ".", "!" and "?".
    """
    found = []
    for sentence in (s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()):
        if sentence.endswith("?") or _opens_with_question_word(sentence):
            found.append(sentence)
            continue
        found += [clause for clause in (c.strip() for c in sentence.split(",")[1:])
                  if len(clause.split()) >= MIN_CLAUSE_WORDS and _opens_with_question_word(clause)]
    return found


def asks_for_advice(sentence: str) -> bool:
    """True if a word of `sentence` begins like ADVICE_WORDS ("råd", "vejledning", "hjælpe")."""
    return any(word.startswith(ADVICE_WORDS) for word in re.findall(r"\w+", sentence.lower()))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionFirst(GraphComponent):
    """Relabels request_advice/inform as `faq` for a concrete question with a clear topic.

    Config: `min_faq_confidence` (0-1, default 0.6), the ResponseSelector's confidence
    in its topic needed to relabel.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The default threshold."""
        return {"min_faq_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Keeps the threshold."""
        self.min_faq_confidence = float(config["min_faq_confidence"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionFirst:
        """The component with the configured threshold."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Relabels each message that holds a concrete question (see the module docstring)."""
        for message in messages:
            key = self._question_topic(message)
            if key:
                put_first(message, RETRIEVAL_INTENT, full_retrieval_intent_name=key)
                logger.debug("A concrete question in a request_advice/inform message: answered as %s.", key)
            elif self._closing_with_question(message):
                put_first(message, UNCLEAR)
                logger.debug("A thanks or goodbye with an unclear question: asked about, not closed.")
        return messages

    def _closing_with_question(self, message: Message) -> bool:
        """True if a thank/goodbye message holds a question and is no ending (actions.endings)."""
        text = message.get(TEXT) or ""
        return (message.get(INTENT) or {}).get("name") in CLOSINGS and bool(questions(text)) and ending(text) is None

    def _question_topic(self, message: Message) -> Optional[str]:
        """The faq key ("faq/rsv_criteria") if the message should be answered as that question, else None."""
        intent = message.get(INTENT) or {}
        if intent.get("name") in CLOSINGS:
            if not self._closing_with_question(message):
                return None
        elif intent.get("name") not in RELABELLED:
            return None
        asked = [q for q in questions(message.get(TEXT) or "") if not asks_for_advice(q)]
        selected = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
        if not asked or float(selected.get("confidence") or 0) < self.min_faq_confidence:
            return None
        return selected.get("intent_response_key")


def put_first(message: Message, name: str, sure: bool = False, **extra: Any) -> None:
    """Makes `name` the message's intent with the old top intent's confidence; the two swap
    places in the ranking (the old one gets `name`'s confidence, 0 if it was unranked).

    Args:
        message: a parsed message with an intent and an intent ranking.
        name: the new intent, e.g. "faq" or "request_human".
        sure: give `name` confidence 1.0 and halve the others' (a rule that is sure of its
            reading, so neither the fallback classifier's threshold nor its ambiguity rule
            undoes it).
        extra: more keys of the new intent, e.g. full_retrieval_intent_name="faq/funding".
    """
    old = message.get(INTENT)
    ranking = message.get(INTENT_RANKING_KEY) or []
    new_confidence = next((r["confidence"] for r in ranking if r["name"] == name), 0.0)
    swapped = {old["name"]: name, name: old["name"]}
    ranking = [{**r, "name": swapped.get(r["name"], r["name"])} for r in ranking]
    if not any(r["name"] == old["name"] for r in ranking):
        ranking.append({"name": old["name"], "confidence": new_confidence})
    confidence = 1.0 if sure else old["confidence"]
    if sure:
        ranking = [{**r, "confidence": 1.0 if r["name"] == name else r["confidence"] / 2} for r in ranking]
    message.set(INTENT_RANKING_KEY, sorted(ranking, key=lambda r: -r["confidence"]), add_to_output=True)
    message.set(INTENT, {"name": name, "confidence": confidence, **extra}, add_to_output=True)
