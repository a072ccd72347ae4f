"""Follow-up questions ("og hvad koster det?"), answered against the answer just given.

The previous answer is what the bot said since the last user message with intent
`faq` (its faq key is the previous topic). A follow-up is resolved in this order:

1. what it asks for (a price, who pays, how long, when, how, capital, whether it still is, why: ASKS_FOR) is in a
   sentence of an item just shown that shares a word with the follow-up or the
   question before it ("hvor længe varer det?" after the fleksjob answer: "første gang
   bevilges det for 5 år"): that sentence alone, never the whole text again;
2. else an item not shown yet, of the previous topic or the topics one naturally asks
   about next (RELATED), that has what was asked for and fits the conversation (shares a
   word, names the company form in play, the item selector ranks it, or it says how);
3. else a sentence just shown that has it; else an honest "I don't know" with the phone
   number, for "hvorfor ...?" with the sentence the question is about.

A follow-up that asks for nothing of that kind gets the item for the company form it
names ("og for en forening?"), the source of the answer when it doubts it ("er du nu
sikker?"), a shown sentence it is about, or the best item not shown yet; an item the
user has been shown since the question is never given again. The same functions let a
knowledge answer drop the items the previous reply already had (`without_repeats`).

An elliptical message ("hvilken lov står det i", "hvad er satsen": `elliptical`) right after
a knowledge answer is read against that answer even when the NLU took it to another topic,
found it off-topic or could not place it (`thread_reply`); one stray keyword does not take it
elsewhere unless that topic's item has more of the message's words. A quoted sentence
("already said") must share a word with the follow-up itself; where nothing fits, the reply
is an honest "I don't know" with the phone number, not a guessed item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import source_line
from actions.contact import phone_link
from actions.knowledge import ALL_FORMS, COMPANY_FORM_LABELS, Item, load_items, load_topics
from actions.meta import meta_reply
from actions.normalise import find_value, fold
from actions.transcript import SHOWN_PREFIX, offered_questions, previous_reply, sentences, shown_items

# The topics a follow-up may lead on to, in order of preference (not facts: where a
# founder's next question usually goes).
RELATED: Dict[str, Tuple[str, ...]] = {
    "what_is_social_enterprise": ("rsv_criteria", "rsv_how_to_register"),
    "rsv_criteria": ("rsv_how_to_register", "rsv_benefits", "centre_history"),
    "rsv_benefits": ("rsv_how_to_register", "rsv_criteria", "centre_history"),
    "rsv_how_to_register": ("rsv_criteria",),
    "start_business": ("cvr_registration", "company_form"),
    "company_form": ("cvr_registration",),
    "cvr_registration": ("company_form",),
    "business_plan": ("funding", "free_guidance"),
    "funding": ("business_plan",),
    "hiring_special_terms": ("public_collaboration",),
    "public_procurement": ("rsv_benefits",),
    "centre_history": ("centre_status",),
    "centre_activities": ("centre_status",),
    "centre_status": ("free_guidance",),
    "advisory_council": ("centre_status",),
    "governance": ("rsv_criteria",),
    "growth": ("company_form", "cvr_registration", "funding"),
}

# What a follow-up asks for: patterns of the (folded, see actions.normalise.fold)
# follow-up that ask it, and patterns of an item's text that answer it.
ASKS_FOR: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "price": ((r"\b(koster|kaster|pris|prisen|gebyr\w*|gratis|dyrt)\b",),
              (r"gebyr", r"gratis", r"\bkost", r"\bpris")),
    "who_pays": ((r"\bbetal",),
                 (r"\bbetal", r"tilskud")),
    "duration": ((r"\b(lange|lang tid|hurtigt|varer|tager)\b",),
                 (r"\b\d+\s*(dage|uger|måneder|år)\b", r"\bsenest\b", r"toårig", r"\blængden\b")),
    "when": ((r"\b(hvornar|frist\w*|senest)\b",),
             (r"\b\d+\s*(dage|uger|måneder|år)\b", r"\bsenest\b", r"udgangen af \d{4}", r"\b(19|20)\d\d\b")),
    "how": ((r"\b(hvordan|soger|ansoger|ansoge|henvende|kontakte|skridt)\b", r"\b(gor|gore) (vi|man|jeg)\b"),
            (r"virk\.dk", r"anmeld", r"ansøg", r"registrer", r"selvbetjening", r"kontakt", r"\bgå til\b")),
    "capital": ((r"\b(kapital\w*|selskabskapital\w*|udbytte\w*|udbetale|indskud|skyde ind)\b",
                 r"\bpenge\b.*\b(sta|have|kraver)\b"),
                (r"kapital", r"udbytte", r"afkast")),
    "status": ((r"\b(stadig\w*|endnu|fortsat|opdateret)\b",),
               (r"længere", r"lukke", r"stadig", r"opdateret")),
    "rate": ((r"\b(sats\w*|procent\w*|hvor (meget|stor)\w* (er|bliver) (afgiften|skatten|tilskuddet))\b",),
             (r"\d+(,\d+)?\s*%", r"procent", r"\bsats")),
    "count": ((r"\bhvor mange\b",),
              (r"\d+\s*%", r"\bfor hver\b", r"\bper\b", r"\bmindst (to|tre|fire|fem|\d+)\b",
               r"\b(\d+|to|tre|fire|fem) (\w+ )?(ansatte|medarbejdere|personer|virksomheder|medlemmer|stiftere)\b")),
    "law": ((r"\b(lov|loven|lovens|lovgivning\w*|paragraf\w*|bekendtgorelse\w*)\b",),
            (r"\blov nr\.", r"§", r"\bloven\b")),
    "why": ((r"\bhvorfor\b",), ()),
}
# Asks answered by a procedure item rather than by a sentence picked out of an answer (a
# shown sentence is then the last resort).
NO_SENTENCE_ASKS = ("how",)
# Asks whose answer patterns (a year, "senest") are in many items: an item not shown yet
# answers them only if it also fits the conversation (shares a word, the company form, the ranking).
LOOSE_ASKS = ("duration", "when", "status", "rate", "count")
# Follow-ups that doubt the answer is right: they get its source.
DOUBTS = re.compile(r"\b(sikker|rigtigt?|korrekt|passer det|stemmer det|sandt)\b")
# Words too common to tie a follow-up to a sentence (folded, five letters or more).
COMMON_WORDS = {
    "hvordan", "hvorfor", "hvornar", "hvilke", "hvilken", "noget", "nogen", "nogle", "skulle", "kunne",
    "egentlig", "virksomhed", "virksomheden", "virksomheder", "vores", "jeres", "ogsa", "altsa", "gerne",
    "andre", "efter", "forste", "bliver", "blive", "have", "havde", "sadan", "meget", "mange", "bare", "lige",
    "rigtig", "hvad", "hvor", "vare", "skal", "godt", "ikke", "sige", "gore", "blev", "dine", "mine", "hver",
    "alle", "selv", "over", "under", "inden", "uden", "eller", "hvis", "fordi", "bruge", "dette", "disse",
    "de", "der", "det", "den", "dem", "med", "til", "for", "fra", "som", "og", "om", "vi", "man", "jeg", "du",
    "kommer", "komme", "star", "sagde", "siger", "tror", "synes", "taller", "sker", "passer",
}
# Three-letter words (folded) that are no subject of their own; "rsv", "cvr", "ivs" are.
SHORT_COMMON_WORDS = {"kan", "vil", "har", "var", "men", "nok", "sig", "sin", "sit", "han", "hun", "ham", "mig", "dig", "jer",
                      "hos", "fik", "far", "gar", "tak", "alt", "end", "nar", "vel", "ved", "nye", "ny", "ens", "tre"}
STEM = 6  # characters of a word that are compared ("vedtægterne" and "vedtægter")
MIN_WORD = 4  # "sroi", "moms" count
TIE_STEM = 5  # letters compared when weighing the thread against the NLU's own item
MATCH_WEIGHT = 2.0  # per pattern of a thing asked for that an item's text has
FOLLOW_UP_WORD = 10.0  # per word a sentence or item shares with the follow-up: the strongest tie
QUESTION_WORD = 1.0  # per word it shares with the question before the follow-up
LEAD_WEIGHT = 3.0  # a sentence of the item the previous answer led with
PICKED_WEIGHT = 25.0  # a sentence of the item the item selector picked for the (knowledge) question itself: it asks that item
FORM_WEIGHT = 3.0  # the item is about the company form the follow-up or its question names
OWN_TOPIC_BONUS = 0.5  # an item of the previous topic beats a related one when neither fits better
RANK_WEIGHT = 2.0  # times the item selector's confidence (0-1) for the follow-up
RANK_FITS = 0.3  # from this confidence the item selector alone makes an item fit
OWN_QUESTION_CONFIDENCE = 0.5  # from this item-selector confidence a follow-up naming its subject is a question of its own
ELLIPTICAL_MAX_WORDS = 11  # a longer message that points back ("det") says what it is about
LEANING_MAX_WORDS = 14  # "og hvis ...": leaning on the answer even when longer
BARE_QUESTION_MAX_WORDS = 4  # "hvad er satsen", "og P/S?": this short, a message leans on the answer before it
# Folded openings that lean on what was just said, and words that point back at it.
LEANING_OPENER = re.compile(
    r"^(?:(?:ok|okay|ja|jo|nej|jamen|hmm|na|sa)\W+)*(?:og|men|sa|eller|altsa|hvis|hvad med|hvad sa|hvad hvis|hvad nu)\b")
POINTING_BACK = re.compile(r"\b(det|den|de|dem|dette|disse|ham|hende|deraf|dertil|derefter|sa|hvad med)\b")
KNOWLEDGE_INTENTS = ("faq", "follow_up")  # a message with one of these was answered from the knowledge base
OFF_TOPIC_INTENT, OFF_TOPIC_RESPONSE = "out_of_scope", "utter_out_of_scope"

NO_TOPIC = (
    "Hvad tænker du på? Skriv gerne hele spørgsmålet, fx \"Hvad koster det at stifte et ApS?\", "
    "så svarer jeg så præcist, jeg kan."
)
ALREADY_SAID = (
    "{sentence}\n\nVar det ikke svar på dit spørgsmål, så skriv det gerne med andre ord, "
    f"eller ring til Erhvervsstyrelsen på {phone_link()}, så hjælper en rådgiver dig."
)
WHY_UNKNOWN = (
    "Hvorfor, står der ikke i mine kilder. Det, jeg ved, er: {sentence}\n\nVil du vide mere, så ring til "
    f"Erhvervsstyrelsen på {phone_link()}."
)
NOT_KNOWN = (
    "Det ved jeg desværre ikke: mine kilder om {title} siger ikke noget om det. Ring til "
    f"Erhvervsstyrelsen på {phone_link()}, så hjælper en rådgiver dig."
)
NOTHING_FOR_FORM = (
    "Jeg har ikke noget særligt om {form} ud over svaret ovenfor. Ring til Erhvervsstyrelsen på "
    f"{phone_link()}, hvis du vil være sikker på, hvad der gælder for jer."
)
SOURCE = (
    "Svaret bygger på {link} (tjekket {checked}). Vil du være helt sikker på, hvad der gælder for jer, så "
    f"ring til Erhvervsstyrelsen på {phone_link()}."
)
NOTHING_MORE = (
    "Mere end det har jeg ikke om {title}. Hvad vil du gerne vide mere præcist? Skriv gerne "
    "spørgsmålet med andre ord, eller ring til Erhvervsstyrelsen på " + phone_link() + ", "
    "så hjælper en rådgiver dig."
)


@dataclass(frozen=True)
class Reply:
    """A follow-up's answer: `text` (Danish markdown) and `kind`: "item" (an item not shown
    before), "sentence" (a sentence just shown), "source", "unknown" or "no_topic"."""

    text: str
    kind: str

    @property
    def answers(self) -> bool:
        """True if it gives a fact (an item or a sentence), not a question back or an "I don't know"."""
        return self.kind in ("item", "sentence")


def faq_key(parse_data: Dict[str, Any]) -> Optional[str]:
    """The faq key the response selector chose in `parse_data` ("rsv_criteria"), or None."""
    selected = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = str(selected.get("intent_response_key") or "").partition("/")[2]
    return key or None


def previous_question(events: List[Dict[str, Any]]) -> Tuple[Optional[Dict[str, Any]], List[str]]:
    """The last user event with intent `faq` before the latest message, and the bot texts since.

    Args:
        events: the tracker's events (dicts), oldest first; the last user event is
            the follow-up itself.

    Returns:
        (the user event or None, the texts of the bot messages after it, oldest first).
    """
    user_events = [i for i, e in enumerate(events) if e.get("event") == "user"]
    for index in reversed(user_events[:-1]):
        parse_data = events[index].get("parse_data") or {}
        if (parse_data.get("intent") or {}).get("name") == "faq" and faq_key(parse_data):
            bot_texts = [e.get("text") or "" for e in events[index + 1:] if e.get("event") == "bot"]
            return events[index], bot_texts
    return None, []


def shown_ids(question: Dict[str, Any], bot_texts: Iterable[str]) -> Set[str]:
    """The ids of the items the user has seen since `question`: in a bot text, or named by the item selector."""
    ids = {item.id for item in shown_items(bot_texts)}
    selected = (question.get("parse_data") or {}).get("knowledge_item") or {}
    if selected.get("id"):
        ids.add(selected["id"])
    return ids


def asked_for(text: str) -> List[str]:
    """What the follow-up asks for: keys of ASKS_FOR ("price", "duration", "why", ...), in its order; may be empty."""
    folded = fold(text)
    return [ask for ask, (asking, _) in ASKS_FOR.items() if any(re.search(p, folded) for p in asking)]


def _has(text: str, asks: Sequence[str]) -> int:
    """How many answer patterns of `asks` `text` has."""
    lowered = text.lower()
    return sum(1 for ask in asks for pattern in ASKS_FOR[ask][1] if re.search(pattern, lowered))


def answers(item: Item, asks: List[str]) -> bool:
    """True if the item's text has a pattern of something asked for."""
    return _has(item.text, asks) > 0


