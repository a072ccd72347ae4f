"""The guided advice: asking the form's questions, and composing advice fitted to the answers."""

from __future__ import annotations

import re
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge import (
    ALL_FORMS,
    COMPANY_FORM_LABELS,
    PHASE_LABELS,
    UNKNOWN_OR_SKIPPED,
    Item,
    advice,
    load_items,
    load_municipalities,
    load_topics,
)
from actions.normalise import find_value
from actions.prompts import INTRO, QUESTIONS, known_phase, slot_buttons
from actions.replies import source_line, source_reply
from actions.transcript import previous_reply
from actions.validation import MISSES_SLOT

RECENT_REPLIES = 3  # replies within which the same municipality's guidance is not said again
ERHVERVSHUSE_SOURCE = "https://www.kl.dk/kommunale-opgaver/erhvervsudvikling/erhvervsfremmesystemet/erhvervshuse"


def _who(phase: Optional[str], company_form: Optional[str]) -> str:
    """E.g. "for en forening i udviklingsfasen", "i driftsfasen"; empty if neither is known."""
    form, phase_label = COMPANY_FORM_LABELS.get(company_form or ""), PHASE_LABELS.get(phase or "")
    if form:
        return f"for {form} i {phase_label}" if phase_label else f"for {form}"
    return f"i {phase_label}" if phase_label else ""


def local_guidance(municipality: Optional[str]) -> Optional[str]:
    """Sentences naming the municipality's erhvervsservice, its Erhvervshus and, where the house
    has a branch office in the municipality, that branch; or None.

    Args:
        municipality: an official municipality name, e.g. "Aarhus"; anything else gives None.
    """
    place = load_municipalities().get(municipality or "")
    if place is None:
        return None
    house = place.erhvervshus
    extra = "".join(f" {text}" for text in (place.branch and f"Huset har en afdeling i {place.branch}.", place.note) if text)
    return (
        f"I {place.official_name} giver erhvervsservice den første vejledning, og kommunen hører "
        f"til {house.name} i {house.city}, som giver specialiseret vejledning.{extra} ({source_line(ERHVERVSHUSE_SOURCE)})"
    )


# The most items one piece of advice shows: with the heading and the local guidance at most
# five paragraphs, which the panel found readable (the whole topic was up to nine).
MAX_ADVICE_ITEMS = 3


def _specificity(item: Item, phase: Optional[str], company_form: Optional[str]) -> Tuple[bool, bool]:
    """Sort key: an item written for the user's (known) company form comes first, then one
    written for the user's phase (not for every phase), then the general ones."""
    for_form = company_form not in (None, UNKNOWN_OR_SKIPPED) and ALL_FORMS not in item.company_forms \
        and company_form in item.company_forms
    for_phase = phase is not None and set(item.phases) != set(PHASE_LABELS)
    return (not for_form, not for_phase)


def advice_items(topic: str, phase: Optional[str], company_form: Optional[str]) -> List[Item]:
    """The items one piece of advice shows, in knowledge-base order: of the items that fit
    phase and form (actions.knowledge.advice), the MAX_ADVICE_ITEMS most specific ones
    (_specificity; file order among equals), so the form's and the phase's own items are
    not crowded out by the topic's general ones."""
    fitting = advice(topic, phase, company_form)
    chosen = sorted(fitting, key=lambda item: (_specificity(item, phase, company_form), fitting.index(item)))
    return [item for item in fitting if item in chosen[:MAX_ADVICE_ITEMS]]


def compose_advice(topic: str, phase: Optional[str], company_form: Optional[str], municipality: Optional[str]) -> str:
    """The advice text: a heading, the chosen knowledge items with sources, local guidance.

    Args:
        topic: a faq key, e.g. "funding".
        phase: "etablering", "drift", "udvikling" or None.
        company_form: a contract company_form value, "ukendt" or None.
        municipality: an official municipality name, "ukendt" or None.

    Returns:
        Danish markdown, at most MAX_ADVICE_ITEMS + 2 paragraphs: the heading, the items
        of advice_items, each with its source, and the local guidance if a municipality is known.
    """
    body = [f"{item.text} ({source_line(item.source)})" for item in advice_items(topic, phase, company_form)]
    heading = " ".join(filter(None, [f"Her er mine råd om **{load_topics()[topic].in_sentence}**", _who(phase, company_form)]))
    local = local_guidance(municipality)
    return "\n\n".join([f"{heading}:", *body, *([local] if local else [])])


