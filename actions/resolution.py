"""Resolving a follow-up against the topic just discussed: which sentence of which item answers it.

The candidates are the items the previous answer showed, the other items of its topic, the
topics one naturally asks about next (actions.thread.RELATED) and the items its buttons
offered. Every sentence of every candidate is scored against the follow-up (`_score`): the
follow-up's own content words it has (actions.wording.ties: Danish stems, compounds,
numbers), what the follow-up asks for (a price, a time, an amount, ...), whether the item's
own question asks the same ("Koster det noget at blive registreret som RSV?"), and a little
for the item the last answer led with and for the previous topic.

The best sentence of an item just shown is sent alone, with at most one more sentence of that
item that covers a word or ask the first leaves out ("og hvis vi kommer over midt på året":
the 50.000 kr. limit and the calendar year), never the previous answer again; an item not shown
yet is sent whole, or only its answering sentences when they come late in a longer item. A
follow-up nothing in the topic answers gets an honest "I don't know" with the phone number.
"hvorfor ...?", "og for en forening?" and "er du nu sikker?" have their own answers (the
sentence the question is about, the item for that company form, the source).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Set

from actions.contact import phone_link
from actions.knowledge import ALL_FORMS, COMPANY_FORM_LABELS, Item, items_by_id, load_items
from actions.normalise import find_value, fold
from actions.replies import (
    NOTHING_FOR_FORM,
    NOTHING_MORE,
    WHY_UNKNOWN,
    Reply,
    item_reply,
    not_known,
    source_line,
    source_reply,
    title,
)
from actions.thread import RELATED, THREAD_ITEM
from actions.transcript import sentences, shown_items
from actions.wording import (
    LOOSE_ASKS,
    NO_SENTENCE_ASKS,
    answer_matches,
    asked_for,
    asks_in,
    content_words,
    ties,
    words,
)

# Follow-ups that doubt the answer is right: they get its source.
DOUBTS = re.compile(r"\b(sikker|rigtigt?|korrekt|passer det|stemmer det|sandt)\b")
# "og hvis ...": a sentence that states a condition and what follows from it answers it best.
CONDITIONAL_FOLLOW_UP = re.compile(
    r"^(?:\W*(?:og|men|ok|okay|sa)\W+)*(?:hvad )?(?:hvis|nar)\b|\b(andrer|betyder) det (noget|ikke)\b")
CONDITION = re.compile(r"^(med|har|hvis|nar|bliver|far|kommer|lever|oploses|salger|holder)\b|\b(hvis|nar)\b")
FOLLOW_UP_WORD = 10.0  # per content word of the follow-up a sentence has: the strongest tie
QUESTION_WORD = 1.0  # per content word of the question before the follow-up
MATCH_WEIGHT = 2.0  # per answer pattern of what was asked for
ITEM_QUESTION_ASK = 4.0  # the item's own question asks what the follow-up asks ("koster" and "Koster det noget ...?")
ITEM_QUESTION_WORD = 3.0  # per content word of the follow-up in the item's own question
LEAD_WEIGHT = 3.0  # a sentence of the item the last answer led with (not the first answer of the thread)
PICKED_WEIGHT = 25.0  # a sentence of the item the item selector picked for a knowledge question itself
OWN_TOPIC_BONUS = 0.5  # an item shown or of the previous topic beats a related one when neither fits better
FORM_WEIGHT = 3.0  # the item is about the company form the follow-up or its question names
RANK_WEIGHT = 2.0  # times the item selector's confidence (0-1) for the follow-up
SHOWN_TIES = 2  # rare words an item not shown shares with those shown to be about the same thing
RARE_IN_ITEMS = 5  # a word in at most this many items is rare ("årsrapporten", "regnskabsklasse"; not "RSV")
RANK_FITS = 0.3  # from this confidence the item selector alone makes an item fit
CONDITION_WEIGHT = 3.0  # a conditional sentence ("Med lønnede ansatte ...") for an "og hvis ..." follow-up
LONG_ITEM = 3  # sentences from which an item not shown yet gives only the sentences that answer
MAIN_CLAUSE = re.compile(r",\s+(?:og|men)\s+|;\s+")  # where two main clauses of one sentence meet
# A sentence that opens by pointing back at the one before it belongs with it.
BACK_REFERENCE = re.compile(r"^(den|det|de|dette|hvad den|hvad det|sa)\b")
# A quoted sentence that leaves the answer open ("Satsen afhænger af ...") gets the phone number after it.
DEFERS = re.compile(r"\b(afhænger af|ikke entydigt|ved jeg ikke|kender ikke)\b")
DEFERRED = f"Vil du have et præcist svar for jer, så ring til Erhvervsstyrelsen på {phone_link()}."
# A follow-up that ends on a pronoun for the thing just shown ("hvor opretter vi det", "hvem godkender dem").
POINTS_BACK = re.compile(r"\b(det|den|dem|dette|de)\W*$")
DEFINITE_ENDINGS = ("en", "et", "n", "t")  # "afgiften", "gebyret", "ordningen"
MAX_REFERRING_WORDS = 6  # longer messages say what they are about themselves
LIST_MARK = re.compile(r"^(\d+\.|-)\s+")


@dataclass
class Thread:
    """What a follow-up is read against: the previous topic, what was shown, the words in play."""

    topic: str
    shown: List[Item]
    shown_texts: str
    asks: List[str]  # what the follow-up asks for, "why" left out
    message_words: FrozenSet[str]  # the follow-up's content words (actions.wording.content_words)
    question_words: FrozenSet[str]  # those of the knowledge question before it
    question_asks: List[str]  # what that question asked for
    shown_words: FrozenSet[str]  # the rare content words (`rare_words`) of the items shown since that question
    shown_last: List[Item]  # the items of the last bot text that showed any: the one led with, what "hvorfor?" is about
    company_form: Optional[str]
    ranking: Dict[str, float]  # the item selector's confidence per item for the follow-up alone
    picked: Optional[str] = None  # the item the item selector picked for a knowledge question
    offered: FrozenSet[str] = frozenset()  # the button titles of the previous reply
    conditional: bool = False
    referred: FrozenSet[str] = frozenset()  # `referred`: the things the answer just named that the follow-up asks about
    excluded: Set[str] = field(default_factory=set)  # the ids of the items shown: never sent again whole
    joined: Dict[str, float] = field(default_factory=dict)  # `joined_ranking`: it ranks, but alone never makes an item fit

    def form_fits(self, item: Item) -> bool:
        """True if the item is about the company form in play (not about every form)."""
        return bool(self.company_form) and self.company_form in item.company_forms and ALL_FORMS not in item.company_forms

    def fits(self, item: Item) -> bool:
        """True if an item not shown yet belongs to this conversation enough to answer a LOOSE_ASKS follow-up."""
        return (ties(self.message_words, f"{item.question} {item.text}") > 0 or ties(self.question_words, item.text) >= 2
                or ties(self.shown_words, item.text) >= SHOWN_TIES or self.form_fits(item)
                or self.ranking.get(item.id, 0.0) >= RANK_FITS or item.question in self.offered)

    def item_score(self, item: Item) -> float:
        """How well an item not shown yet answers the follow-up as a whole (higher is better)."""
        score = OWN_TOPIC_BONUS if item.topic == self.topic else 0.0
        score += MATCH_WEIGHT * answer_matches(item.text, self.asks) + FOLLOW_UP_WORD * ties(self.message_words, item.text)
        score += QUESTION_WORD * ties(self.question_words, item.text) + FORM_WEIGHT * self.form_fits(item)
        return score + RANK_WEIGHT * self.joined.get(item.id, 0.0)


@dataclass(frozen=True)
class Match:
    """A candidate sentence: its item, its score, and the follow-up's words and asks it covers."""

    item: Item
    sentence: str
    score: float
    covers: FrozenSet[str]