def _stems(text: str) -> Set[str]:
    words = re.findall(r"\w+", fold(text))
    return {w[:STEM] for w in words if len(w) >= MIN_WORD and w not in COMMON_WORDS and not w.isdigit()}


def _ask_stems(text: str) -> Set[str]:
    """Stems of the words that ask for something ("koster", "hvornår"): not content to match on."""
    folded = fold(text)
    found = {m.group(0) for ask in ASKS_FOR.values() for p in ask[0] for m in re.finditer(p, folded)}
    return {w[:STEM] for phrase in found for w in phrase.split()}


@dataclass
class _Context:
    """What a follow-up is read against: the previous topic, what was shown, the words in play."""

    topic: str
    shown: List[Item]
    shown_texts: str
    asks: List[str]
    company_form: Optional[str]
    follow_up_words: Set[str]
    question_words: Set[str]
    ranking: Dict[str, float]
    picked: Optional[str] = None
    offered: FrozenSet[str] = frozenset()  # the button titles of the previous reply

    def words_shared(self, text: str) -> float:
        """FOLLOW_UP_WORD per word of the follow-up in `text`, QUESTION_WORD per word of the question before it."""
        folded = fold(text)  # a stem inside a compound counts: "tilskud" in "løntilskud"
        return FOLLOW_UP_WORD * self.follow_up_ties(text) + QUESTION_WORD * sum(stem in folded for stem in self.question_words)

    def follow_up_ties(self, text: str) -> int:
        """How many words of the follow-up itself (not of the question before it) `text` has."""
        folded = fold(text)
        return sum(stem in folded for stem in self.follow_up_words)

    def item_score(self, item: Item) -> float:
        """How well an item not shown yet answers the follow-up (higher is better)."""
        score = OWN_TOPIC_BONUS if item.topic == self.topic else 0.0
        score += MATCH_WEIGHT * _has(item.text, self.asks) + self.words_shared(item.text)
        if self.form_fits(item):
            score += FORM_WEIGHT
        return score + RANK_WEIGHT * self.ranking.get(item.id, 0.0)

    def fits(self, item: Item) -> bool:
        """True if an item not shown yet belongs to this conversation enough to answer a LOOSE_ASKS follow-up."""
        folded = fold(item.text)
        return any(stem in folded for stem in self.follow_up_words) or sum(stem in folded for stem in self.question_words) >= 2 \
            or self.form_fits(item) or self.ranking.get(item.id, 0.0) >= RANK_FITS or item.question in self.offered

    def form_fits(self, item: Item) -> bool:
        """True if the item is about the company form in play (not about every form)."""
        return bool(self.company_form) and self.company_form in item.company_forms and ALL_FORMS not in item.company_forms


