"""What a follow-up's answer looks like: an item, a sentence or two, its source, or an honest "I don't know".

The phone number comes from its one source, actions.contact (knowledge/contact.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import urlparse

from actions.contact import phone_link
from actions.knowledge import Item, load_topics

NO_TOPIC = (
    "Hvad tænker du på? Skriv gerne hele spørgsmålet, fx \"Hvad koster det at stifte et ApS?\", "
    "så svarer jeg så præcist, jeg kan."
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


def source_line(url: str) -> str:
    """A markdown source line, e.g. "Kilde: [elov.dk](https://www.elov.dk/...)"."""
    host = urlparse(url).netloc.removeprefix("www.")
    return f"Kilde: [{host}]({url})"


def source_reply(item: Item) -> str:
    """The answer to a doubt ("er du sikker?") about what `item` says: its source, the day it was
    checked and the phone number (SOURCE)."""
    return SOURCE.format(link=source_line(item.source).removeprefix("Kilde: "), checked=item.checked.strftime("%d.%m.%Y"))


@dataclass(frozen=True)
class Reply:
    """A follow-up's answer: `text` (Danish markdown), `kind`: "item" (an item not shown
    before), "sentence" (one or two sentences of an item), "source", "unknown" or "no_topic",
    and the item it comes from (None for the others)."""

    text: str
    kind: str
    item: Optional[Item] = None

    @property
    def matched_text(self) -> str:
        """What a message's words are matched against: the item's question and the reply's text."""
        return f"{self.item.question} {self.text}" if self.item else self.text

    @property
    def answers(self) -> bool:
        """True if it gives a fact (an item or a sentence), not a question back or an "I don't know"."""
        return self.kind in ("item", "sentence")


def item_reply(item: Item) -> Reply:
    """The whole item with its source line (an item the user has not seen yet)."""
    return Reply(f"{item.text}\n\n{source_line(item.source)}", "item", item)


def title(topic: Optional[str]) -> str:
    """The topic's title inside a sentence ("ansættelse på særlige vilkår"); "det" for an unknown topic."""
    topics = load_topics()
    return topics[topic].in_sentence if topic in topics else "det"


def not_known(topic: Optional[str]) -> Reply:
    """The honest "my sources on <topic> don't say" with the phone number."""
    return Reply(NOT_KNOWN.format(title=title(topic)), "unknown")


def topic_not_known(texts: Iterable[str]) -> Optional[str]:
    """The key of the topic whose honest "I don't know" (`not_known`) is among the bot's `texts`, or None.

    "hvor stor er afgiften" after the annual-report answer got "mine kilder om moms, skat og regnskab
    siger ikke noget om det": the conversation stays on that topic, whatever the NLU's faq key was.
    """
    said = "\n".join(texts)
    return next((key for key, topic in load_topics().items()
                 if NOT_KNOWN.format(title=topic.in_sentence) in said), None)