def thread_of(topic: str, question: Dict[str, Any], bot_texts: List[str], latest: Dict[str, Any],
              offered: FrozenSet[str] = frozenset()) -> Thread:
    """The Thread of the follow-up `latest` (parse data) after the knowledge question `question` (user event)."""
    text = latest.get("text") or ""
    question_text = question.get("text") or ""
    shown = shown_items(bot_texts)
    shown_last = next((found for found in (shown_items([bot_text]) for bot_text in reversed(bot_texts)) if found), [])
    return Thread(
        topic=topic,
        shown=shown,
        shown_texts="\n".join(bot_texts),
        asks=[ask for ask in asked_for(text) if ask != "why"],
        message_words=content_words(text),
        question_words=content_words(question_text),
        question_asks=[ask for ask in asked_for(question_text) if ask != "why"],
        shown_words=frozenset().union(*(content_words(item.text) for item in shown)) & rare_words(),
        shown_last=shown_last,
        # The question's company form counts until the thread moves on to another answer.
        company_form=find_value("company_form", text) or (find_value("company_form", question_text)
                                                          if shown_last[:1] == shown[:1] else None),
        ranking={r.get("id"): float(r.get("confidence") or 0) for r in ((latest.get("knowledge_item") or {}).get("ranking") or [])},
        picked=picked_item(latest),
        offered=offered,
        conditional=CONDITIONAL_FOLLOW_UP.search(fold(text)) is not None,
        referred=referred(text, bot_texts),
        excluded={item.id for item in shown},
        joined=joined_ranking(latest),
    )