def _context(topic: str, question_text: str, bot_texts: List[str], latest: Dict[str, Any]) -> _Context:
    text = latest.get("text") or ""
    ranking = ((latest.get("knowledge_item") or {}).get("ranking")) or []
    return _Context(
        topic=topic,
        shown=shown_items(bot_texts),
        shown_texts="\n".join(bot_texts),
        asks=asked_for(text),
        company_form=find_value("company_form", text) or find_value("company_form", question_text),
        follow_up_words=_stems(text) - _ask_stems(text),
        question_words=_stems(question_text) - _ask_stems(question_text),
        ranking={r.get("id"): float(r.get("confidence") or 0) for r in ranking},
        picked=(latest.get("knowledge_item") or {}).get("id") if (latest.get("intent") or {}).get("name") == "faq" else None,
    )


def _candidates(context: _Context, selected: Optional[str]) -> List[Item]:
    """The items not shown yet of the previous topic and its RELATED topics, best first."""
    topics = (context.topic, *RELATED.get(context.topic, ()))
    shown = {item.id for item in context.shown} | ({selected} if selected else set())
    items = [item for t in topics for item in load_items() if item.topic == t and item.id not in shown]
    order = {item.id: position for position, item in enumerate(items)}
    return sorted(items, key=lambda item: (-context.item_score(item), order[item.id]))


