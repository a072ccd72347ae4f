"""The knowledge base: sourced Danish advice items and the municipality table.

knowledge/knowledge_base.yml is the one source of truth for facts: the faq answers
(utter_faq/<key>, generated into data/responses/faq.yml by `make data`) and the
guided advice are both built from its items. knowledge/municipalities.yml maps
Denmark's 98 municipalities to their Erhvervshus.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
KNOWLEDGE_BASE = KNOWLEDGE / "knowledge_base.yml"
MUNICIPALITIES = KNOWLEDGE / "municipalities.yml"

# The contract's phase and company_form values, with how advice names them in Danish.
PHASE_LABELS = {"etablering": "etableringsfasen", "drift": "driftsfasen", "udvikling": "udviklingsfasen"}
COMPANY_FORM_LABELS = {
    "aps": "et ApS", "as": "et A/S", "ps": "et P/S", "forening": "en forening",
    "fond": "en erhvervsdrivende fond", "amba": "et a.m.b.a.", "fmba": "et f.m.b.a.",
    "is": "et I/S", "ks": "et K/S", "enkeltmandsvirksomhed": "en enkeltmandsvirksomhed", "ivs": "et IVS",
}
PHASES = tuple(PHASE_LABELS)
COMPANY_FORMS = tuple(COMPANY_FORM_LABELS)
# The value of any advice-form slot (company_form, phase, municipality, ...) when the user
# does not know yet ("Ved ikke endnu") or skipped the question ("Spring over"); in an
# item's company_forms it means "also when the company form is not known".
UNKNOWN_OR_SKIPPED = "ukendt"
# The slot (and entity) naming the knowledge item an answer starts with.
KNOWLEDGE_ITEM = "knowledge_item"
# The slot naming the municipality a knowledge question asks about; it chooses the variation of
# utter_faq/free_guidance that names the municipality's Erhvervshus (scripts/knowledge/build.py).
ASKED_MUNICIPALITY = "asked_municipality"
ALL_FORMS = "all"
# Other items an answer may go on with (Item.then): the "at most one or two".
MAX_THEN = 2
# Characters a question may have: it is a quick-reply button title (shared design decision).
QUESTION_MAX_CHARS = 70
# Region Hovedstaden and Region Sjælland merge into Region Østdanmark (lov nr. 699 af 20. juni 2025).
EAST_REGION, EAST_REGION_PARTS, EAST_REGION_FROM = "Østdanmark", ("Hovedstaden", "Sjælland"), datetime.date(2027, 1, 1)
# Official names that are not "<name> Kommune".
MUNICIPALITY_NAMES = {"København": "Københavns Kommune", "Bornholm": "Bornholms Regionskommune"}


class KnowledgeBaseError(ValueError):
    """A knowledge file is missing, malformed or breaks the schema."""


@dataclass(frozen=True)
class Item:
    """One piece of sourced advice.

    Attributes:
        id: unique snake_case name.
        topic: a faq key of the NLU contract, e.g. "rsv_criteria".
        question: the short Danish question the item answers (at most
            QUESTION_MAX_CHARS characters), e.g. "Kan en enkeltmandsvirksomhed blive RSV?";
            the title and payload of the item's quick-reply button.
        phases: the phases it applies to, a subset of PHASES.
        company_forms: contract company_form values and/or "ukendt", or ("all",).
        faq: True if the item is part of the faq answer utter_faq/<topic>.
        text: Danish markdown text.
        source: URL of the page that states the fact (not a homepage).
        checked: the date the source was last read.
        review_by: the date by which the item must be checked again because its rule is
            known to change (e.g. the employment reform's new main law on 1 January 2027),
            or None.
        then: the ids of at most MAX_THEN items that the item's answer goes on with (the
            one or two other items that matter most for its question, e.g. the fee and
            the deadline after "how do we found an ApS"); empty for most items, whose
            answer is their own text with the related questions as buttons.

    An item with no phases answers a direct question only (e.g. "what is the discount
    rate now?"): guided advice never shows it.
    """

    id: str
    topic: str
    question: str
    phases: Tuple[str, ...]
    company_forms: Tuple[str, ...]
    faq: bool
    text: str
    source: str
    checked: datetime.date
    review_by: Optional[datetime.date] = None
    then: Tuple[str, ...] = ()

    def fits(self, phase: Optional[str], company_form: Optional[str]) -> bool:
        """True if the item applies to `phase` and `company_form` (None: not known, fits all)."""
        phase_fits = phase is None or phase in self.phases
        form_fits = company_form is None or ALL_FORMS in self.company_forms or company_form in self.company_forms
        return phase_fits and form_fits


@dataclass(frozen=True)
class Topic:
    """A knowledge topic: a faq key, its Danish title, and the phases that offer it.

    Attributes:
        key: the faq key, e.g. "funding".
        title: Danish title shown on buttons and in advice, e.g. "Finansiering".
        phases: the phases whose guided advice offers it as a button (may be empty).
    """

    key: str
    title: str
    phases: Tuple[str, ...]

    @property
    def in_sentence(self) -> str:
        """The title as written inside a sentence: "Moms, skat og regnskab" -> "moms, skat og
        regnskab"; names and abbreviations keep their capitals ("CVR-nummer", "Rådet for ...")."""
        first = self.title.split()[0]
        if first in PROPER_TITLE_WORDS or any(char.isupper() for char in first[1:]):
            return self.title
        return self.title[0].lower() + self.title[1:]


# First words of topic titles that are names and keep their capital inside a sentence.
PROPER_TITLE_WORDS = {"Rådet", "Vækstcentrets", "Vækstcentret"}


@dataclass(frozen=True)
class Erhvervshus:
    """One of the six business houses (id, name, city); each serves a set of municipalities."""

    id: str
    name: str
    city: str


@dataclass(frozen=True)
class Municipality:
    """A municipality by its short name (e.g. "Nordfyns"), its region, its Erhvervshus, where the
    house has a branch office in the municipality the branch's town (e.g. "Herning"), and an
    optional Danish note for the local guidance (Bornholm's own arrangement)."""

    name: str
    region: str
    erhvervshus: Erhvervshus
    branch: Optional[str] = None
    note: Optional[str] = None

    def region_on(self, day: datetime.date) -> str:
        """The region on `day`: Hovedstaden and Sjælland are Østdanmark from 1 January 2027
        (lov nr. 699 af 20. juni 2025)."""
        return EAST_REGION if day >= EAST_REGION_FROM and self.region in EAST_REGION_PARTS else self.region

    @property
    def official_name(self) -> str:
        """E.g. "Nordfyns Kommune", "Københavns Kommune", "Bornholms Regionskommune"."""
        return MUNICIPALITY_NAMES.get(self.name, f"{self.name} Kommune")


def _read_yaml(path: Path) -> dict:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeBaseError(f"cannot read {path}: {error}") from error
    if not isinstance(content, dict):
        raise KnowledgeBaseError(f"{path} holds no YAML mapping")
    return content


def _item(raw: dict) -> Item:
    missing = {"id", "topic", "question", "phases", "company_forms", "faq", "text", "source", "checked"} - raw.keys()
    if missing:
        raise KnowledgeBaseError(f"item {raw.get('id', '?')} lacks {sorted(missing)}")
    item = Item(
        id=raw["id"],
        topic=raw["topic"],
        question=str(raw["question"]).strip(),
        phases=tuple(raw["phases"]),
        company_forms=tuple(raw["company_forms"]),
        faq=bool(raw["faq"]),
        text=str(raw["text"]).strip(),
        source=str(raw["source"]),
        checked=raw["checked"],
        review_by=raw.get("review_by"),
        then=tuple(raw.get("then") or ()),
    )
    if not set(item.phases) <= set(PHASES):
        raise KnowledgeBaseError(f"item {item.id}: unknown phase in {item.phases}")
    if not set(item.company_forms) <= {*COMPANY_FORMS, UNKNOWN_OR_SKIPPED, ALL_FORMS}:
        raise KnowledgeBaseError(f"item {item.id}: unknown company form in {item.company_forms}")
    if not item.source.startswith("https://") or not isinstance(item.checked, datetime.date):
        raise KnowledgeBaseError(f"item {item.id}: needs an https source and a checked date")
    if not 0 < len(item.question) <= QUESTION_MAX_CHARS or not item.question.endswith("?"):
        raise KnowledgeBaseError(f"item {item.id}: needs a question of at most {QUESTION_MAX_CHARS} characters ending in ?")
    if item.review_by is not None and not isinstance(item.review_by, datetime.date):
        raise KnowledgeBaseError(f"item {item.id}: review_by must be a date (YYYY-MM-DD)")
    if item.review_by is not None and item.review_by <= item.checked:
        raise KnowledgeBaseError(f"item {item.id}: review_by {item.review_by} is not after checked {item.checked}")
    return item


@functools.lru_cache(maxsize=None)
def _load(path: Path) -> Tuple[Dict[str, Topic], Tuple[Item, ...]]:
    raw = _read_yaml(path)
    try:
        topics = {t["key"]: Topic(t["key"], t["title"], tuple(t["phases"])) for t in raw.get("topics") or []}
        items = tuple(_item(raw_item) for raw_item in raw.get("items") or [])
    except (KeyError, TypeError, AttributeError) as error:
        raise KnowledgeBaseError(f"{path}: a topic or item is malformed ({error!r})") from error
    ids = [item.id for item in items]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise KnowledgeBaseError(f"duplicate item ids: {sorted(duplicates)}")
    untitled = {item.topic for item in items} - topics.keys()
    if untitled:
        raise KnowledgeBaseError(f"items name topics missing from `topics`: {sorted(untitled)}")
    unanswered = {key for key in topics if not any(i.topic == key and i.faq for i in items)}
    if unanswered:
        raise KnowledgeBaseError(f"topics without a faq item: {sorted(unanswered)}")
    _check_then(items)
    narrow = [i.id for i in items if i.faq and (set(i.phases) != set(PHASES) or i.company_forms != (ALL_FORMS,))]
    if narrow:  # the faq answer is part of every piece of advice on its topic
        raise KnowledgeBaseError(f"faq items must fit every phase and form (company_forms: [all]): {narrow}")
    return topics, items


def _check_then(items: Tuple[Item, ...]) -> None:
    """Each `then` names at most MAX_THEN other, existing items that fit every company form the
    item is for, so an answer never goes on with an item meant for another form."""
    by_id = {item.id: item for item in items}
    for item in items:
        if len(item.then) > MAX_THEN or item.id in item.then or not set(item.then) <= by_id.keys():
            raise KnowledgeBaseError(f"item {item.id}: `then` must name at most {MAX_THEN} other existing items")
        for other in (by_id[i] for i in item.then):
            if ALL_FORMS not in other.company_forms and (ALL_FORMS in item.company_forms
                                                         or not set(item.company_forms) <= set(other.company_forms)):
                raise KnowledgeBaseError(f"item {item.id}: `then` item {other.id} is for other company forms")


def load_items(path: Path = KNOWLEDGE_BASE) -> Tuple[Item, ...]:
    """Reads and validates the advice items, in file order.

    Raises:
        KnowledgeBaseError: unreadable or malformed file, missing field, unknown value,
            a review_by that is not a date after `checked`, a question over
            QUESTION_MAX_CHARS characters, a `then` naming an unknown item, itself, more
            than MAX_THEN items or an item for other company forms, duplicate id, an item of an unknown topic, a topic
            without a faq item, or a faq item that does not fit every phase and form.
    """
    return _load(path)[1]


@functools.lru_cache(maxsize=None)
def items_by_id(path: Path = KNOWLEDGE_BASE) -> Dict[str, Item]:
    """The items of `load_items(path)` by id; raises KnowledgeBaseError as load_items does."""
    return {item.id: item for item in load_items(path)}


def load_topics(path: Path = KNOWLEDGE_BASE) -> Dict[str, Topic]:
    """The topics by faq key, in file order (validated like `load_items`)."""
    return _load(path)[0]


def faq_answer(topic: str) -> str:
    """The faq answer for `topic`: its faq items' texts, joined by blank lines.

    Raises:
        KnowledgeBaseError: the topic has no faq item.
    """
    texts = [item.text for item in load_items() if item.topic == topic and item.faq]
    if not texts:
        raise KnowledgeBaseError(f"no faq item for topic {topic}")
    return "\n\n".join(texts)


def answer_items(item: Item) -> List[Item]:
    """What the knowledge answer for `item` shows, in order: the item, then the items its `then` names.

    Args:
        item: an item of load_items(), whose `then` ids were checked at load.
    """
    return [item, *(items_by_id()[other] for other in item.then)]


def advice(topic: str, phase: Optional[str], company_form: Optional[str]) -> List[Item]:
    """The items of `topic` that fit `phase` and `company_form`, in file order (items with no
    phases, which answer a direct question only, left out)."""
    return [item for item in load_items() if item.topic == topic and item.phases and item.fits(phase, company_form)]


def topics_for_phase(phase: Optional[str]) -> List[Topic]:
    """The topics that guided advice offers for `phase` (None: every offered topic)."""
    return [t for t in load_topics().values() if t.phases and (phase is None or phase in t.phases)]


@functools.lru_cache(maxsize=None)
def load_municipalities(path: Path = MUNICIPALITIES) -> Dict[str, Municipality]:
    """Reads the municipality table.

    Returns:
        {official name: Municipality}, 98 entries.

    Raises:
        KnowledgeBaseError: unreadable or malformed file, a missing field, or a
            municipality that names an unknown Erhvervshus.
    """
    raw = _read_yaml(path)
    try:
        houses = {h["id"]: Erhvervshus(h["id"], h["name"], h["city"]) for h in raw["erhvervshuse"]}
        return {
            m["name"]: Municipality(m["name"], m["region"], houses[m["erhvervshus"]], m.get("branch"), m.get("note"))
            for m in raw["municipalities"]
        }
    except (KeyError, TypeError) as error:
        raise KnowledgeBaseError(f"{path}: unknown Erhvervshus or missing field ({error!r})") from error
