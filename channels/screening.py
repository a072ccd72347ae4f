"""What a user message must be before it reaches the NLU, on every channel.

`message_problem` checks a message's shape (types and sizes of sender, text and
metadata); the channels answer a malformed one with BAD_MESSAGE_REPLY and a log line.
`screened` wraps a channel's message handler so that a well-formed message is, in order:
  1. refused with SHORTEN_REPLY if longer than MAX_MESSAGE_CHARS (it never reaches the NLU);
  2. cleaned of lone surrogates and control characters;
  3. stripped of a leading "/" unless it is a button payload the assistant offers
     (`offered_payloads`), so a typed "/restart" or "/inform{...}" is read as text;
  4. redacted (channels.redaction); the first time a conversation has a CPR number the
     user gets CPR_NOTE;
  5. stripped of all metadata except ALLOWED_METADATA.

MAX_MESSAGE_CHARS was measured with the trained model in-process (docs/security.md):
1,000 characters of emoji sequences parse in about 0.26 s with 0.1 GB extra memory;
2,000 take 0.6 s and 0.34 GB, 4,000 take 2.3 s and 1.1 GB, not given back.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Set

import yaml
from rasa.core.channels.channel import UserMessage

from channels.redaction import redact

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
MAX_MESSAGE_CHARS = 1_000  # characters, after which the NLU's time and memory grow fast
MAX_SENDER_CHARS = 200  # characters
MAX_METADATA_BYTES = 2_000  # bytes of the metadata as JSON
MAX_BODY_BYTES = 256 * 1024  # bytes of an HTTP request body or socket.io packet (room for a 20,000-emoji JSON)
# Metadata keys kept in the tracker store: {key: longest value, characters}. The widget sends none.
ALLOWED_METADATA: Dict[str, int] = {"language": 10}
WIDGET_INIT_PAYLOAD = "/greet"  # what web/chat.js sends when a conversation starts
REMEMBERED_CONVERSATIONS = 10_000  # conversations whose CPR note is remembered (oldest forgotten first)

BAD_MESSAGE_REPLY = "Beklager, din besked kunne ikke læses. Prøv at skrive den igen."
SHORTEN_REPLY = (
    f"Din besked er for lang til mig. Skriv den lidt kortere (højst {MAX_MESSAGE_CHARS:,} tegn), "
    "gerne ét spørgsmål ad gangen, så svarer jeg."
).replace(",", ".", 1)  # Danish thousands separator: 1.000
CPR_NOTE = (
    "Skriv helst ikke dit CPR-nummer her. Jeg har fjernet det fra din besked, "
    "og du får ikke brug for det i samtalen med mig."
)

# Bidi overrides and isolates can disguise text; they are format characters, unlike ZWJ in emoji.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def message_problem(sender: Any, text: Any, metadata: Any) -> Optional[str]:
    """What is wrong with a message, in English for the log, or None if it is well-formed.

    Args:
        sender: the conversation id, a non-empty str of at most MAX_SENDER_CHARS.
        text: the message, a str (its length is `screened`'s business).
        metadata: None or a JSON object of at most MAX_METADATA_BYTES.
    """
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return f"the sender must be a non-empty string of at most {MAX_SENDER_CHARS} characters"
    if not isinstance(text, str):
        return "the message must be a string"
    if metadata is not None and not isinstance(metadata, dict):
        return "the metadata must be a JSON object"
    size = len(json.dumps(metadata or {}, ensure_ascii=False, default=str).encode("utf-8", "replace"))
    if size > MAX_METADATA_BYTES:
        return f"the metadata is {size} bytes, more than {MAX_METADATA_BYTES}"
    return None


def clean(text: str) -> str:
    """`text` without lone surrogates, bidi controls and control characters (tabs and newlines become spaces)."""
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = _INVISIBLE.sub("", text)
    return "".join(
        " " if char in "\t\n\r" else char for char in text if char in "\t\n\r" or unicodedata.category(char) != "Cc"
    ).strip()


def _response_payloads(paths: Set[Path]) -> Set[str]:
    payloads = set()
    for path in paths:
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for variants in responses.values():
            for variant in variants or []:
                payloads |= {b.get("payload", "") for b in variant.get("buttons") or []}
    return payloads


@lru_cache(maxsize=1)
def offered_payloads() -> Set[str]:
    """The "/intent{...}" payloads a user may send: the buttons of the domain's responses
    (domain.yml, data/responses/) and of the actions (actions.prompts), and the widget's
    first message; compared without whitespace."""
    from actions.prompts import offered_payloads as action_payloads  # the action code's buttons

    paths = {ROOT / "domain.yml", *(ROOT / "data" / "responses").glob("*.yml")}
    payloads = _response_payloads(paths) | action_payloads() | {WIDGET_INIT_PAYLOAD}
    return {_compact(p) for p in payloads if p.startswith("/")}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def own_text(text: str) -> str:
    """`text`, or without its leading slashes if it is a "/command" the assistant did not offer."""
    if not text.startswith("/") or _compact(text) in offered_payloads():
        return text
    return text.lstrip("/").strip()


def allowed_metadata(metadata: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The entries of `metadata` in ALLOWED_METADATA whose value is a short enough string."""
    return {
        key: value
        for key, value in (metadata or {}).items()
        if key in ALLOWED_METADATA and isinstance(value, str) and len(value) <= ALLOWED_METADATA[key]
    }


async def cap_request_size(app: Any, _loop: Any = None) -> None:
    """A Sanic "before_server_start" listener: `app` accepts HTTP bodies and websocket
    frames of at most MAX_BODY_BYTES (larger requests get a 413)."""
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.WEBSOCKET_MAX_SIZE = MAX_BODY_BYTES


def screened(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps a channel's message handler with the steps of the module docstring.

    Args:
        on_new_message: the handler to pass a screened message to (e.g. the silence guard's).

    Returns:
        A handler that answers a too-long message itself and passes on every other one,
        its text cleaned and redacted and its metadata allow-listed.
    """
    told_about_cpr: "OrderedDict[str, None]" = OrderedDict()

    async def handle(message: UserMessage) -> None:
        text = message.text or ""
        if len(text) > MAX_MESSAGE_CHARS:
            logger.warning(
                "A message from %s has %d characters, more than %d: asked for a shorter one.",
                message.sender_id, len(text), MAX_MESSAGE_CHARS,
            )
            await message.output_channel.send_text_message(message.sender_id, SHORTEN_REPLY)
            return
        redacted = redact(own_text(clean(text)))
        message.text = redacted.text
        message.metadata = allowed_metadata(message.metadata)
        if redacted.had_cpr and message.sender_id not in told_about_cpr:
            told_about_cpr[message.sender_id] = None
            if len(told_about_cpr) > REMEMBERED_CONVERSATIONS:
                told_about_cpr.popitem(last=False)
            await message.output_channel.send_text_message(message.sender_id, CPR_NOTE)
        await on_new_message(message)

    return handle