def _best_sentence(context: _Context, need_words: bool, lead_only: bool = False) -> Tuple[float, Optional[str]]:
    """(score, the shown sentence with what was asked for, if anything was, tied most to the conversation).

    The score is PICKED_WEIGHT for a sentence of the item the NLU picked for the message (a
    knowledge question whose answer was shown), else LEAD_WEIGHT for one of the item the answer led with, plus the words
    shared (`_Context.words_shared`); with `need_words`, a sentence must share a word with the
    follow-up itself (or be of the picked item); with `lead_only`, only the sentences of the item
    the answer led with count. (0, None) if no sentence qualifies.
    """
    best: Tuple[float, Optional[str]] = (0.0, None)
    for position, item in enumerate(context.shown):
        if lead_only and position > 0:
            break
        picked = item.id == context.picked
        weight = PICKED_WEIGHT if picked else LEAD_WEIGHT if position == 0 else 0.0
        for sentence in sentences(item.text):
            if context.asks and not _has(sentence, context.asks):
                continue
            if need_words and not picked and not context.follow_up_ties(sentence):
                continue  # never quote a sentence that does not answer the follow-up's own words
            score = weight + context.words_shared(sentence)
            if best[1] is None or score > best[0]:
                best = (score, sentence)
    return best


def _quoted(context: _Context, sentence: str) -> str:
    """`sentence` with the other sentences of its item that have what was asked for (or, when
    nothing in particular was asked for, a word of the follow-up), in the item's order.

    "og koster cvr nummeret noget" after the CVR answer gets both the companies' fee and the
    free CVR number of a personally owned business, not only the sentence that names CVR.
    """
    for item in context.shown:
        parts = sentences(item.text)
        if sentence in parts:
            fits = (lambda p: _has(p, context.asks) > 0) if context.asks else context.follow_up_ties
            return " ".join(p for p in parts if p == sentence or fits(p))
    return sentence


