"""A faster lookup of Rasa's event classes by name, installed when the tracker store is loaded.

Rasa 3.6's `Event.resolve_by_type` walks the whole tree of Event subclasses for every
event it deserialises, so loading a conversation from the tracker store costs about
0.1-0.3 ms per stored event on this machine: a 100-turn conversation (400+ events)
spends tens of ms per message only finding classes, and that grows with every turn
(docs/deployment.md, "The tail under load"). `install()` puts a cache in front of
the same lookup: same answers, each name resolved once per process.
"""

from __future__ import annotations

import functools
from typing import Optional, Text, Type

from rasa.shared.core.events import Event

_rasa_resolve_by_type = Event.resolve_by_type


@functools.lru_cache(maxsize=None)
def _resolve(type_name: Text) -> Optional[Type[Event]]:
    return _rasa_resolve_by_type(type_name)  # an unknown name raises, and is not cached


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Rasa's `Event.resolve_by_type`, cached by name.

    Args:
        type_name: an event's "event" field, e.g. "user", "slot", "action".
        default: returned for an unknown name instead of raising.

    Returns:
        The event class; None for the old "topic" events (as Rasa does).

    Raises:
        ValueError: the name is unknown and there is no `default`.
    """
    try:
        return _resolve(type_name)
    except ValueError:
        if default is not None:
            return default
        raise


def install() -> None:
    """Makes `Event.resolve_by_type` the cached lookup, for every caller in this process (idempotent)."""
    Event.resolve_by_type = staticmethod(resolve_by_type)
