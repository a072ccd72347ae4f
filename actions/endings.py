"""What ends a conversation: "tak for hjælpen!", "ok endelig", "thanks thats all",
"ok jeg ringer til dem i morgen".

Pure text matching, with no knowledge of the dialogue, so the form's validation
(actions.validation) and the replies about the conversation (actions.meta) can both use it.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from actions.contact import phone_link
from actions.normalise import fold

# Folded endings (a "tak" alone or after "ok" too), matched only in a short message without a question.
DANISH_ENDING = re.compile(
    r"\b(farvel|godnat|hej hej|vi ses|tak for (hjalpen|nu|i dag)|det var (det|alt)|"
    r"ellers tak|nej tak|glem det)\b"
    r"|(^|\W)(sa\W+)?(ringer jeg|jeg ringer)"  # "fint, så ringer jeg", "ok jeg ringer til dem i morgen"
    r"(\W+til (dem|jer|dig|erhvervsstyrelsen))?(\W+(i morgen|senere|nu|paa mandag))?\W*$"
    r"|^\W*((ok|okay|super|nice|fedt|fint|perfekt|top|godt|dejligt|cool|flot)\W+)?(tak|mange tak|tusind tak|endelig)\W*$"
    r"|\w\W+hej\W*$")  # a "hej" after other words says goodbye ("jeg må løbe, hej")
ENGLISH_ENDING = re.compile(
    r"\b(bye|goodbye|thanks?|thank you|that'?s all|thats it|forget it|never ?mind|no thanks)\b")
ENDING_MAX_WORDS = 8
GOODBYE_RESPONSE = "utter_goodbye"  # the Danish goodbye (domain.yml)
# A Danish ending that says the user will call: the goodbye gives the number to call.
CALLING = re.compile(r"\bringer\b")
CALL_GOODBYE = f"Godt. Erhvervsstyrelsen har telefon {phone_link()}. Held og lykke med virksomheden!"
ENGLISH_GOODBYE = (
    "Tak, fordi du skrev, og held og lykke! Thanks for writing, and good luck. To talk to a person, "
    f"call the Danish Business Authority (Erhvervsstyrelsen) on {phone_link()}."
)


def ending(text: str) -> Optional[Dict[str, str]]:
    """The goodbye for a message that ends the conversation, or None.

    Args:
        text: the user's message.

    Returns:
        {"text": ENGLISH_GOODBYE} for an English ending ("thanks thats all", "ok forget it"),
        {"text": CALL_GOODBYE} for a Danish one that says the user will call ("fint, så ringer
        jeg"), {"response": GOODBYE_RESPONSE} for another Danish one ("tak for hjælpen!", "ok
        endelig. farvel"), None for anything else, a question ("tak, men hvad med moms?") or a
        message over ENDING_MAX_WORDS words.
    """
    folded = fold(text or "")
    if "?" in folded or len(re.findall(r"\w+", folded)) > ENDING_MAX_WORDS:
        return None
    if ENGLISH_ENDING.search(folded) and not DANISH_ENDING.search(folded):
        return {"text": ENGLISH_GOODBYE}
    if not DANISH_ENDING.search(folded):
        return None
    return {"text": CALL_GOODBYE} if CALLING.search(folded) else {"response": GOODBYE_RESPONSE}


# Folded: a way of leaving at the start of a message ("glem det, jeg vil bare vide hvad en rsv er").
LEAVING = re.compile(
    r"^\W*(?:nej\W+|ok\W+|ah\W+)?(?:glem det|drop det|stop|lad os stoppe|lad vare|ligegyldigt|jeg gider ikke\w*)\b\W*")
# Folded: a question word, "?", or a sentence that opens as a yes/no question ("... PENGE. er det pengene værd").
ASKS = re.compile(r"\b(?:hvad|hvordan|hvor\w*|hvem|hvilke\w*|hvorfor|vide|sporge)\b|\?"
                  r"|(?:^|[.!]\s+)(?:er|kan|ma|skal|far|giver) (?:det|vi|jeg|man|den|du)\b")


def question_after_leaving(text: str) -> Optional[str]:
    """The question in a message that leaves and asks in one, folded, or None.

    Args:
        text: e.g. "glem det, jeg vil bare vide hvad en rsv er".

    Returns:
        e.g. "jeg vil bare vide hvad en rsv er"; None if the message does not start with a way
        of leaving, or what follows is no question (two words at least, a question word or "?").
    """
    folded = fold(text or "")
    leaving = LEAVING.match(folded)
    rest = folded[leaving.end():] if leaving else ""
    return rest if len(rest.split()) >= 2 and ASKS.search(rest) else None


# Folded: frustration before a question in the same message ("det er jo bare bla bla. hvad er de syv
# principper", "for tredje gang: hvad er fristen for ...", "du forstår ingenting, jeg spurgte hvad det
# koster"): the frustration ends at . : ! ? or a comma; "jeg spurgte (om)" or "jeg vil vide" before the question is left out.
FRUSTRATION = re.compile(
    r"^\W*(?:[^.:!?,]*\b(?:bla bla|for (?:anden|tredje|fjerde|sidste) gang|du forstar (?:ingenting|ikke)|"
    r"det var ikke det(?:,)? jeg spurgte om|svar nu|helt ubrugelig\w*|det hjalp ikke)\b[^.:!?,]*)[.:!?,]+\s*")
ASKED_BEFORE = re.compile(r"^(?:men\s+)?(?:jeg spurgte(?:\s+(?:jo|om))*|jeg vil (?:gerne\s+)?vide)\s+", re.IGNORECASE)
FRUSTRATED = "frustrated"  # the parse data key of a message whose question is answered after an acknowledgement
APOLOGY = "Undskyld, at mit svar ikke var godt nok."
ACKNOWLEDGEMENT = f"{APOLOGY} Her er svaret på dit spørgsmål:"


def acknowledge(text: str, answers: bool) -> str:
    """`text` (the reply to a question asked in frustration) after ACKNOWLEDGEMENT if it `answers`
    the question, else after APOLOGY alone ("Undskyld … Det ved jeg desværre ikke: …")."""
    return f"{ACKNOWLEDGEMENT}\n\n{text}" if answers else f"{APOLOGY} {text}"


def question_after_frustration(text: str) -> Optional[str]:
    """The question after frustration in one message, as typed, or None.

    Args:
        text: e.g. "for tredje gang: hvad er FRISTEN for at anmelde et aps".

    Returns:
        e.g. "hvad er FRISTEN for at anmelde et aps" (for "du forstår ingenting, jeg spurgte hvad det
        koster": "hvad det koster"); None without FRUSTRATION at the start, or
        when what follows is no question (three words at least, a question word or "?").
    """
    text = text or ""
    frustration = FRUSTRATION.match(fold(text))
    if not frustration:
        return None
    stops = len(re.findall(r"[.:!?,]+", frustration.group(0)))  # folding may shorten the text ("aa"): cut at its stops
    rest = ASKED_BEFORE.sub("", re.split(r"[.:!?,]+", text, maxsplit=stops)[-1].strip())
    return rest if len(rest.split()) >= 3 and ASKS.search(fold(rest)) else None