def _item_reply(item: Item) -> Reply:
    return Reply(f"{item.text}\n\n{source_line(item.source)}", "item")


def _title(topic: str, context: Optional[_Context] = None) -> str:
    """The topic's title inside a sentence; with `context`, the title of the topic shown last."""
    topics = load_topics()
    if context and context.shown:
        topic = context.shown[-1].topic
    return topics[topic].in_sentence if topic in topics else "det"


def resolve(topic: str, question: Dict[str, Any], bot_texts: List[str], latest: Dict[str, Any],
            offered: FrozenSet[str] = frozenset()) -> Reply:
    """The answer to the follow-up `latest` after the knowledge question `question` on `topic`.

    Args:
        topic: the previous answer's faq key (for a knowledge question that repeats the
            previous answer, its own key).
        question: the user event (dict) of the previous knowledge question.
        bot_texts: the bot texts since that question, oldest first.
        latest: the follow-up's parse data ({"text", "intent", "knowledge_item", ...}).
        offered: the button titles of the previous reply (`offered_questions`): an item
            the bot itself offered fits the conversation ("frist?" after the button
            "Hvornår skal årsrapporten indsendes?").

    Returns:
        The Reply, resolved as the module docstring says.
    """
    selected = ((question.get("parse_data") or {}).get("knowledge_item") or {}).get("id")
    context = _context(topic, question.get("text") or "", bot_texts, latest)
    context.offered = offered
    candidates = _candidates(context, selected)
    asks = [ask for ask in context.asks if ask != "why"]
    if "why" in context.asks:
        _, sentence = _best_sentence(_context_without_asks(context), need_words=True)
        text = WHY_UNKNOWN.format(sentence=sentence) if sentence else NOT_KNOWN.format(title=_title(topic, context))
        return Reply(text, "unknown")
    if asks:
        context.asks = asks
        picks_sentence = not set(asks) & set(NO_SENTENCE_ASKS)
        score, sentence = _best_sentence(context, need_words=True) if picks_sentence else (0.0, None)
        fitting = [item for item in candidates if answers(item, asks) and (set(asks) - set(LOOSE_ASKS) or context.fits(item))]
        if sentence and (not fitting or score >= context.words_shared(fitting[0].text) + FORM_WEIGHT * context.form_fits(fitting[0])):
            return Reply(ALREADY_SAID.format(sentence=_quoted(context, sentence)), "sentence")
        _, lead_sentence = _best_sentence(context, need_words=False, lead_only=True) if picks_sentence else (0.0, None)
        if lead_sentence and (not fitting or not context.follow_up_ties(fitting[0].text)):
            return Reply(ALREADY_SAID.format(sentence=_quoted(context, lead_sentence)), "sentence")  # "hvad er satsen": the lead's rate
        if fitting:
            return _item_reply(fitting[0])
        _, sentence = _best_sentence(context, need_words=False, lead_only=True)  # "hvor længe varer det?": the lead's duration
        if sentence:
            return Reply(ALREADY_SAID.format(sentence=_quoted(context, sentence)), "sentence")
        return Reply(NOT_KNOWN.format(title=_title(topic, context)), "unknown")
    named_form = find_value("company_form", latest.get("text") or "")
    if named_form:
        for_form = [item for item in candidates if named_form in item.company_forms and ALL_FORMS not in item.company_forms]
        if for_form:
            return _item_reply(for_form[0])
        return Reply(NOTHING_FOR_FORM.format(form=COMPANY_FORM_LABELS.get(named_form, named_form)), "unknown")
    lead = context.shown[0] if context.shown else None
    if lead and DOUBTS.search(fold(latest.get("text") or "")):
        source = SOURCE.format(link=source_line(lead.source).removeprefix("Kilde: "), checked=lead.checked.strftime("%d.%m.%Y"))
        if source not in context.shown_texts:
            return Reply(source, "source")
    score, sentence = _best_sentence(context, need_words=True)
    ranked_first = bool(candidates) and context.ranking.get(candidates[0].id, 0.0) >= RANK_FITS  # wins a tie
    if sentence and context.words_shared(sentence) >= FOLLOW_UP_WORD and (
            not candidates or score > context.words_shared(candidates[0].text) - (not ranked_first)):
        return Reply(ALREADY_SAID.format(sentence=_quoted(context, sentence)), "sentence")
    if candidates:
        return _item_reply(candidates[0])
    return Reply(NOTHING_MORE.format(title=_title(topic)), "unknown")


