"""Danish text as the item ranking compares it (no Rasa import, so scripts can use it)."""

from __future__ import annotations

import re
from typing import AbstractSet

# Users leave out æ/ø/å, as "ae/oe/aa" or as plain a/o/a: both spellings fold to one. They also
# write "x" for Danish "ks" ("flexjob" for "fleksjob", "extra"): both fold to "ks".
FOLDS = (("æ", "a"), ("ø", "o"), ("å", "a"), ("ae", "a"), ("oe", "o"), ("aa", "a"), ("x", "ks"))


def fold(text: str) -> str:
    """Lower case, æ/ø/å and their ASCII spellings folded, "x" as "ks", markdown links reduced to their title.

    E.g. "Hvad koster [et ApS](https://…)? Må vi" -> "hvad koster et aps? ma vi".
    """
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text.lower())
    for letters, folded in FOLDS:
        text = text.replace(letters, folded)
    return text


# Danish compounds join their parts directly ("fleks" + "job") or with a linking
# letter ("momsregistrering-s-grænsen", "anpartsselskab-s-kapital").
LINKING_LETTERS = ("", "s", "e")
MIN_PART_LENGTH = 3


def is_compound_of(word: str, vocabulary: AbstractSet[str]) -> bool:
    """True if `word` is two or more words of `vocabulary` joined, with or without a
    linking s or e, each part at least MIN_PART_LENGTH letters.

    E.g. "fleksjobordningen" with {"fleksjob", "ordningen"} -> True.
    """
    return _splits(word, vocabulary, first=True)


def _splits(rest: str, vocabulary: AbstractSet[str], first: bool) -> bool:
    if not first and rest in vocabulary:
        return True
    for end in range(MIN_PART_LENGTH, len(rest) - MIN_PART_LENGTH + 1):
        if rest[:end] not in vocabulary:
            continue
        tail = rest[end:]
        for link in LINKING_LETTERS:
            if tail.startswith(link) and len(tail) - len(link) >= MIN_PART_LENGTH \
                    and _splits(tail[len(link):], vocabulary, False):
                return True
    return False
