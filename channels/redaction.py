"""Personal data out of user messages: CPR and CVR numbers, Danish phone numbers and e-mail addresses.

`redact` replaces them by the placeholders [CPR], [CVR], [TELEFON] and [EMAIL]. The channels
(channels.screening) apply it to every user message before the NLU, the tracker store
or a log line sees it, and the review exports (scripts.learning.review) apply it again
to what they write, for conversations stored before. Only user text is redacted: the
assistant's own messages carry Erhvervsstyrelsen's public number, which is kept
wherever it appears. The patterns favour privacy over precision: any 10 digits shaped
like a CPR number count (valid check digit or not), and any 8 digits shaped like a
phone number. A CVR number is public, but a sole trader's CVR number leads to the owner's
name and address in the register, so it is personal data too: 8 digits introduced by
"CVR" ("cvr 12345678", "CVR-nr.: 12 34 56 78", "cvr-nummer er ...") or written as
"DK12345678" (the VAT form) become [CVR], which keeps the meaning for the NLU and the
exports; other 8 digits standing alone cannot be told from a phone number and become
[TELEFON].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet

from actions.contact import phone, switchboard

CPR = "[CPR]"
CVR = "[CVR]"
PHONE = "[TELEFON]"
EMAIL = "[EMAIL]"
# Erhvervsstyrelsen's public numbers (knowledge/contact.yml: the guidance line and the main
# switchboard): not personal data.
PUBLIC_NUMBERS: FrozenSet[str] = frozenset(re.sub(r"\D", "", number) for number in (phone(), switchboard()))

# Numbers stand alone: not inside a word or id ("web-ab12345678" is no phone number).
_CPR = re.compile(r"(?<![\w+])\d{6}[ -]?\d{4}(?!\w)")
# 8 digits, alone or grouped 2-2-2-2 / 4-4 by spaces or hyphens, with an optional +45 or 0045.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)45[ -]?)?\d{2}(?:[ -]?\d{2}){3}(?!\w)")
# 8 digits (grouped like a phone number or not) after "CVR", "CVR-nr.", "cvr.nr.", "cvr nummer", "CVR:",
# "cvr er" (the lead-in is kept), or after "DK" (replaced with the number).
_CVR = re.compile(
    r"(?i)(?:(?P<lead>\bcvr(?:[ .-]?(?:nr|nummer|no)\b\.?)?(?:\s*[:.#=]|\s+er\b)?\s*)|(?<![\w+-])dk[ -]?)"
    r"\d{2}(?:[ -]?\d{2}){3}(?!\w)"
)
_TWO_YEARS = re.compile(r"(?:19|20)\d\d[ -](?:19|20)\d\d")  # "2014-2015" is a period, not a number
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Redacted:
    """The result of `redact`: the cleaned `text` and whether a CPR number was in it."""

    text: str
    had_cpr: bool


def _phone(match: re.Match) -> str:
    number = match.group(0)
    digits = re.sub(r"\D", "", number)[-8:]
    if digits in PUBLIC_NUMBERS or _TWO_YEARS.fullmatch(number):
        return number
    return PHONE


def redact(text: str) -> Redacted:
    """`text` with CPR and CVR numbers, Danish phone numbers and e-mail addresses replaced by placeholders.

    Example: redact("ring 12 34 56 78 el. mig@x.dk, cpr 010190-1234, cvr-nr. 31415926").text ==
    "ring [TELEFON] el. [EMAIL], cpr [CPR], cvr-nr. [CVR]". Erhvervsstyrelsen's 72 20 00 30 is kept.
    """
    text = _EMAIL.sub(EMAIL, text)
    text, cprs = _CPR.subn(CPR, text)
    text = _CVR.sub(lambda match: (match["lead"] or "") + CVR, text)
    return Redacted(_PHONE.sub(_phone, text), cprs > 0)


def redact_text(text: str) -> str:
    """`redact(text).text`, for callers that need only the text (logs, exports)."""
    return redact(text).text
