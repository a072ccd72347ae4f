"""What ends a conversation: "tak for hjælpen!", "ok endelig. farvel", "thanks thats all".

Pure text matching, with no knowledge of the dialogue, so the form's validation
(actions.validation) and the replies about the conversation (actions.meta) can both use it.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from actions.contact import phone_link
from actions.normalise import fold

# Folded endings (a "tak" alone or after "ok" too), matched only in a short message without a question.
DANISH_ENDING = re.compile(
    r"\b(farvel|hej hej|vi ses|tak for (hjalpen|nu|i dag)|det var (det|alt)|"
    r"ellers tak|nej tak|glem det)\b|^\W*(ok\W+|okay\W+|super\W+)?(tak|mange tak|tusind tak)\W*$")
ENGLISH_ENDING = re.compile(
    r"\b(bye|goodbye|thanks?|thank you|that'?s all|thats it|forget it|never ?mind|no thanks)\b")
ENDING_MAX_WORDS = 8
GOODBYE_RESPONSE = "utter_goodbye"  # the Danish goodbye (domain.yml)
ENGLISH_GOODBYE = (
    "Tak, fordi du skrev, og held og lykke! Thanks for writing, and good luck. To talk to a person, "
    f"call the Danish Business Authority (Erhvervsstyrelsen) on {phone_link()}."
)


def ending(text: str) -> Optional[Dict[str, str]]:
    """The goodbye for a message that ends the conversation, or None.

    Args:
        text: the user's message.

    Returns:
        {"text": ENGLISH_GOODBYE} for an English ending ("thanks thats all", "ok forget it"),
        {"response": GOODBYE_RESPONSE} for a Danish one ("tak for hjælpen!", "ok endelig.
        farvel"), None for anything else, a question ("tak, men hvad med moms?") or a
        message over ENDING_MAX_WORDS words.
    """
    folded = fold(text or "")
    if "?" in folded or len(re.findall(r"\w+", folded)) > ENDING_MAX_WORDS:
        return None
    if ENGLISH_ENDING.search(folded) and not DANISH_ENDING.search(folded):
        return {"text": ENGLISH_GOODBYE}
    return {"response": GOODBYE_RESPONSE} if DANISH_ENDING.search(folded) else None