def referred(text: str, bot_texts: List[str]) -> FrozenSet[str]:
    """The things (folded word bases) the short message `text` names in the definite form after the bot
    texts `bot_texts` named them in the indefinite: {"afgift"} for "hvor meget er afgiften" after "kan
    ledelsen få en afgift". It asks about that thing, not about the lønsumsafgift; empty if none."""
    shown = fold(" ".join(bot_texts))
    found = re.findall(r"[^\W\d_]{4,}", fold(text))
    if len(found) > MAX_REFERRING_WORDS:
        return frozenset()
    bases = {word[: -len(ending)] for word in found for ending in DEFINITE_ENDINGS
             if word.endswith(ending) and len(word) - len(ending) >= 4}
    return frozenset(base for base in bases if re.search(rf"\b(en|et) {re.escape(base)}\b", shown))


def names(item: Item, bases: FrozenSet[str]) -> bool:
    """True if the item's text has each of `bases` (see `referred`) as a word of its own, not as a
    compound's tail ("afgift" in "en afgift", not in "lønsumsafgift"); True for no bases."""
    if not bases:
        return True
    text = fold(f"{item.question} {item.text}")
    return all(re.search(rf"\b{re.escape(base)}(en|et|n|t|er|erne|e)?\b", text) for base in bases)


def picked_item(latest: Dict[str, Any]) -> Optional[str]:
    """The item id the item selector picked for the knowledge question `latest` (parse data), or None: also
    None when the message points back at the answer just given ("hvor opretter vi det") and none of its
    content words is in the picked item, so "det" stays the thing just shown."""
    if (latest.get("intent") or {}).get("name") != "faq":
        return None
    picked = (latest.get("knowledge_item") or {}).get("id") or ""
    item = items_by_id().get(picked)
    text = latest.get("text") or ""
    if item and POINTS_BACK.search(fold(text)) and not ties(content_words(text), f"{item.question} {item.text}"):
        return None
    return picked or None


@lru_cache(maxsize=1)
def rare_words() -> FrozenSet[str]:
    """The content words (stems, actions.wording.words) that are in at most RARE_IN_ITEMS items' texts."""
    counts = Counter(word for item in load_items() for word in content_words(item.text))
    return frozenset(word for word, count in counts.items() if count <= RARE_IN_ITEMS)


def joined_ranking(latest: Dict[str, Any]) -> Dict[str, float]:
    """The item selector's confidence (0-1) per item id for the follow-up `latest` (parse data): the higher of
    its own ranking and that of the follow-up read together with the question before it (THREAD_ITEM,
    channels/threads.py), so "og et p/s?" after the A/S capital ranks the A/S–P/S item, not any P/S item."""
    ranking: Dict[str, float] = {}
    for reading in (latest.get("knowledge_item") or {}, latest.get(THREAD_ITEM) or {}):
        for entry in reading.get("ranking") or []:
            ranking[entry.get("id")] = max(ranking.get(entry.get("id"), 0.0), float(entry.get("confidence") or 0))
    return ranking


def candidates(thread: Thread) -> List[Item]:
    """The items shown, of the previous topic, of its RELATED topics, of the topics of the items shown (a
    second question's answer), and offered as buttons, once each; only those that name what the follow-up
    refers back to (`Thread.referred`)."""
    topics = (thread.topic, *RELATED.get(thread.topic, ()), *(item.topic for item in thread.shown))
    found = list(thread.shown)
    found += [item for t in topics for item in load_items() if item.topic == t]
    found += [item for item in load_items() if item.question in thread.offered]
    return [item for item in {item.id: item for item in found}.values() if names(item, thread.referred)]


def unseen(thread: Thread) -> List[Item]:
    """The candidates not shown yet, best first (`Thread.item_score`)."""
    items = [item for item in candidates(thread) if item.id not in thread.excluded]
    order = {item.id: position for position, item in enumerate(items)}
    return sorted(items, key=lambda item: (-thread.item_score(item), order[item.id]))