def _context_without_asks(context: _Context) -> _Context:
    return _Context(context.topic, context.shown, context.shown_texts, [], context.company_form,
                    context.follow_up_words, context.question_words, context.ranking, context.picked, context.offered)


def elliptical(text: str) -> bool:
    """True if `text` is a short message that leans on the answer before it.

    That is a message that opens with a word leaning on what was said ("og for en forening?",
    "og hvis fonden lukker, hvad sker der med pengene?": at most LEANING_MAX_WORDS words),
    points back at it ("hvilken lov står det i", "vi vil ansætte en på deltid, ændrer det
    noget?": at most ELLIPTICAL_MAX_WORDS words), or is a bare question of at most
    BARE_QUESTION_MAX_WORDS words ("hvad er satsen"). A button payload ("/intent") is not.
    """
    folded = fold(text or "").strip()
    words = len(re.findall(r"\w+", folded))
    if not words or folded.startswith("/"):
        return False
    if LEANING_OPENER.search(folded):
        return words <= LEANING_MAX_WORDS
    return words <= BARE_QUESTION_MAX_WORDS or (words <= ELLIPTICAL_MAX_WORDS and POINTING_BACK.search(folded) is not None)


def _content_ties(text: str, reply_text: str) -> int:
    """How many content words of the message `text` (not its asking words) `reply_text` has,
    compared by their first TIE_STEM letters ("revisor" and "revision"); three-letter names
    count ("rsv", "cvr")."""
    folded = fold(reply_text)
    words = {w[:TIE_STEM] for w in re.findall(r"\w+", fold(text))
             if len(w) >= 3 and w not in COMMON_WORDS and w not in SHORT_COMMON_WORDS and not w.isdigit()}
    return len({stem for stem in words - _ask_stems(text) if re.search(rf"\b{re.escape(stem)}", folded)})


