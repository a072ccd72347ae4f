"""Turning what users write into the NLU contract's slot values.

Users answer in their own words ("vi er ved at starte op", "et anpartsselskab",
"kbh"). The NLU's entity synonyms already map most of that; these functions do the
same for free text, from the same synonym lists (data/nlu/synonyms.yml and the
generated data/nlu/lookup/municipalities.yml), so the two never disagree.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

import yaml

from actions.knowledge import COMPANY_FORMS, PHASES, UNKNOWN_OR_SKIPPED, load_municipalities, load_topics

NLU_DATA = Path(__file__).resolve().parent.parent / "data" / "nlu"
SYNONYM_FILES = (NLU_DATA / "synonyms.yml", NLU_DATA / "lookup" / "municipalities.yml")

# One typo away ("foreing", "etablerng") still counts for these entities, judged by
# difflib's similarity ratio. Not for municipalities: everyday words are one letter
# from some of their names ("skrive" and Skive).
TYPO_TOLERANT = ("company_form", "phase")
TYPO_MIN_RATIO = 0.85  # "foreing"/"forening" 0.93, "skrive"/"skive" 0.91, "udvikle"/"udvikling" 0.75
TYPO_MIN_LENGTH = 5

UNKNOWN_PHRASES = (
    "ved ikke", "ved det ikke", "ved jeg ikke", "ved vi ikke", "ved ik", "ved ikk", "vet ikke", "ikke bestemt",
    "ikke valgt", "ikke besluttet", "ikke endnu", "usikker", "aner det ikke", "aner ikke", "ingen anelse",
    "spring over", "spring det over", "skip", "vil ikke sige", "helst ikke sige", "ingen", "nej",
)


def _read_synonyms(paths: Iterable[Path]) -> Dict[str, str]:
    synonyms: Dict[str, str] = {}
    for path in paths:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "synonym" in entry:
                for line in entry["examples"].splitlines():
                    synonyms[line.strip().lstrip("- ").strip().lower()] = str(entry["synonym"])
    return synonyms


@functools.lru_cache(maxsize=None)
def _spellings(entity: str) -> Dict[str, str]:
    """{lower-case spelling: value} for "company_form", "phase" or "municipality"."""
    values = {
        "company_form": COMPANY_FORMS,
        "phase": PHASES,
        "municipality": tuple(load_municipalities()),
    }[entity]
    # "is", "as", "ps" and "ks" are also plain words ("is" is ice cream): inside a
    # sentence only their written forms (I/S, A/S, …) count; see find_value.
    spellings = {value.lower(): value for value in values if len(value) > 2}
    spellings.update({k: v for k, v in _read_synonyms(SYNONYM_FILES).items() if v in values})
    return spellings


# Folded (see `fold`): started a year or more ago ("vi startede for 2 år siden", "stiftet i 2019",
# "åbnede sidste år"): the enterprise runs, phase drift.
RUNNING = "drift"
RUNNING_FOR_A_WHILE = re.compile(
    r"\b(?:startede|startet|begyndte|begyndt|abnede|abnet|stiftede|stiftet|etablerede|etableret|oprettede|oprettet)\b"
    r".*\b(?:for (?:\d+|et|to|tre|fire|fem|seks|syv|otte|ni|ti|mange|nogle|et par) (?:ar|arh?) siden|i (?:19|20)\d\d|sidste ar|i fjor)\b")


# Folded: getting started ("hjælp mig med at komme i gang", "vi skal i gang med at starte", "vi vil åbne"): etablering.
STARTING = "etablering"
GETTING_STARTED = re.compile(
    r"\b(?:komme|kommer|komme godt|hjalp \w+) i gang\b|\bskal i gang\b|\bi gang med at (?:starte|stifte|etablere)\b"
    r"|\b(?:lige|netop|nyligt?) (?:startet|begyndt|stiftet|gaet i gang)\b"
    # a plan ("vi vil åbne et cykelværksted om et halvt års tid", "vi planlægger at stifte en forening")
    r"|\b(?:vil|skal|planlaegger at|overvejer at|tanker pa at)\s+(?:gerne\s+)?(?:abne|starte|stifte|etablere)\b")


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def find_value(entity: str, text: Any, typos: bool = True) -> Optional[str]:
    """The contract value of `entity` that `text` names, or None.

    Args:
        entity: "company_form", "phase" or "municipality".
        text: what the user wrote, e.g. "vi er et anpartsselskab"; non-strings give None.

    Returns:
        e.g. "aps"; the longest matching spelling wins ("forening med begrænset
        ansvar" -> "fmba", not "forening"). For TYPO_TOLERANT entities a word one
        typo away counts too ("foreing" -> "forening"), unless `typos` is False. None if
        nothing matches.
    """
    if not isinstance(text, str):
        return None
    lowered = text.lower()
    if entity == "phase" and RUNNING_FOR_A_WHILE.search(fold(lowered)):
        return RUNNING  # "vi startede for 2 år siden": not "starte" with a typo
    if entity == "phase" and GETTING_STARTED.search(fold(lowered)):
        return STARTING  # "hjælp mig med at komme i gang": not "i gang" (drift)
    exact = {str(value).lower(): value for value in _spellings(entity).values()}
    if lowered.strip() in exact:  # a canonical value, e.g. from an entity or a button
        return exact[lowered.strip()]
    for spelling in sorted(_spellings(entity), key=len, reverse=True):
        if _contains(lowered, spelling):
            return _spellings(entity)[spelling]
    return _close_value(entity, lowered) if typos and entity in TYPO_TOLERANT else None


def _close_value(entity: str, lowered: str) -> Optional[str]:
    """The value of the first word of `lowered` that is near a one-word spelling (ratio >= TYPO_MIN_RATIO), or None."""
    words = [s for s in _spellings(entity) if len(s) >= TYPO_MIN_LENGTH and s.isalpha()]
    for word in re.findall(r"\w+", lowered):
        if len(word) >= TYPO_MIN_LENGTH:
            close = difflib.get_close_matches(word, words, n=1, cutoff=TYPO_MIN_RATIO)
            if close:
                return _spellings(entity)[close[0]]
    return None


# Words around a municipality's name in a typed answer ("vi ligger i Aarhus kommune").
PLACE_FILLER = ("vi", "ligger", "holder", "til", "bor", "er", "i", "på", "pa", "fra", "det", "kommune", "kommunen", "kommuner")
PLACE_MAX_WORDS = 4  # a longer answer is a sentence, not a name with a typo
PLACE_MIN_RATIO = 0.8  # "arhus"/"aarhus" folded alike; "silkebor"/"silkeborg" 0.94; "odnse"/"odense" 0.91


def fold(text: str) -> str:
    """`text` lower-cased with æ/ø/å and their spellings ae/oe/aa as plain a/o, and "x" as Danish "ks"
    ("Høje-Taastrup" -> "hoje-tastrup", "flexjob" -> "fleksjob")."""
    lowered = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("x", "ks")
    return lowered.replace("aa", "a").replace("ae", "a").replace("oe", "o")


def find_municipality_answer(text: Any) -> Optional[str]:
    """The municipality a short typed answer names, allowing typos and any spelling of æ/ø/å.

    For answers to the form's municipality question only: in a whole sentence a
    word near a name is too often another word (see TYPO_TOLERANT).

    Args:
        text: e.g. "Aarhus kommune", "vi ligger i silkebor", "hoje taastrup".

    Returns:
        The official short name ("Aarhus", "Silkeborg", "Høje-Taastrup"), or None.
    """
    exact = find_value("municipality", text)
    if exact or not isinstance(text, str):
        return exact
    words = [w for w in re.findall(r"[\w-]+", text.lower()) if w not in PLACE_FILLER]
    if not words or len(words) > PLACE_MAX_WORDS:
        return None
    folded = {fold(spelling).replace("-", " "): value for spelling, value in _spellings("municipality").items()}
    close = difflib.get_close_matches(fold(" ".join(words)).replace("-", " "), folded, n=1, cutoff=PLACE_MIN_RATIO)
    return folded[close[0]] if close else None


def says_unknown(text: Any) -> bool:
    """True if `text` says the user does not know or would rather skip ("ved ikke endnu")."""
    return isinstance(text, str) and (
        text.strip().lower() == UNKNOWN_OR_SKIPPED or any(_contains(text.lower(), p) for p in UNKNOWN_PHRASES)
    )


# From this confidence (0-1) of the item selector's best item, a short answer to the topic
# question that the NLU did not take as a knowledge question names that item's topic.
TOPIC_FROM_ITEM_CONFIDENCE = 0.25


def _title_words(title: str) -> str:
    return " ".join(re.findall(r"[\w-]+", title.lower()))


# Everyday words that name one topic when typed as the answer to the topic question ("penge. vi
# har ingen", "offentlige udbud", "ansættelse"); folded (see `fold`), matched as whole words.
TOPIC_WORDS: Dict[str, tuple] = {
    "funding": ("penge", "kapital", "finansiering", "finansiere", "fonde", "fondsstotte", "lan", "investor",
                "investorer", "investering", "crowdfunding"),
    "public_procurement": ("udbud", "udbuddet", "udbudsloven", "offentlige udbud", "offentlige opgaver"),
    "hiring_special_terms": ("ansattelse", "ansatte", "ansat", "fleksjob", "lontilskud", "virksomhedspraktik",
                             "skanejob", "igu"),
    "tax_vat_accounting": ("moms", "skat", "regnskab", "revision", "lonsumsafgift", "arsrapport"),
    "volunteers": ("frivillige", "frivillig"),
    "governance": ("vedtagter", "bestyrelse", "generalforsamling", "ledelse"),
    "company_form": ("virksomhedsform", "selskabsform"),
    "cvr_registration": ("cvr", "cvr-nummer"),
    "rsv_how_to_register": ("registrering", "registrere", "anmeldelse"),
    "impact_measurement": ("effekt", "effektmaling", "sroi"),
    "growth": ("vakst",),
    "business_plan": ("forretningsplan", "budget"),
}
# A typed question ("hvor meget kapital skal et aps have?") is named by its topic, not by a word in it.
QUESTION_WORDS = re.compile(r"^\W*(?:\w+,\s*)?(hvad|hvor\w*|hvem|hvilke\w*|hvordan|hvorfor|kan|skal|må|maa|er|har|koster)\b", re.I)


def _topic_by_words(lowered: str) -> Optional[str]:
    """The one topic of TOPIC_WORDS a short answer that is no question names, or None."""
    if "?" in lowered or QUESTION_WORDS.search(lowered):
        return None
    folded = fold(lowered)
    named = [key for key, words in TOPIC_WORDS.items() if any(_contains(folded, word) for word in words)]
    return named[0] if len(named) == 1 else None


def find_topic(text: Any, latest_message: Dict[str, Any]) -> Optional[str]:
    """The knowledge topic (faq key) the user picked or asked about, or None.

    Args:
        text: the slot value: a key from a button payload ("funding"), its words
            ("rsv criteria"), a title ("Finansiering", also inside a sentence), the
            TOPIC_WORDS of one topic in an answer that is no question ("penge. vi har
            ingen"), or a free-text answer.
        latest_message: the tracker's latest message; when its intent is `faq`, the
            response selector's key ("faq/funding") names the topic; otherwise the item
            selector's best item, if it is at least TOPIC_FROM_ITEM_CONFIDENCE sure ("penge").
    """
    topics = load_topics()
    if isinstance(text, str):
        lowered = " ".join(re.findall(r"[\w-]+", text.lower().replace("_", " ")))
        for key, topic in topics.items():  # a key, its words, or a title
            if lowered in (key, key.replace("_", " "), " ".join(re.findall(r"[\w-]+", topic.title.lower()))):
                return key
        named = [key for key, topic in topics.items() if topic.phases and _contains(lowered, _title_words(topic.title))]
        if len(named) == 1:  # a sentence naming one offered topic's title ("noget om finansiering")
            return named[0]
        by_words = _topic_by_words(text.lower())
        if by_words:  # "penge. vi har ingen", "offentlige udbud"
            return by_words
    if (latest_message.get("intent") or {}).get("name") == "faq":
        selected = latest_message.get("response_selector", {}).get("faq", {}).get("response", {})
        key = str(selected.get("intent_response_key", "")).partition("/")[2]
        return key if key in topics else None
    best = ((latest_message.get("knowledge_item") or {}).get("ranking") or [{}])[0]
    if float(best.get("confidence") or 0) >= TOPIC_FROM_ITEM_CONFIDENCE and best.get("topic") in topics:
        return str(best["topic"])  # a word the NLU could not place ("penge"), but whose closest item is clear
    return None
