"""Slot validation for the guided-advice form `advice_form`.

Each validator turns the user's answer into a contract value (see actions.normalise).
An answer to the form's question that it cannot use is a miss: the first gets a
Danish hint of what it expects and the question again; the second offers the
answer buttons, the way out ("stop") and the phone number instead of a third
asking; a third moves on without the value ("ukendt"; for the topic, where to get
free guidance).

While the form asks for a slot, `extract_<slot>` takes any answer that fits it,
whatever intent the NLU gave it ("Vi er ved at starte op" may look like a
knowledge question to it), and any other answer except a question, a request for
a person, a stop or a complaint. A question that fits nothing is left to the
rules: the form rejects the message, the question is answered, the form goes on.
A message also fills every other slot it names unmistakably and that has no value
yet ("så tager vi aps, og det handler om registrering" at the company form question;
"vi er lige ved at starte op og vil gerne have vejledning" as the opening): see
`given_in_passing`.

Two messages interrupt the question asked, whatever intent the NLU gave them (`interruption`):
a side question that gives no answer ("vent lige, hvad er forskellen på en forening og et
aps?" to the company form question) is answered and the question asked again; a message that
leaves and asks in one ("glem det nu, jeg vil bare vide hvor meget kapital en fond skal have")
ends the form and is answered.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.endings import ending, question_after_leaving
from actions.knowledge import UNKNOWN_OR_SKIPPED
from actions.meta import STOPPED_THEN_ANSWER, question_topic
from actions.normalise import QUESTION_WORDS, find_municipality_answer, find_topic, find_value, fold, says_unknown
from actions.prompts import GIVE_UP, RETRIES, SECOND_MISS, WHY_ASKED, slot_buttons

MISSES_SLOT = "advice_misses"
GIVE_UP_TOPIC = "free_guidance"  # after three misses on the topic: where to get free guidance
# Intents whose message is never taken as an answer: they leave or interrupt the form.
NOT_ANSWERS = ("stop", "request_human", "goodbye", "thank", "other_language")
# A message the NLU read as a stop but that names the asked phase or company form, and has
# no word of stopping, is an answer ("vi korer allerede").
NAMED_VALUES = ("phase", "company_form")
STOP_WORDS = re.compile(r"\b(stop\w*|glem|afbryd\w*|annull?\w*|gider|orker|drop|cancel|fortryder|hold op|ikke mere|ikke flere)\b", re.I)
# Intents whose message is taken only if it fits the slot; otherwise the rules
# answer it and the form goes on (deny: "nej tak" to the phase question stops the
# form, "aner det ikke" to the company form question is an answer; a typed phase
# the NLU reads as a complaint, "vi korer allerede", is an answer too).
MAYBE_ANSWERS = ("faq", "follow_up", "deny", "bot_challenge", "ask_capabilities", "complain", "out_of_scope")
# What such a message gets when the slot's own mapping took it but it fits nothing
# (the topic question takes any text): its usual answer, not a miss.
ANSWERED_INSTEAD = {"complain": "utter_complain", "bot_challenge": "utter_bot_challenge", "ask_capabilities": "utter_capabilities"}


def _or_unknown(value: Optional[str], text: Any) -> Optional[str]:
    return value or (UNKNOWN_OR_SKIPPED if says_unknown(text) else None)


# A plain no, which to the phase or topic question stops the form rather than skipping the question.
PLAIN_NO = re.compile(r"\W*(nej|ingen|nix)(\s+tak)?\W*", re.I)


def _not_known_yet(latest: Dict[str, Any], text: Any) -> bool:
    """True if the answer says "ved ikke"/"det ved jeg ikke endnu"/"spring over", and is neither a
    plain "nej (tak)" nor an ending ("nej tak det var det"): those stop the form."""
    return says_unknown(text) and not PLAIN_NO.fullmatch(str(text)) and not ending(str(text))


# Folded: a statement about the enterprise itself ("vi er en forening", "det er et aps", "jeg har kørt i to år").
STATEMENT = re.compile(r"(?<!\w)(?:vi|jeg|det|vores|min|mit)\s+(?:er|har|driver|korer|ejer|startede|overvejer|tanker|ligger|bor|holder)\b")


def _states(text: Any) -> bool:
    """True if `text` is a statement about the enterprise (STATEMENT) with no question."""
    return isinstance(text, str) and "?" not in text and STATEMENT.search(fold(text)) is not None


def _topic(text: Any, latest: Dict[str, Any]) -> Optional[str]:
    """The topic of an answer, GIVE_UP_TOPIC for "ved ikke", or None. A complaint ("du forstaar
    slet ikke hvad jeg vil") names one only by a title or key words, never by the closest
    knowledge item of its words; so does a statement of the company form ("vi er en forening":
    the form, not the topic company_form)."""
    complaint = (latest.get("intent") or {}).get("name") == "complain"
    form_statement = _states(text) and find_value("company_form", text, typos=False) is not None
    return find_topic(text, {} if complaint or form_statement else latest) \
        or (GIVE_UP_TOPIC if _not_known_yet(latest, text) else None)


# slot -> function(text, latest message) giving the slot's value, or None.
NORMALISERS: Dict[str, Callable[[Any, Dict[str, Any]], Optional[str]]] = {
    "phase": lambda text, latest: find_value("phase", text) or (UNKNOWN_OR_SKIPPED if _not_known_yet(latest, text) else None),
    "company_form": lambda text, latest: _or_unknown(find_value("company_form", text), text),
    "topic": _topic,
    "municipality": lambda text, latest: _or_unknown(find_municipality_answer(text), text),
}


def is_question(latest: Dict[str, Any]) -> bool:
    """True if the message is a knowledge question ("forresten, hvad koster et cvr nummer?"), not just a topic's name."""
    text = str(latest.get("text") or "")
    intent = (latest.get("intent") or {}).get("name")
    return intent == "faq" and (text.rstrip().endswith("?") or QUESTION_WORDS.search(text) is not None)


# A question in a clause of its own ("vent lige, hvad er forskellen på ...?"), after any opening words.
QUESTION_CLAUSE = re.compile(r"(?:^|[.,:;!]\s*)(?:hvad|hvor\w*|hvem|hvilke\w*|hvordan|hvorfor)\b", re.I)
SIDE_QUESTION_SLOTS = ("phase", "company_form", "municipality")  # the topic question takes a whole question
# Folded: asking why the form asks ("hvorfor skal du vide det", "hvad skal du bruge det til").
WHY_ASK = re.compile(r"\bhvorfor (?:skal|vil|sporger|spurgte) du\b|\bhvad skal du bruge det til\b|\bhvorfor sporge\w* du\b")


def side_question(slot: str, latest: Dict[str, Any]) -> bool:
    """True if a message to the question for `slot` asks something else and gives no answer.

    Args:
        slot: the slot the form asks for.
        latest: the message's parse data.

    Returns:
        True for a question in a clause of its own (a question word after a start or a
        comma, or "?") with no statement about the enterprise ("vi er en forening, kan vi
        blive rsv?" answers) and no bare value before it ("forening. hvad koster det?");
        always False for the topic question.
    """
    text = str(latest.get("text") or "")
    if slot not in SIDE_QUESTION_SLOTS or not QUESTION_CLAUSE.search(text) or STATEMENT.search(fold(text)):
        return False
    first_clause = re.split(r"[.,:;!?]", text, maxsplit=1)[0]
    return not (len(first_clause.split()) <= 3 and NORMALISERS[slot](first_clause, latest) not in (None, UNKNOWN_OR_SKIPPED))


# Folded: wanting only an answer, not the advice ("egentlig vil jeg bare vide hvad et aps koster").
ONLY_WANTS = re.compile(r"^\W*(?:nej\W+|men\W+)?(?:egentlig\W+)?(?:vil jeg|jeg vil|jeg skal)\W+"
                        r"(?:egentlig\W+)?(?:bare|kun)\W+(?:vide|hore|sporge)\b")


def interruption(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The events of a message that interrupts the form's question, after uttering its answer; or None.

    - Leaving and asking in one ("glem det nu, jeg vil bare vide ...", "egentlig vil jeg bare vide
      ..."), unless the NLU read a stop (then the stop rule's action_stop answers): "we stop", the answer, and
      requested_slot None, which ends the form (its submit rule's action_give_advice then
      gives no advice, no topic being known, only the handoff to a person).
    - Asking why the form asks (WHY_ASK): WHY_ASKED, and the question again.
    - A `side_question`: its answer, and the misses kept, so the form asks the question again.

    None when the message is neither, or its topic is unclear (the form goes on as usual).
    """
    latest = tracker.latest_message or {}
    text, intent = str(latest.get("text") or ""), (latest.get("intent") or {}).get("name")
    slot = tracker.get_slot("requested_slot")
    if not slot or intent in NOT_ANSWERS:
        return None
    only_wants = ONLY_WANTS.search(fold(text)) is not None
    if question_after_leaving(text) or only_wants:
        topic = question_topic(text, latest) or (find_topic(None, latest) if only_wants else None)
        if topic:
            dispatcher.utter_message(text=STOPPED_THEN_ANSWER)
            dispatcher.utter_message(response=f"utter_faq/{topic}")
            return [SlotSet("requested_slot", None), SlotSet(MISSES_SLOT, 0)]  # a slot event: not a rejection
    again = [SlotSet(slot, None), SlotSet(MISSES_SLOT, _misses(tracker))]
    if WHY_ASK.search(fold(text)):
        dispatcher.utter_message(text=WHY_ASKED)
        return again
    if side_question(slot, latest):
        topic = find_topic(None, latest)
        if topic:
            dispatcher.utter_message(response=f"utter_faq/{topic}")
            return again
    return None


def other_slot_answer(slot: str, text: Any, latest: Dict[str, Any]) -> Dict[str, str]:
    """{other slot: value} if an answer that does not fit `slot` names another question's answer, else {}.

    Only unmistakable answers count: a municipality's name, a topic's title or key words
    (not a question's topic), a company form or a phase that `find_value` finds.
    """
    if not isinstance(text, str):
        return {}
    found = {
        "municipality": find_municipality_answer(text),
        "topic": find_topic(text, {}),
        "company_form": find_value("company_form", text),
        "phase": find_value("phase", text),
    }
    return {name: value for name, value in found.items() if name != slot and value}


# What introduces the topic in a sentence ("det handler om registrering").
TOPIC_CUE = re.compile(r"\b(?:handler om|drejer sig om|vil gerne vide noget om|har spørgsmål om|har sporgsmal om)\s+(?P<rest>.+)$", re.I)
OPENING_INTENT = "request_advice"
IN_PASSING_MIN_WORDS = 4  # a shorter message answers the question asked, and nothing else


def named_in_passing(slot: str, text: str, latest: Dict[str, Any]) -> Optional[str]:
    """The value of `slot` a message names although the form did not ask for it, or None.

    Args:
        slot: "phase", "company_form", "topic" or "municipality".
        text: the message.
        latest: its parse data (a faq message's topic counts after a TOPIC_CUE).

    Returns:
        None for a message under IN_PASSING_MIN_WORDS words. Else the raw value to
        validate: the message's text for a phase, company form or municipality that
        `find_value` finds without typo tolerance; for the topic a faq key named by its
        title or words, or introduced by TOPIC_CUE ("det handler om registrering": the
        topic of the question).
    """
    if len(text.split()) < IN_PASSING_MIN_WORDS:
        return None  # "vækst" to the phase question is the phase, not also the topic
    if slot == "topic":
        cue = TOPIC_CUE.search(text)
        return find_topic(text, {}) or (find_topic(cue.group("rest"), latest) if cue else None)
    return text if find_value(slot, text, typos=False) else None  # "start rådgivningen" names no phase


def given_in_passing(slot: str, tracker: Tracker) -> Dict[Text, Any]:
    """{slot: value} if the latest message names `slot` while the form asks another question, or
    in the message that started the form (intent request_advice), and `slot` has no value yet."""
    latest = tracker.latest_message or {}
    text, intent = latest.get("text"), (latest.get("intent") or {}).get("name")
    requested = tracker.get_slot("requested_slot")
    if not isinstance(text, str) or tracker.get_slot(slot) is not None or requested == slot:
        return {}
    if intent in NOT_ANSWERS or (requested is None and intent != OPENING_INTENT):
        return {}
    if tracker.slots_to_validate().get(slot) is not None:
        return {}
    value = named_in_passing(slot, text, latest)
    return {slot: value} if value else {}


def value_before(tracker: Tracker, slot: str) -> Any:
    """The value `slot` had before the latest user message (None if it had none).

    A word the NLU took for a slot's entity by mistake ("Kom i gang": phase "gang") must
    not erase the phase the user gave earlier.
    """
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    before = tracker.events[:users[-1]] if users else tracker.events
    values = [e.get("value") for e in before if e.get("event") == "slot" and e.get("name") == slot]
    return values[-1] if values else None


def _misses(tracker: Tracker) -> int:
    return int(tracker.get_slot(MISSES_SLOT) or 0)


def _validated(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
    """{slot: normalised value} (misses reset), or a miss handled as the module docstring says.

    A value picked up from a message the form did not ask for (e.g. the opening
    message), or an answer that gave another slot instead ("vi er et aps" to the
    phase question), is dropped silently: the form asks in due course. A complaint
    or a question about the assistant gets its usual answer (ANSWERED_INSTEAD).
    """
    latest = tracker.latest_message or {}
    asked = tracker.get_slot("requested_slot") == slot
    earlier = value_before(tracker, slot)
    if not asked and earlier is not None:
        # An answer given before is not overwritten by a word in an answer to another question, only
        # by a statement ("vi har kørt et par år" corrects the etablering an opening's "starte" gave).
        stated = find_value(slot, latest.get("text"), typos=False) if slot in NAMED_VALUES and _states(latest.get("text")) else None
        return {slot: stated or earlier}
    normalised = NORMALISERS[slot](value, latest)
    if normalised is None and asked and value != latest.get("text"):
        normalised = NORMALISERS[slot](latest.get("text"), latest)  # the entity was a part ("hoje"), the whole answer may fit
    if normalised is not None:
        if slot == "topic" and asked and is_question(latest):
            dispatcher.utter_message(response=f"utter_faq/{normalised}")  # a whole question: answered, and its topic taken
        return {slot: normalised, MISSES_SLOT: 0} if asked else {slot: normalised}
    given_now = {k for k, v in tracker.slots_to_validate().items() if v is not None and k not in (slot, MISSES_SLOT)}
    # Another question's answer is kept; one given before is changed only for the topic ("Kom i
    # gang" at the municipality question changes the topic, its "i gang" not the phase) and by a
    # statement ("vi har kørt et par år" corrects the phase a "starte" in the opening gave).
    other = {k: v for k, v in other_slot_answer(slot, value, latest).items()
             if k not in given_now and (k == "topic" or tracker.get_slot(k) is None or _states(value))} if asked else {}
    if not asked:
        return {slot: earlier}
    if other or given_now:
        # "hoje taastrup" to the topic question, "en forening tror jeg" to the phase question: the other
        # answer is kept and the question asked again, without a hint the first time; but it counts, so
        # the question is never asked more than twice.
        return {**_miss(slot, dispatcher, tracker, hint=False), **other}
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
    instead = ANSWERED_INSTEAD.get(intent)
    if instead:
        dispatcher.utter_message(response=instead)
        return {slot: None}
    return _miss(slot, dispatcher, tracker)


def _miss(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, hint: bool = True) -> Dict[Text, Any]:
    """The events of one more miss on `slot`: the first gets the hint RETRIES (if `hint`), the second
    SECOND_MISS with the buttons, the third GIVE_UP and the slot's fallback value, misses reset.

    Returns:
        {slot: None or its fallback value, MISSES_SLOT: the misses so far (int)}.
    """
    misses = _misses(tracker) + 1
    if misses == 1:
        if hint:
            dispatcher.utter_message(text=RETRIES[slot])
    elif misses == 2:
        dispatcher.utter_message(text=SECOND_MISS[slot], buttons=slot_buttons(slot, tracker.get_slot("phase")))
    else:
        dispatcher.utter_message(text=GIVE_UP[slot])
        return {slot: GIVE_UP_TOPIC if slot == "topic" else UNKNOWN_OR_SKIPPED, MISSES_SLOT: 0}
    return {slot: None, MISSES_SLOT: misses}


class ValidateAdviceForm(FormValidationAction):
    """Extracts and validates phase, company_form, topic and municipality of `advice_form`.

    Slot values in: whatever filled the slot (an entity value such as "udvikling",
    a button payload value, or the user's whole answer). Values out: phase in
    etablering/drift/udvikling or "ukendt"; company_form a contract value or
    "ukendt"; topic a faq key; municipality an official name or "ukendt" (skipped).
    """

    def name(self) -> Text:
        """The action name used in domain.yml."""
        return "validate_advice_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """The events of an `interruption` if the message is one, else rasa_sdk's extraction and validation."""
        interrupted = interruption(dispatcher, tracker)
        if interrupted is not None:
            return interrupted
        return await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _answer(slot: str, tracker: Tracker) -> Dict[Text, Any]:
        """{slot: the latest message's text} if it answers the form's question for `slot`, else {}.

        An answer is any message to that question except NOT_ANSWERS, and
        MAYBE_ANSWERS only when they fit the slot or, being no question, name another slot's
        answer ("en forening tror jeg" to the phase question, read as deny). What does not fit
        is then a miss (see `_validated`), so "tja" is met with a hint, not with silence.
        """
        latest = tracker.latest_message or {}
        text, intent = latest.get("text"), (latest.get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") != slot or not isinstance(text, str):
            return given_in_passing(slot, tracker)
        if intent == "stop" and slot in NAMED_VALUES and find_value(slot, text) and not STOP_WORDS.search(text):
            return {slot: text}  # "vi korer allerede" read as a stop: a phase all the same
        if intent in NOT_ANSWERS or (ending(text) and NORMALISERS[slot](text, latest) is None):
            return {}  # "tak for hjælpen!", "nej tak det var det" to the phase: no answer, the rules close
        if tracker.slots_to_validate().get(slot) is not None:  # a button or entity gave it already
            return {}
        if intent in MAYBE_ANSWERS and NORMALISERS[slot](text, latest) is None and \
                (is_question(latest) or not other_slot_answer(slot, text, latest)):
            return {}  # a question, or no answer at all: the rules answer it, the form goes on
        return {slot: text}  # an answer; one that gave another slot instead is a miss (`_validated`)

    def extract_phase(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """The answer to the phase question if it names a phase ("vi startede sidste år")."""
        return self._answer("phase", tracker)

    def extract_company_form(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """The answer to the company form question if it names a form or says "ved ikke"."""
        return self._answer("company_form", tracker)

    def extract_topic(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """The answer to the topic question if it names a topic (title, key words or a question)."""
        return self._answer("topic", tracker)

    def extract_municipality(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """The answer to the municipality question if it names one (typos allowed) or skips it."""
        return self._answer("municipality", tracker)

    def validate_phase(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Normalises the phase ("vi er ved at starte op" -> "etablering")."""
        return _validated("phase", value, dispatcher, tracker)

    def validate_company_form(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Normalises the company form ("et anpartsselskab" -> "aps", "aner det ikke" -> "ukendt")."""
        return _validated("company_form", value, dispatcher, tracker)

    def validate_topic(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Resolves the topic from a button, a title, the words of a key or a question ("hvad er momsgrænsen?")."""
        return _validated("topic", value, dispatcher, tracker)

    def validate_municipality(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """Normalises the municipality ("Aarhus kommune", "silkebor" -> "Silkeborg"); "spring over"/"nej" -> "ukendt"."""
        return _validated("municipality", value, dispatcher, tracker)
