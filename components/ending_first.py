"""An ending is a goodbye, whatever DIET read it as.

"ok endelig" looks like a yes to DIET, "ok jeg ringer til dem i morgen" like a request
for a person, "thanks thats all" is English (other_language), "ok forget it" a yes:
each would get a reply that starts something new (the guided advice, the handoff, the
Danish-only notice). This component, after the intent classifiers and before the
fallback classifier, relabels a message that actions.endings recognises as an ending
(short, no question) as `goodbye` with confidence 1.0, unless DIET already read it as
one of the intents an ending may rightly be (thank, deny, stop, greet: "tak for
hjælpen", "nej tak", "glem det", "hej hej"); a goodbye DIET is unsure of gets
confidence 1.0 too, so the fallback classifier does not ask about it.

A message that leaves and asks in one ("glem det, jeg vil bare vide hvad en rsv er")
is `stop`, with confidence 1.0: the guided advice stops and the question is answered
(actions/meta.py, action_stop).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from actions.endings import ending, question_after_leaving
from components.question_first import put_first
from components.relabelling import Relabelling

logger = logging.getLogger(__name__)

GOODBYE = "goodbye"
# Intents an ending may rightly have: they have their own closing replies.
KEPT = (GOODBYE, "thank", "deny", "stop", "greet")
STOP = "stop"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EndingFirst(Relabelling):
    """Relabels an ending (actions.endings.ending) as `goodbye` (see the module docstring)."""

    def relabel(self, message: Message, intent: Any, text: str) -> None:
        """Relabels an ending that is not already one of KEPT as goodbye, and a leaving with a question as stop."""
        if intent and (intent not in KEPT or intent == GOODBYE) and ending(text):
            put_first(message, GOODBYE, sure=True)
            logger.debug("An ending read as %s: relabelled goodbye.", intent)
        elif intent and intent != STOP and question_after_leaving(text):
            put_first(message, STOP, sure=True)
            logger.debug("Leaving and asking in one, read as %s: relabelled stop.", intent)
