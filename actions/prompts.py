"""The Danish questions of the guided advice form, and what it says when an answer is unclear.

They live here, not as domain responses, because the form asks through the
action_ask_<slot> actions: Rasa's `data validate` would report responses used only
by actions as unused.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from actions.knowledge import UNKNOWN_FORM, topics_for_phase


def inform_button(title: str, slot: str, value: str) -> Dict[str, str]:
    """A button whose payload sets `slot` to `value` directly: /inform{"slot":"value"}."""
    return {"title": title, "payload": f'/inform{{"{slot}":"{value}"}}'}


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
        inform_button("Ved ikke endnu", "company_form", UNKNOWN_FORM),
    ],
    "municipality": [inform_button("Spring over", "municipality", UNKNOWN_FORM)],
}

RETRIES: Dict[str, str] = {
    "phase": "Det fangede jeg ikke helt. Er du ved at starte op, er virksomheden i drift, eller vil du udvikle og vokse den?",
    "company_form": (
        "Den virksomhedsform kender jeg ikke. Skriv fx ApS, A/S, forening, fond, a.m.b.a., I/S "
        'eller enkeltmandsvirksomhed, eller "ved ikke endnu".'
    ),
    "topic": "Det emne kan jeg ikke placere. Vælg et af emnerne, eller skriv dit spørgsmål med andre ord.",
    "municipality": 'Den kommune kender jeg ikke. Skriv kommunens navn, fx Aarhus eller Høje-Taastrup, eller "spring over".',
}

PHONE = "[72 20 00 30](tel:+4572200030)"

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
    return None if phase in (None, UNKNOWN_FORM) else phase


def slot_buttons(slot: str, phase: Optional[str]) -> List[Dict[str, str]]:
    """The answer buttons of the form's question for `slot`; for the topic, the topics of `phase`."""
    if slot == "topic":
        return [inform_button(t.title, "topic", t.key) for t in topics_for_phase(known_phase(phase))]
    return BUTTONS.get(slot, [])
