"""Erhvervsstyrelsen's phone line and the handoff texts, read from knowledge/contact.yml.

That file is the one source of the phone number and the handoff wording: the silence
guard is built from it, and tests check domain.yml, the knowledge base and the chat page
against it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict

import yaml

CONTACT = Path(__file__).resolve().parent.parent / "knowledge" / "contact.yml"


class ContactError(ValueError):
    """knowledge/contact.yml is missing, malformed or lacks a field or text."""


@functools.lru_cache(maxsize=None)
def _contact(path: Path = CONTACT) -> Dict[str, object]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        phone, tel, texts = str(raw["phone"]), str(raw["tel"]), dict(raw["texts"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise ContactError(f"cannot read the phone number and handoff texts from {path}: {error!r}") from error
    return {"phone": phone, "tel": tel, "texts": texts}


def phone() -> str:
    """The phone number as people write it, "72 20 00 30"."""
    return str(_contact()["phone"])


def phone_link() -> str:
    """The phone number as a markdown link the widget makes clickable: "[72 20 00 30](tel:+4572200030)"."""
    return f"[{phone()}](tel:{_contact()['tel']})"


def handoff_text(name: str) -> str:
    """The Danish handoff text `name` ("handoff", "on_silence") with the phone link filled in.

    Raises:
        ContactError: the file is unreadable or has no text `name`.
    """
    texts = _contact()["texts"]
    if name not in texts:  # type: ignore[operator]
        raise ContactError(f"no handoff text {name!r} in {CONTACT}")
    return str(texts[name]).format(phone=phone_link())  # type: ignore[index]