def follow_up_reply(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> Reply:
    """The answer to the follow-up `latest` (parse data) in a conversation of `events` (dicts, oldest first).

    A follow-up naming its own subject gets that subject's item (`own_question`), unless it is
    elliptical (`elliptical`) and the previous answer's thread has more of its words: then one
    stray keyword ("revisor") does not override the thread.
    """
    question, bot_texts = previous_question(events)
    topic = faq_key(question["parse_data"]) if question else None
    own = own_question(latest, topic, bot_texts)
    if question is None or topic is None:
        return _item_reply(own) if own is not None else Reply(NO_TOPIC, "no_topic")
    thread = resolve(topic, question, bot_texts, latest, offered_questions(events))
    text = latest.get("text") or ""
    if own is not None and (not elliptical(text) or _content_ties(text, own.text) > _content_ties(text, thread.text)):
        return _item_reply(own)
    return thread


def answered_just_before(events: List[Dict[str, Any]]) -> bool:
    """True if the reply to the message before the latest one was a knowledge answer.

    That is: that message had intent faq or follow_up, or its reply showed knowledge items.
    """
    users = [e for e in events if e.get("event") == "user"]
    if len(users) < 2:
        return False
    previous_intent = ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")
    return previous_intent in KNOWLEDGE_INTENTS or bool(shown_items(previous_reply(events)))


def thread_reply(events: List[Dict[str, Any]], latest: Dict[str, Any]) -> Optional[Reply]:
    """The answer to an elliptical message read against the answer just given, or None.

    A message that is elliptical and comes right after a knowledge answer is answered as a
    follow-up of that answer (`resolve`: the sentence asked about, the item that fits, or an
    honest "I don't know" with the phone number), unless the item the NLU chose has more of
    its content words than that reply (it names a subject of its own: "og hvad er grænsen for
    moms?"), or as many and belongs to the previous topic or its RELATED topics, has what was
    asked for, and the reply is not the item of a company form the message names (the NLU
    stayed in the thread itself).

    Args:
        events: the tracker's events (dicts), oldest first, ending with the message.
        latest: the message's parse data.

    Returns:
        The Reply, or None when the message is to be answered as the NLU read it.
    """
    text = latest.get("text") or ""
    if not elliptical(text) or not answered_just_before(events):
        return None
    question, bot_texts = previous_question(events)
    topic = faq_key(question["parse_data"]) if question else None
    if question is None or topic is None:
        return None
    chosen = {item.id: item for item in load_items()}.get(((latest.get("knowledge_item") or {}).get("id")) or "")
    thread = resolve(topic, question, bot_texts, latest, offered_questions(events))
    thread_ties = _content_ties(text, thread.text)
    asks = [ask for ask in asked_for(text) if ask != "why"]
    named_form = find_value("company_form", text)
    if chosen is not None:
        own_ties = _content_ties(text, f"{chosen.question} {chosen.text}")
        if own_ties > thread_ties:
            return None  # the message names a subject of its own
        if not thread.answers and named_form in chosen.company_forms and ALL_FORMS not in chosen.company_forms:
            return None  # "og P/S?" after another topic: the NLU's item for that form
        in_thread = chosen.topic in (topic, *RELATED.get(topic, ()))
        thread_fits = thread.kind == "item" and named_form is not None  # "og P/S?"
        if in_thread and own_ties == thread_ties and not (asks and not answers(chosen, asks)) and not thread_fits:
            return None  # the NLU stays in the thread itself, with what was asked for
    if thread.kind == "item" and not thread_ties and not asks and not named_form:
        return Reply(NOT_KNOWN.format(title=_title(topic)), "unknown")  # the next item would be a guess
    return thread


def own_question(latest: Dict[str, Any], topic: Optional[str], bot_texts: List[str]) -> Optional[Item]:
    """The item a "follow-up" that names its own subject asks for ("og hvad er grænsen for moms?"), or None.

    That is the item selector's best item for the message when it is at least
    OWN_QUESTION_CONFIDENCE sure, the item is outside the previous topic and its RELATED
    topics and not shown yet, and a word of the message (not an asking word, not the company
    form it names: "og for en forening?" stays a follow-up) is in its text.
    """
    best = latest.get("knowledge_item") or {}
    item = {i.id: i for i in load_items()}.get(best.get("id") or "")
    if item is None or float(best.get("confidence") or 0) < OWN_QUESTION_CONFIDENCE:
        return None
    if topic is not None and item.topic in (topic, *RELATED.get(topic, ())):
        return None
    if item.text[:SHOWN_PREFIX] in "\n".join(bot_texts):
        return None
    text = latest.get("text") or ""
    form = find_value("company_form", text)
    own_words = _stems(text) - _ask_stems(text) - _stems(f"{form} {COMPANY_FORM_LABELS.get(form or '', '')}")
    folded = fold(f"{item.question} {item.text}")
    return item if any(stem in folded for stem in own_words) else None


def without_repeats(answer: str, previous: Sequence[str]) -> Optional[str]:
    """A knowledge answer without the items the previous reply already had.

    Args:
        answer: the answer's text: item texts joined by blank lines (data/responses/faq.yml).
        previous: the texts of the bot's previous reply.

    Returns:
        `answer` unchanged if the previous reply had none of its items; the items it
        did not have, in order, if it had some but not the first; None if it had the
        first (the answer would say the same again: treat the message as a follow-up).
    """
    seen = "\n".join(previous)
    items = [item for item in load_items() if item.text in answer]
    items.sort(key=lambda item: answer.index(item.text))
    repeated = [item for item in items if item.text[:SHOWN_PREFIX] in seen]
    if not repeated:
        return answer
    if items and items[0] in repeated:
        return None
    return "\n\n".join(item.text for item in items if item not in repeated)


class ActionFollowUp(Action):
    """Answers a follow-up against the answer just given (see the module docstring)."""

    def name(self) -> Text:
        """The action name used in domain.yml and data/rules/faq.yml."""
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """Utters the follow-up's answer (`follow_up_reply`); sets nothing.

        An ending or a request for a shorter answer gets actions.meta's reply.

        A message the NLU found off-topic (data/rules/faq.yml sends it here right after a
        knowledge answer) is answered as a follow-up only if it is elliptical and leans on
        that answer (`thread_reply`); otherwise it gets utter_out_of_scope.
        """
        latest = tracker.latest_message or {}
        meta = meta_reply(tracker.events, latest.get("text") or "")
        if meta:  # "kan du sige det kortere", "ok tak" read as a follow-up
            dispatcher.utter_message(**meta)
            return []
        if (latest.get("intent") or {}).get("name") == OFF_TOPIC_INTENT:
            thread = thread_reply(tracker.events, latest)
            if thread is None:
                dispatcher.utter_message(response=OFF_TOPIC_RESPONSE)
            else:
                dispatcher.utter_message(text=thread.text)
            return []
        dispatcher.utter_message(text=follow_up_reply(tracker.events, latest).text)
        return []
