"""Erhvervsstyrelsen's phone line and the handoff texts, read from knowledge/contact.yml.

That file is the one source of the phone number and the handoff wording: the silence
guard is built from it, and tests check domain.yml, the knowledge base and the chat page
against it.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.normalise import fold
from actions.transcript import previous_reply

logger = logging.getLogger(__name__)

CONTACT = Path(__file__).resolve().parent.parent / "knowledge" / "contact.yml"


class ContactError(ValueError):
    """knowledge/contact.yml is missing, malformed or lacks a field or text."""


@functools.lru_cache(maxsize=None)
def _contact(path: Path = CONTACT) -> Dict[str, object]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        fields = {name: str(raw[name]) for name in ("phone", "tel", "switchboard", "switchboard_tel")}
        texts = dict(raw["texts"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise ContactError(f"cannot read the phone number and handoff texts from {path}: {error!r}") from error
    return {**fields, "texts": texts}


def phone() -> str:
    """The phone number as people write it, "72 20 00 30"."""
    return str(_contact()["phone"])


def phone_link() -> str:
    """The phone number as a markdown link the widget makes clickable: "[72 20 00 30](tel:+4572200030)"."""
    return f"[{phone()}](tel:{_contact()['tel']})"


def switchboard() -> str:
    """Erhvervsstyrelsen's main switchboard as people write it, "35 29 10 00"."""
    return str(_contact()["switchboard"])


def switchboard_link() -> str:
    """The switchboard as a markdown link: "[35 29 10 00](tel:+4535291000)"."""
    return f"[{switchboard()}](tel:{_contact()['switchboard_tel']})"


def handoff_text(name: str) -> str:
    """The Danish text `name` of knowledge/contact.yml ("handoff", "on_silence", "numbers", …)
    with the phone links filled in ({phone}, {switchboard}).

    Raises:
        ContactError: the file is unreadable or has no text `name`.
    """
    texts = _contact()["texts"]
    if name not in texts:  # type: ignore[operator]
        raise ContactError(f"no handoff text {name!r} in {CONTACT}")
    return str(texts[name]).format(phone=phone_link(), switchboard=switchboard_link())  # type: ignore[index]


# Folded (actions.normalise.fold) words of a question for the number itself or the opening hours.
NUMBER_WORDS = re.compile(r"\b(\w*nummer\w*|\w*nr|telefon\w*|tlf|omstilling\w*|ringe til|ring til)\b")
HOURS_WORDS = re.compile(r"\b(abent|abningstid\w*|lukket|lukker|abner)\b")
# A caller who could not get through ("jeg har ringet i en time og ingen tager den").
NOT_THROUGH = re.compile(
    r"\bringet\b|\bingen (tager|svarer)\b|\b(kommer|kom|kan ikke komme) ikke igennem\b|\bikke (kommet|komme) igennem\b"
    r"|\boptaget\b|\btelefonko\w*|\b(ventet|sidder i ko|staet i ko)\b")


# Whose number a message asks for when it is not Erhvervsstyrelsen's (folded): the text of contact.yml to say first.
# "deres" and "dem" count when the previous reply named an Erhvervshus or the municipality.
OTHER_PARTIES = (("not_house", re.compile(r"\berhvervshus\w*|\bhuset\b")),
                 ("not_municipality", re.compile(r"\bkommune\w*|\bjobcent\w*")))
THEIRS = re.compile(r"\b(deres|dem)\b")


def other_party(text: str, previous: str = "") -> Optional[str]:
    """The name of the contact.yml text ("not_house", "not_municipality") for a number asked of a party
    whose number the sources do not have, or None for Erhvervsstyrelsen's.

    Args:
        text: the folded message ("hvad er deres telefonnummer?").
        previous: the folded texts of the previous reply, for "deres" and "dem".
    """
    for name, pattern in OTHER_PARTIES:
        if pattern.search(text) or (THEIRS.search(text) and pattern.search(previous)):
            return name
    return None


def asks_for_hours(text: str) -> bool:
    """True if `text` asks when Erhvervsstyrelsen is open ("hvornår har i åbent??")."""
    return HOURS_WORDS.search(fold(text or "")) is not None


def numbers_reply(text: str, previous: str = "") -> Optional[str]:
    """The phone numbers at once for a message that asks for a number or the opening hours, or
    says the caller could not get through; else None.

    Args:
        text: the user's message, e.g. "hvad er hovednummeret så".
        previous: the texts of the previous reply (for "hvad er deres nummer" after an Erhvervshus).

    Returns:
        The "numbers" text (72 20 00 30 and the switchboard 35 29 10 00, knowledge/contact.yml);
        before it "not_through" (an acknowledgement) when the caller could not get through,
        after it "no_hours" when the message asks for opening hours (they are not confirmed);
        first "not_house" or "not_municipality" when the number asked for is theirs (`other_party`).
        None if the message does none of these.
    """
    folded = fold(text or "")
    hours, not_through = asks_for_hours(folded), NOT_THROUGH.search(folded) is not None
    if not (hours or not_through) and NUMBER_WORDS.search(folded) is None:
        return None
    party = None if not_through else other_party(folded, fold(previous))
    parts = [handoff_text(party)] if party else []
    parts += [handoff_text("not_through")] if not_through else []
    parts.append(handoff_text("numbers"))
    if hours:
        parts.append(handoff_text("no_hours"))
    return " ".join(parts)


class ActionHandoff(Action):
    """A request for a person: utter_handoff (the number 72 20 00 30); a question for the number
    itself or the opening hours gets both numbers at once (`numbers_reply`)."""

    def name(self) -> Text:
        """action_handoff"""
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the numbers or the handoff; sets nothing."""
        previous = " ".join(previous_reply(tracker.events))
        numbers = numbers_reply((tracker.latest_message or {}).get("text") or "", previous)
        if numbers:
            logger.info("Handoff: a question for the phone number.")
            dispatcher.utter_message(text=numbers)
        else:
            dispatcher.utter_message(response="utter_handoff")
        return []