def _score(thread: Thread, item: Item, sentence: str) -> Match:
    shown = item.id in thread.excluded
    sentence_words = words(sentence)
    covered = {w for w in thread.message_words if ties(frozenset({w}), sentence)}
    covered |= {ask for ask in thread.asks if answer_matches(sentence, [ask])}
    score = FOLLOW_UP_WORD * ties(thread.message_words, sentence) + QUESTION_WORD * ties(thread.question_words, sentence)
    score += MATCH_WEIGHT * answer_matches(sentence, thread.asks) + ITEM_QUESTION_ASK * asks_in(item.question, thread.asks)
    score += ITEM_QUESTION_WORD * ties(thread.message_words - sentence_words, item.question)
    score += LEAD_WEIGHT * bool(thread.shown_last and item.id == thread.shown_last[0].id)
    score += PICKED_WEIGHT * (item.id == thread.picked) + OWN_TOPIC_BONUS * (shown or item.topic == thread.topic)
    score += FORM_WEIGHT * thread.form_fits(item) + RANK_WEIGHT * thread.joined.get(item.id, 0.0)
    score += CONDITION_WEIGHT * (thread.conditional and CONDITION.search(fold(sentence)) is not None)
    return Match(item, sentence, score, frozenset(covered))


def _answers(thread: Thread, match: Match) -> bool:
    """True if `match` answers the follow-up: it has what was asked for (and fits, for a loose ask on an item
    not shown yet), or a word of the follow-up; or the item selector picked or ranked its item."""
    if thread.asks:
        if not answer_matches(match.sentence, thread.asks):
            return False
        loose = not set(thread.asks) - set(LOOSE_ASKS)
        return not loose or match.item.id in thread.excluded or thread.fits(match.item)
    return bool(match.covers) or match.item.id == thread.picked or thread.ranking.get(match.item.id, 0.0) >= RANK_FITS


def best_match(thread: Thread, shown_only: bool = False) -> Optional[Match]:
    """The best-scoring candidate sentence that answers the follow-up (`_answers`), or None.

    With `shown_only`, only the sentences of the items shown since the question count.
    """
    items = [item for item in thread.shown if names(item, thread.referred)] if shown_only else candidates(thread)
    matches = [_score(thread, item, sentence) for item in items for sentence in sentences(item.text)]
    fitting = [m for m in matches if _answers(thread, m)]
    return max(fitting, key=lambda m: m.score) if fitting else None


def quote(thread: Thread, match: Match) -> str:
    """The matched sentence, with at most one more sentence of its item: the one before it if it points
    back at that ("Den får eneret ..."), the next one if that points back at it ("Hvad den kommer til
    at sige ..."), else one that covers a word or ask the first leaves out or answers what was asked
    as well (the companies' fee beside the free CVR number), in the item's order; list marks ("2. ",
    "- ") taken off; the phone number after a sentence that leaves it open."""
    chosen = [match.sentence]
    others = [_score(thread, match.item, s) for s in sentences(match.item.text) if s != match.sentence]
    asked = answer_matches(match.sentence, thread.asks)
    extra = [m for m in others if m.covers - match.covers
             or (asked and answer_matches(m.sentence, thread.asks) >= asked)]  # a second price, a second deadline
    parts = sentences(match.item.text)
    position = parts.index(match.sentence)
    following = parts[position + 1] if position + 1 < len(parts) else None
    if position and BACK_REFERENCE.search(fold(match.sentence)):
        chosen.append(parts[position - 1])  # "Den får eneret ..." needs the sentence "den" points back at
    elif following and BACK_REFERENCE.search(fold(following)):
        chosen.append(following)  # "Hvad den kommer til at sige, ved jeg ikke endnu" goes with its sentence
    elif extra:
        chosen.append(max(extra, key=lambda m: m.score).sentence)
    text = " ".join(LIST_MARK.sub("", s) for s in sentences(match.item.text) if s in chosen)
    if DEFERS.search(text) and phone_link() not in text:
        text = f"{text}\n\n{DEFERRED}"
    return text


def _clause(thread: Thread, sentence: str) -> Optional[str]:
    """The one main clause of `sentence` ("..., og ...") that has the follow-up's words or asks, as a sentence; else None.

    "og hvem godkender det" right after "Det er kommunen, der godkender personen til fleksjob, og første
    gang bevilges det for 5 år." gets "Det er kommunen, der godkender personen til fleksjob."
    """
    clauses = [c.strip(" .") for c in MAIN_CLAUSE.split(sentence) if c.strip(" .")]
    fitting = [c for c in clauses if ties(thread.message_words, c) or answer_matches(c, thread.asks)]
    if len(clauses) < 2 or len(fitting) != 1:
        return None
    return fitting[0][0].upper() + fitting[0][1:] + "."


def _repeats_all(thread: Thread, text: str) -> bool:
    """True if `text` has every sentence shown since the question (it would be the same answer again)."""
    shown = [s for item in thread.shown for s in sentences(item.text)]
    return bool(shown) and all(LIST_MARK.sub("", s) in text for s in shown)


