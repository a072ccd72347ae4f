"""Danish words of a follow-up, matched against the sentences of the knowledge items.

A follow-up's content words ("lønnen", "aaret", "lukker", "2027") are reduced to light stems:
folded (æ/ø/å and ae/oe/aa as a/o, actions.normalise.fold), the common inflection endings
taken off ("åbnede" and "åbnet" -> "abn", "lønnen" -> "lon"), a few everyday words mapped to
the word the knowledge base uses (CONCEPTS: "lukker" -> "oplos", "kommerciel" -> "salg").
Numbers of two digits or more ("2027", "50.000") are words too. Two stems match when they
are equal, or when the shorter one (at least COMPOUND_PART letters) begins or ends the
longer one: Danish compounds ("tilskud" in "fleksløntilskud", "skrevet" in "underskrevet").

What a follow-up asks for (a price, who pays, a time, an amount, a limit, ...: ASKS_FOR) is
read from its asking words, and an item's sentence answers it if it has one of the answer
patterns.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Sequence, Tuple

from actions.normalise import fold

# What a follow-up asks for: patterns of the folded follow-up that ask it, and patterns of
# an item's (lower-case) text that answer it.
ASKS_FOR: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "price": ((r"\b(koster|kaster|pris|prisen|gebyr\w*|gratis|dyrt)\b",),
              (r"gebyr", r"gratis", r"\bkost", r"\bpris")),
    "who_pays": ((r"\bbetal",),
                 (r"\bbetal", r"tilskud")),
    "duration": ((r"\b(lange|lang tid|hurtigt|varer|tager)\b",),
                 (r"\b\d+\s*(dage|uger|måneder|år)\b", r"\bsenest\b", r"toårig", r"\blængden\b")),
    "when": ((r"\bhvornar\b",),
             (r"\b\d+\s*(dage|uger|måneder|år)\b", r"\bsenest\b", r"udgangen af \d{4}", r"\b(19|20)\d\d\b")),
    # "hvad er fristen": a time limit answers it, a year on its own does not.
    "deadline": ((r"\b(frist\w*|senest)\b",),
                 (r"\b\d+\s*(dage|uger|måneder|år)\b", r"\bsenest\b", r"udgangen af \d{4}")),
    # "eller hvordan" closing a question ("er det per år eller hvordan") asks for no procedure.
    "how": ((r"\b((?<!eller )hvordan(?! var\b)|soge|soger|ansoger|ansoge|henvende|kontakte|skridt)\b", r"\b(gor|gore) (vi|man|jeg)\b",
             r"\b(skal|kan|ma) (vi|man|jeg) (sa |nu )?(gor|gore)\b"),
            (r"virk\.dk", r"anmeld", r"ansøg", r"registrer", r"selvbetjening", r"kontakt", r"\bgå til\b")),
    "capital": ((r"\b(kapital\w*|selskabskapital\w*|udbytte\w*|udbetale|indskud|skyde ind)\b",
                 r"\bpenge\b.*\b(sta|have|kraver)\b"),
                (r"kapital", r"udbytte", r"afkast")),
    "status": ((r"\b(stadig\w*|endnu|fortsat|opdateret)\b",),
               (r"længere", r"lukke", r"stadig", r"opdateret")),
    # "hvor bliver udbuddene slået op": a place (a site, an office) answers it.
    "where": ((r"\bhvor\b(?! (mange|meget|lang|lange|hurtigt|stor|store|tit|ofte|gammel)\b)",),
              (r"\w\.(dk|eu|com)\b", r"\bhos\b", r"\bgå til\b")),
    # "hvor tit": how often ("hvert år").
    "often": ((r"\bhvor (tit|ofte)\b", r"\bhvor mange gange\b"),
              (r"\bhvert (år|kvartal)\b", r"\bhver (måned|uge)\b", r"\bom året\b", r"\bårlig")),
    # "er det per år eller hvordan" after the VAT threshold: the period a figure counts over.
    "period": ((r"\b(per|pr|om|hvert|i) (ar|aret)\b",),
               (r"\b(pr\.|per|om|hvert)\s+(kalender)?året?\b", r"\bkalenderår")),
    "rate": ((r"\b(sats\w*|procent\w*|hvor (meget|stor)\w* (er|bliver) (afgiften|skatten|tilskuddet))\b",),
             (r"\d+(,\d+)?\s*%", r"procent", r"\bsats")),
    # "hvor meget får jeg i tilskud i timen": only a figure (kr., %) or a rate answers it.
    "amount": ((r"\bhvor meget\b", r"\bbelob\w*", r"\b(i|pr|per) (timen|time|maneden|aret)\b"),
               (r"\d[\d.]*(,\d+)?\s*(kr\b|kr\.|%|procent)", r"\bsats")),
    # "og hvis vi kommer over", "og hvis vi sælger for under det": a limit with its figure.
    "limit": ((r"\b(kommer|er|ligger|salger|for|bliver|gar)\s+(\w+\s+)?(over|under)\b", r"\b(over|under)\s+(det|den|\d)",
               r"\b(overstiger|granse\w*)\b"),  # folded: "grænsen", "graensen"
              (r"\b(over|under|op til|højst|mindst)\s+\d", r"overstige\w*\s+\d")),
    "count": ((r"\bhvor mange\b",),
              (r"\d+\s*%", r"\bfor hver\b", r"\bper\b", r"\bmindst (to|tre|fire|fem|\d+)\b",
               r"\b(\d+|to|tre|fire|fem) (\w+ )?(ansatte|medarbejdere|personer|virksomheder|medlemmer|stiftere)\b")),
    "law": ((r"\b(lov|loven|lovens|lovgivning\w*|paragraf\w*|bekendtgorelse\w*)\b",),
            (r"\blov nr\.", r"§", r"\bloven\b")),
    # "og før?" after "Siden 1. januar 2025 tæller salget pr. kalenderår": how it was before.
    "earlier": ((r"\btidligere\b", r"\binden da\b", r"^\W*(?:og|men)?\W*(?:hvad med )?for\W*$",
                 r"\b(var|gjaldt)\b(?:\s+\w+){0,3}\s+for(\W*$|\s+(19|20)\d\d)"),  # folded: "før" is "for"
                (r"\bfør\b", r"\btidligere\b", r"\bindtil\b")),
    # "og hvem stod bag": who started or ran it (the ministries, an authority, the council).
    "behind": ((r"\bhvem\b.*\b(stod|star|stiftede|startede|oprettede|lavede|drev|ejede)\b",),
               (r"ministeri", r"styrelse", r"\bindsats fra\b", r"\båbnet af\b", r"\brådet\b", r"\bkommunen\b",
                r"erhvervshus")),
    "why": ((r"\bhvorfor\b",), ()),
}
# Asks answered by a procedure item rather than by a sentence picked out of an answer.
NO_SENTENCE_ASKS = ("how",)
# Asks whose answer patterns (a year, "senest", a figure) are in many items: an item not shown
# yet answers them only if it also fits the conversation.
LOOSE_ASKS = ("duration", "when", "deadline", "where", "often", "period", "status", "rate", "count", "amount", "limit", "earlier",
              "behind")

# Words too common to tie a follow-up to a sentence (folded, whole words).
COMMON_WORDS = frozenset({
    "hvordan", "hvorfor", "hvornar", "hvilke", "hvilken", "noget", "nogen", "nogle", "skulle", "kunne",
    "egentlig", "virksomhed", "virksomheden", "virksomheder", "vores", "jeres", "ogsa", "altsa", "gerne",
    "andre", "efter", "forste", "bliver", "blive", "have", "havde", "sadan", "meget", "mange", "bare", "lige",
    "rigtig", "hvad", "hvor", "vare", "skal", "godt", "ikke", "sige", "gore", "blev", "dine", "mine", "hver",
    "alle", "selv", "over", "under", "inden", "uden", "eller", "hvis", "fordi", "bruge", "dette", "disse",
    "kommer", "komme", "star", "sagde", "siger", "tror", "synes", "taller", "sker", "passer", "betyder",
    "faar", "far", "ma", "maa", "kan", "vil", "har", "var", "men", "nok", "sig", "sin", "sit", "han", "hun",
    "ham", "mig", "dig", "jer", "hos", "fik", "gar", "tak", "alt", "end", "nar", "vel", "ved", "nye", "ny",
    "ens", "tre", "det", "den", "dem", "der", "med", "til", "for", "fra", "som", "jeg", "man", "os", "vi",
    "du", "de", "og", "om", "sa", "af", "at", "en", "et", "er", "pa", "hvem", "hvilket", "mere", "mest",
    "okay", "fem", "fire", "seks", "syv", "otte", "ni", "ti", "to",
})
# Inflection endings taken off a folded word, longest first, leaving at least MIN_STEM letters.
ENDINGS = ("ningerne", "ningen", "elsen", "erne", "ning", "ende", "ede", "ene", "ets", "ens", "er", "et",
           "en", "te", "es", "e", "s")
MIN_STEM = 3
MIN_WORD = 3  # "rsv", "cvr", "kok" are words; "du", "og" are not
COMPOUND_PART = 4  # letters a stem needs to match the beginning or end of a longer one
# Everyday words and the word the knowledge base uses for the same thing (both as stems).
CONCEPTS = {
    "luk": "oplos", "nedlag": "oplos", "ophor": "oplos",  # "hvis virksomheden lukker" -> "opløses"
    "rest": "overskud",  # "får jeg så resten" of the surplus
    "kommerciel": "salg", "salger": "salg", "solg": "salg",  # "sælger", "kommerciel aktivitet"
    "aflever": "indsend",  # "afleverer vi for sent" -> "indsende årsrapporten"
    "aret": "ar", "arets": "ar", "kalenderar": "ar", "arlig": "ar",
    "underskriv": "underskrev",
    "hjalp": "vejled",  # "hvor kan jeg så få hjælp" -> "vejledning"
    "findes": "eksister", "fandtes": "eksister",  # "findes det stadig": exists, not "finder" (finds)
    "ansat": "ansat", "ansatt": "ansat", "personal": "ansat", "medarbejder": "ansat",
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")  # a markdown link's URL is no word of the text


def stem(word: str) -> str:
    """The light stem of one folded word ("abnede" -> "abn", "lonnen" -> "lon", "lukker" -> "oplos")."""
    if word in CONCEPTS:
        return CONCEPTS[word]
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            word = word[: -len(ending)]
            break
    if len(word) > MIN_STEM and word[-1] == word[-2]:
        word = word[:-1]  # "lonn" -> "lon", "lukk" -> "luk"
    return CONCEPTS.get(word, word)


def words(text: str) -> FrozenSet[str]:
    """The stems of the content words of `text`, numbers ("2027", "50.000") included."""
    folded = fold(LINK_TARGET.sub("]", text or ""))
    numbers = {n for n in NUMBER.findall(folded) if len(n) >= 2}
    found = {stem(w) for w in re.findall(r"[^\W\d_]+", folded) if len(w) >= MIN_WORD and w not in COMMON_WORDS}
    return frozenset(found | numbers)


def asking_words(text: str) -> FrozenSet[str]:
    """The stems of the words that ask for something ("koster", "hvornår", "hvor meget"): no content to match on."""
    folded = fold(text or "")
    found = {m.group(0) for asking, _ in ASKS_FOR.values() for p in asking for m in re.finditer(p, folded)}
    return frozenset(stem(w) for phrase in found for w in phrase.split())


def content_words(text: str) -> FrozenSet[str]:
    """`words(text)` without its asking words: what the message is about."""
    return words(text) - asking_words(text)


def _match(mine: str, theirs: str) -> bool:
    """True if the message's stem `mine` matches the text's stem `theirs`: equal, or a part of the text's
    compound ("tilskud" in "fleksløntilskud", "skrev" in "underskrev"), or the text's word begins the
    message's compound ("fleksjob" in "fleksjobordning"); not the head alone ("registrer" is no
    "momsregistrer")."""
    if mine == theirs:
        return True
    if mine.isdigit() or theirs.isdigit():
        return False
    if len(mine) >= COMPOUND_PART and len(theirs) > len(mine):
        return theirs.startswith(mine) or theirs.endswith(mine)
    return len(theirs) >= COMPOUND_PART and mine.startswith(theirs)


def ties(message_words: FrozenSet[str], text: str) -> int:
    """How many of `message_words` (stems, see `words`) a word of `text` matches."""
    found = words(text)
    return sum(1 for mine in message_words if any(_match(mine, theirs) for theirs in found))


def asked_for(text: str) -> List[str]:
    """What `text` asks for: keys of ASKS_FOR ("price", "duration", "why", ...), in their order; may be empty."""
    folded = fold(text or "")
    return [ask for ask, (asking, _) in ASKS_FOR.items() if any(re.search(p, folded) for p in asking)]


def answer_matches(text: str, asks: Sequence[str]) -> int:
    """How many answer patterns of `asks` (keys of ASKS_FOR) `text` has."""
    lowered = text.lower()
    return sum(1 for ask in asks for pattern in ASKS_FOR[ask][1] if re.search(pattern, lowered))


def asks_in(text: str, asks: Sequence[str]) -> int:
    """How many of `asks` `text` (an item's question, "Koster det noget at blive registreret som RSV?") asks too."""
    return len(set(asks) & set(asked_for(text)))
