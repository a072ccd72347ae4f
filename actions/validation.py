"""Slot validation for the guided-advice form `advice_form`.

Each validator turns the user's answer into a contract value (see actions.normalise),
or clears the slot and says, in Danish, what it expects; the form then asks again.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.knowledge import UNKNOWN_OR_SKIPPED
from actions.normalise import find_topic, find_value, says_unknown
from actions.prompts import RETRIES


def _validated(slot: str, value: Optional[str], dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """{slot: value} if value is set; otherwise clears the slot.

    An unusable answer to the question the form asked gets a Danish hint of what it
    expects (RETRIES) before the form asks again. A value picked up from a message
    the form did not ask for (e.g. the opening message) is dropped silently: the form
    asks its question in due course.
    """
    if value is None and tracker.get_slot("requested_slot") == slot:
        dispatcher.utter_message(text=RETRIES[slot])
    return {slot: value}


def _value_or_unknown(entity: str, text: Any) -> Optional[str]:
    return find_value(entity, text) or (UNKNOWN_OR_SKIPPED if says_unknown(text) else None)


class ValidateAdviceForm(FormValidationAction):
    """Validates phase, company_form, topic and municipality of `advice_form`.

    Slot values in: whatever filled the slot (an entity value such as "udvikling",
    a button payload value, or the user's whole answer). Values out: phase in
    etablering/drift/udvikling; company_form a contract value or "ukendt"; topic a
    faq key; municipality an official name or "ukendt" (skipped).
    """

    def name(self) -> Text:
        """The action name used in domain.yml."""
        return "validate_advice_form"

    def validate_phase(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Normalises the phase ("vi er ved at starte op" -> "etablering")."""
        return _validated("phase", find_value("phase", value), dispatcher, tracker)

    def validate_company_form(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Normalises the company form ("et anpartsselskab" -> "aps", "ved ikke endnu" -> "ukendt")."""
        normalised = _value_or_unknown("company_form", value)
        return _validated("company_form", normalised, dispatcher, tracker)

    def validate_topic(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Resolves the topic from a button, a title or a question ("hvad er momsgrænsen?")."""
        return _validated("topic", find_topic(value, tracker.latest_message), dispatcher, tracker)

    def validate_municipality(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Normalises the municipality ("kbh" -> "København"); "spring over"/"nej" -> "ukendt"."""
        normalised = _value_or_unknown("municipality", value)
        return _validated("municipality", normalised, dispatcher, tracker)