def _offered_buttons_for_this_message(tracker: Tracker) -> bool:
    """True if validate_advice_form counted a second miss since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == MISSES_SLOT:
            return int(event.get("value") or 0) >= 2
    return False


class AskAction(Action, metaclass=ABCMeta):
    """Asks the form's question for `slot` with its buttons (see actions.prompts).

    Rasa runs action_ask_<slot> when the form requests <slot>.
    """

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot asked for, e.g. "phase"."""

    def name(self) -> Text:
        """action_ask_<slot>."""
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the question and its buttons (actions.prompts.slot_buttons), after INTRO if it is the form's first.

        The form sets `requested_slot` only after asking, so it is still empty when
        the form asks its first question (and set when it asks again after an
        interruption); the first question also resets the count of misses. Right
        after a second miss the question is not asked again: validate_advice_form
        has just offered the buttons instead (actions.validation).
        """
        first = tracker.get_slot("requested_slot") is None
        if not first and _offered_buttons_for_this_message(tracker):
            return []
        text = f"{INTRO}\n\n{QUESTIONS[self.slot]}" if first else QUESTIONS[self.slot]
        dispatcher.utter_message(text=text, buttons=slot_buttons(self.slot, tracker.get_slot("phase")))
        return [SlotSet(MISSES_SLOT, 0)] if first else []


class ActionAskPhase(AskAction):
    """Asks for the phase: etablering, drift or udvikling."""

    slot = "phase"


class ActionAskCompanyForm(AskAction):
    """Asks for the company form, with the common forms and "Ved ikke endnu"."""

    slot = "company_form"


class ActionAskMunicipality(AskAction):
    """Asks for the municipality, which may be skipped."""

    slot = "municipality"


class ActionAskTopic(AskAction):
    """Asks for the topic, offering the topics that fit the phase (buttons /inform{"topic": key})."""

    slot = "topic"


class ActionGiveAdvice(Action):
    """Gives advice fitted to the form's answers, then the handoff to a person."""

    def name(self) -> Text:
        """The action name used in domain.yml and the form's submit rule."""
        return "action_give_advice"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the advice and utter_handoff; clears `topic` so another topic can follow."""
        topic = tracker.get_slot("topic")
        if topic in load_topics():
            text = compose_advice(
                topic,
                known_phase(tracker.get_slot("phase")),
                tracker.get_slot("company_form"),
                tracker.get_slot("municipality"),
            )
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(response="utter_handoff")
        return [SlotSet("topic", None)]


# A place in a sentence follows a preposition ("jeg bor i Hillerød", "vi holder til på Bornholm"):
# so "vejen frem" is not the municipality Vejen. One or two words, for "hoje taastrup".
PLACE_AFTER_PREPOSITION = re.compile(r"(?<!\w)(?:i|på|pa|fra|ved)\s+([\w-]+(?:\s+[\w-]+)?)", re.IGNORECASE)


def named_municipality(latest_message: Dict[str, Any]) -> Optional[str]:
    """The municipality a message names outside the form, or None.

    Args:
        latest_message: Rasa's parse data ({"text", "entities", ...}).

    Returns:
        The official short name ("Hillerød"): the message's `municipality` entity or, where
        the NLU found none, a municipality name (any spelling of æ/ø/å) after "i", "på",
        "fra" or "ved" in the text ("hoje taastrup" read as "hoje-taastrup").
    """
    for entity in latest_message.get("entities") or []:
        if entity.get("entity") == "municipality" and find_value("municipality", entity.get("value")):
            return find_value("municipality", entity.get("value"))
    text = latest_message.get("text")
    places = PLACE_AFTER_PREPOSITION.findall(text) if isinstance(text, str) else []
    for place in places:
        for words in (place, "-".join(place.split()), place.split()[0]):
            if find_value("municipality", words):
                return find_value("municipality", words)
    return None


class ActionLocalGuidance(Action):
    """Names the Erhvervshus of a municipality the user mentions outside the form ("jeg bor i Hillerød")."""

    def name(self) -> Text:
        """The action name used in domain.yml and the rule for facts about the enterprise."""
        return "action_local_guidance"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters local_guidance for the municipality the latest message names (named_municipality)
        and keeps it in the `municipality` slot, so guided advice started next does not ask again;
        says and sets nothing when the message names no known municipality. Said already in the
        last RECENT_REPLIES replies ("er du sikker på det med bornholm?"), it gives its source instead."""
        municipality = named_municipality(tracker.latest_message or {})
        text = local_guidance(municipality)
        if text is None:
            return []
        sourced = next((item for item in load_items() if item.source == ERHVERVSHUSE_SOURCE), None)
        if sourced is not None and text in previous_reply(tracker.events, RECENT_REPLIES):
            text = source_reply(sourced)
        dispatcher.utter_message(text=text)
        return [SlotSet("municipality", municipality)]
