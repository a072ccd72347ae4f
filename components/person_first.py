"""A request for a person is handed off, even when DIET reads it as a request for advice.

"jeg vil gerne tale med en rådgiver" and "kan jeg ringe til nogen og faa hjaelp" share
most of their words and character n-grams with request_advice ("jeg vil gerne have
rådgivning", "kan du hjælpe mig"), so DIET may start the guided advice where the user
asked for a person, and the user never gets the phone number. This component, placed
after the intent classifiers and before the fallback classifier, relabels a
request_advice message as request_human when it names a person or a phone call: a
"rådgiver" is a person, "rådgivning" is the guided advice.

A question for Erhvervsstyrelsen's phone number or opening hours ("hvad er
hovednummeret så", "jeg har ringet i en time, hvornår har I åbent??") is
request_human too, whatever intent DIET gave it (follow_up, out_of_scope, …), except
a knowledge question (faq: "koster et cvr nummer penge") and the intents that end or
leave the conversation: action_handoff then gives the numbers at once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from actions.normalise import fold
from components.question_first import put_first
from components.relabelling import Relabelling

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


# Folded (æ/ø/å as a/o): a phone number or Erhvervsstyrelsen's opening hours, not a CVR, P,
# SE, account or law number, nor a shop's hours ("hvornår har netto åbent" is out of scope).
NUMBER_OR_HOURS = re.compile(
    r"\b(?:hoved|telefon|tlf|omstillings)(?:nummer|nummeret|nr)\b|\btelefon\b|\btlf\b|\bomstilling\w*"
    r"|\bnummer(?:et)? (?:til|pa|hos) (?:jer|dem|erhvervsstyrelsen|radgiv\w*|vejledning\w*)\b"
    r"|\b(?:hvad|hvilket) (?:er|var) (?:jeres |deres )?nummer(?:et)?\b"
    r"|\b(?:har|er) (?:i|de|jeres|i nu|i overhovedet) (?:\w+ )?abent\b|\b(?:jeres|deres) abningstid\w*"
    r"|\babningstid\w* (?:hos|for|pa) (?:jer|dem|erhvervsstyrelsen|telefonen)\b"
)
OTHER_NUMBERS = re.compile(r"\b(?:cvr|p|se|konto|moms|reg|lov|sags|ordre|faktura)\W?(?:nummer|nummeret|nr)\b|\bcvr\b")
# Intents a number question keeps: a knowledge question, and what ends or leaves the conversation.
KEEPS_INTENT = ("faq", REQUEST_HUMAN, "goodbye", "thank", "deny", "stop", "other_language")


def asks_for_number(text: str) -> bool:
    """True if `text` asks for Erhvervsstyrelsen's phone number or opening hours
    ("hvad er hovednummeret så", "hvornår har i åbent??"), not for a CVR number."""
    folded = fold(text)
    return NUMBER_OR_HOURS.search(folded) is not None and OTHER_NUMBERS.search(folded) is None


def names_a_person(text: str) -> bool:
    """True if `text` asks for a person or a call ("tal med en rådgiver", "kan jeg ringe"),
    not for the guided advice ("jeg vil gerne have rådgivning")."""
    return PERSON.search(text) is not None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonFirst(Relabelling):
    """Relabels request_advice as request_human for a message that names a person or a call,
    and most intents for a question for the phone number (see the module docstring)."""

    def relabel(self, message: Message, intent: Any, text: str) -> None:
        """Relabels a request for a person or for the phone number as request_human (see the module docstring)."""
        if intent == REQUEST_ADVICE and names_a_person(text):
            put_first(message, REQUEST_HUMAN)
            logger.debug("A request for advice that names a person: handed off as request_human.")
        elif intent not in KEEPS_INTENT and asks_for_number(text):
            put_first(message, REQUEST_HUMAN, sure=True)
            logger.debug("A question for the phone number or opening hours: handed off as request_human.")