def _special(thread: Thread, text: str) -> Optional[Reply]:
    """The reply to "hvorfor ...?", to a follow-up naming a company form, or to one doubting the answer; else None."""
    if "why" in asked_for(text):  # a bare "hvorfor?" is about the answer just given, read with the question
        bare = not thread.message_words
        about = {"message_words": thread.question_words, "asks": thread.question_asks, "shown": thread.shown_last} \
            if bare else {"asks": []}
        best = best_match(Thread(**{**thread.__dict__, **about}), shown_only=True)
        known = best is not None and bool(best.covers)
        return Reply(WHY_UNKNOWN.format(sentence=best.sentence), "unknown") if known and best else not_known(_last_topic(thread))
    if thread.asks:
        return None
    named_form = find_value("company_form", text)
    if named_form:
        for_form = [item for item in candidates(thread) if named_form in item.company_forms and ALL_FORMS not in item.company_forms]
        said = [item for item in for_form if item.id in thread.excluded]
        if said:  # the answer just given is about the form too ("Et A/S og et P/S kræver ...")
            reply = _form_sentence(max(said, key=lambda item: thread.joined.get(item.id, 0.0)), named_form)
            if reply is not None:
                return reply
        for_form = [item for item in unseen(thread) if named_form in item.company_forms and ALL_FORMS not in item.company_forms]
        if for_form:
            return item_reply(for_form[0])
        return Reply(NOTHING_FOR_FORM.format(form=COMPANY_FORM_LABELS.get(named_form, named_form)), "unknown")
    lead = thread.shown[0] if thread.shown else None
    if lead and DOUBTS.search(fold(text)):
        source = source_reply(lead)
        if source not in thread.shown_texts:
            return Reply(source, "source")
    return None


def _form_sentence(item: Item, form: str) -> Optional[Reply]:
    """The sentences of `item` (just shown) that name the company form `form` ("Et A/S og et P/S kræver ..."), or None."""
    label = COMPANY_FORM_LABELS.get(form, form).split()[-1].lower()
    named = [s for s in sentences(item.text) if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", s.lower())]
    return Reply(" ".join(LIST_MARK.sub("", s) for s in named), "sentence", item) if named else None


def _last_topic(thread: Thread) -> str:
    return thread.shown[-1].topic if thread.shown else thread.topic


def resolve(topic: str, question: Dict[str, Any], bot_texts: List[str], latest: Dict[str, Any],
            offered: FrozenSet[str] = frozenset()) -> Reply:
    """The answer to the follow-up `latest` after the knowledge question `question` on `topic`.

    Args:
        topic: the previous answer's faq key (for a knowledge question that repeats the
            previous answer, its own key).
        question: the user event (dict) of the previous knowledge question.
        bot_texts: the bot texts since that question, oldest first.
        latest: the follow-up's parse data ({"text", "intent", "knowledge_item", ...}).
        offered: the button titles of the previous reply (actions.transcript.offered_questions):
            an item the bot itself offered fits the conversation.

    Returns:
        The Reply, resolved as the module docstring says: "sentence" (one or two sentences of
        an item just shown), "item" (an item not shown yet), "source", or "unknown" (the
        honest "I don't know" with the phone number).
    """
    thread = thread_of(topic, question, bot_texts, latest, offered)
    text = latest.get("text") or ""
    special = _special(thread, text)
    if special is not None:
        return special
    if set(thread.asks) & set(NO_SENTENCE_ASKS):
        procedures = [item for item in unseen(thread) if answer_matches(item.text, thread.asks)]
        if procedures:
            return item_reply(procedures[0])
    best = best_match(thread)
    if best is not None and best.item.id not in thread.excluded:
        parts = sentences(best.item.text)
        if len(parts) >= LONG_ITEM and best.sentence != parts[0]:  # the answer is deep in a longer item
            return Reply(f"{quote(thread, best)}\n\n{source_line(best.item.source)}", "item", best.item)
        return item_reply(best.item)
    if best is not None:
        quoted = quote(thread, best)
        if quoted.strip() in (text.strip() for text in bot_texts[-2:]):
            quoted = _clause(thread, best.sentence) or quoted  # never the reply just sent, word for word
        if _repeats_all(thread, quoted) or quoted.strip() in (text.strip() for text in bot_texts[-2:]):
            return not_known(_last_topic(thread))
        return Reply(quoted, "sentence", best.item)
    if thread.asks or thread.message_words:
        return not_known(_last_topic(thread))
    following = unseen(thread)
    return item_reply(following[0]) if following else Reply(NOTHING_MORE.format(title=title(topic)), "unknown")
