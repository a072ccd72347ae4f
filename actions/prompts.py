"""The Danish questions of the guided advice form, and what it says when an answer is unclear.

They live here, not as domain responses, because the form asks through the
action_ask_<slot> actions: Rasa's `data validate` would report responses used only
by actions as unused.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set

from actions.contact import phone_link
from actions.knowledge import UNKNOWN_OR_SKIPPED, topics_for_phase


def inform_button(title: str, slot: str, value: str) -> Dict[str, str]:
    """A button whose payload sets `slot` to `value` directly: /inform{"slot":"value"}."""
    return {"title": title, "payload": f'/inform{{"{slot}":"{value}"}}'}


def topic_buttons(phase: Optional[str]) -> List[Dict[str, str]]:
    """One button per topic the guided advice offers for `phase` (None: all), payload /inform{"topic": key}."""
    return [inform_button(t.title, "topic", t.key) for t in topics_for_phase(phase)]


# Said before the form's first question only (see actions.advice.AskAction).
INTRO = 'Godt, så stiller jeg dig et par korte spørgsmål om din virksomhed. Skriv "stop", hvis du vil stoppe undervejs.'

QUESTIONS: Dict[str, str] = {
    "phase": "Hvor langt er du med virksomheden?",
    "company_form": "Hvilken virksomhedsform har virksomheden, eller hvilken overvejer du?",
    "topic": "Hvad vil du gerne have råd om? Vælg et emne, eller skriv dit spørgsmål.",
    "municipality": "Sidste spørgsmål: Hvilken kommune ligger virksomheden i? Så kan jeg fortælle, hvor du kan få vejledning lokalt.",
}

BUTTONS: Dict[str, List[Dict[str, str]]] = {
    "phase": [
        inform_button("Vi er ved at starte op", "phase", "etablering"),
        inform_button("Vi er i drift", "phase", "drift"),
        inform_button("Vi vil udvikle og vokse", "phase", "udvikling"),
    ],
    "company_form": [
        inform_button("ApS", "company_form", "aps"),
        inform_button("Forening", "company_form", "forening"),
        inform_button("Erhvervsdrivende fond", "company_form", "fond"),
        inform_button("A.m.b.a.", "company_form", "amba"),
        inform_button("Enkeltmandsvirksomhed", "company_form", "enkeltmandsvirksomhed"),
        inform_button("Ved ikke endnu", "company_form", UNKNOWN_OR_SKIPPED),
    ],
    "municipality": [inform_button("Spring over", "municipality", UNKNOWN_OR_SKIPPED)],
}

# The answer to "hvorfor skal du vide det?" while the form asks (actions.validation.interruption).
WHY_ASKED = (
    'Jeg spørger, så rådene passer til jeres situation. Vil du ikke svare, så skriv "spring over", '
    'eller skriv "stop" for at stoppe.'
)

RETRIES: Dict[str, str] = {
    "phase": "Det fangede jeg ikke helt. Er du ved at starte op, er virksomheden i drift, eller vil du udvikle og vokse den?",
    "company_form": (
        "Den virksomhedsform kender jeg ikke. Skriv fx ApS, A/S, forening, fond, a.m.b.a., I/S "
        'eller enkeltmandsvirksomhed, eller "ved ikke endnu".'
    ),
    "topic": "Det emne kan jeg ikke placere. Vælg et af emnerne, eller skriv dit spørgsmål med andre ord.",
    "municipality": 'Den kommune kender jeg ikke. Skriv kommunens navn, fx Aarhus eller Høje-Taastrup, eller "spring over".',
}


def offered_payloads() -> Set[str]:
    """Every button payload the actions offer, e.g. '/inform{"phase":"drift"}'.

    channels.screening accepts a typed "/intent{...}" only if it is one of these
    (or a button payload of the domain's responses).
    """
    buttons = [button for group in BUTTONS.values() for button in group] + topic_buttons(None)
    return {button["payload"] for button in buttons}

# Said by action_clarify above the closest item questions (buttons), then CLARIFY_OTHERWISE.
CLARIFY_QUESTION = "Jeg er ikke helt sikker på, hvad du spørger om. Mener du et af disse spørgsmål?"
# Said by action_clarify when no knowledge item is close ("?!?", keyboard mash).
REPHRASE = (
    "Undskyld, det forstod jeg ikke helt. Kan du skrive det på en anden måde? Du kan fx spørge om "
    "RSV-registrering, selskabsform, moms eller finansiering. Eller skal jeg stille dig et par spørgsmål "
    "om din virksomhed?"
)
REPHRASE_BUTTONS = [{"title": "Ja, stil mig spørgsmål", "payload": "/request_advice"}]

PHONE = phone_link()

# After the "Mener du …?" buttons: the way on when none of them is it.
CLARIFY_OTHERWISE = (
    f"Er det ingen af dem, så skriv gerne spørgsmålet med andre ord, eller ring til Erhvervsstyrelsen på {PHONE}, "
    "så hjælper en rådgiver dig."
)

# The second answer in a row the form cannot use: the buttons, the way out and a
# person, instead of the question a third time.
SECOND_MISS: Dict[str, str] = {
    slot: (
        f"Jeg forstår desværre stadig ikke svaret. Vælg {what} herunder, skriv \"stop\" for at stoppe "
        f"rådgivningen, eller ring til Erhvervsstyrelsen på {PHONE}, så hjælper en rådgiver dig."
    )
    for slot, what in {
        "phase": "den fase, der passer bedst,",
        "company_form": "en virksomhedsform",
        "topic": "et emne",
        "municipality": 'din kommune, skriv navnet, eller vælg "Spring over"',
    }.items()
}

# The third: the form goes on without the answer.
GIVE_UP: Dict[str, str] = {
    "phase": "Det springer vi over, så får du råd, der gælder uanset fase.",
    "company_form": "Det springer vi over, så får du råd, der gælder uanset virksomhedsform.",
    "topic": "Så giver jeg dig i stedet råd om, hvor du kan få gratis vejledning.",
    "municipality": "Det springer vi over.",
}


def known_phase(phase: Optional[str]) -> Optional[str]:
    """The phase slot's value, or None if it is unset or skipped ("ukendt")."""
    return None if phase in (None, UNKNOWN_OR_SKIPPED) else phase


def slot_buttons(slot: str, phase: Optional[str]) -> List[Dict[str, str]]:
    """The answer buttons of the form's question for `slot`; for the topic, the topics of `phase`."""
    if slot == "topic":
        return topic_buttons(known_phase(phase))
    return BUTTONS.get(slot, [])
