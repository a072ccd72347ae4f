"""Stored trackers cut into conversations and turns, the units the report counts.

A conversation is one session of a tracker (Rasa starts a new one after
`session_expiration_time` in domain.yml) with at least one typed user message. A turn
is one typed user message with everything the assistant did until the next one.
Intent payloads ("/greet", which the widget sends when it opens, and buttons such as
"/request_advice") are clicks, not messages: they start no turn, but what they set
off (a form starting, for instance) still counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, List, Optional, Tuple

from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ADVICE_FORM = "advice_form"
DEACTIVATE_LOOP = "action_deactivate_loop"
LISTEN = "action_listen"
REQUESTED_SLOT = "requested_slot"


@dataclass
class Turn:
    """A typed user message and the assistant's answer to it.

    message: the stored user event (its parse_data is the NLU result).
    actions: names of the actions run after it, without action_listen.
    responses: the `utter_action` of each bot message sent ("utter_handoff",
        "utter_faq/centre_status"; "" for a message a custom action wrote as text).
    """

    message: UserUttered
    actions: List[str] = field(default_factory=list)
    responses: List[str] = field(default_factory=list)

    @property
    def intent(self) -> str:
        """The intent the NLU predicted, e.g. "faq" or "nlu_fallback"."""
        return (self.message.intent or {}).get("name") or ""

    @property
    def steps(self) -> set:
        """The names of the actions run and of the responses sent in this turn."""
        return set(self.actions) | set(self.responses)


@dataclass
class Conversation:
    """One session with at least one typed user message.

    start: Unix time (s) of its first typed user message.
    events: the session's events, in order.
    advice: how each run of the guided advice (advice_form) ended, in order:
        ("completed", None), ("stopped", slot) when the user stopped it, declined or
        asked for a person while the form asked for `slot`, ("left", slot) when the
        conversation ended with the form still asking for `slot`.
    """

    sender_id: str
    start: float
    events: List[Event]
    turns: List[Turn]
    advice: List[Tuple[str, Optional[str]]]


def is_typed(event: Event) -> bool:
    """True for a user message with text that is not an intent payload like "/greet"."""
    text = (getattr(event, "text", None) or "").strip()
    return isinstance(event, UserUttered) and bool(text) and not text.startswith("/")


def sessions(events: Iterable[Event]) -> Iterator[List[Event]]:
    """The events cut at each SessionStarted; a session holds its SessionStarted event first."""
    session: List[Event] = []
    for event in events:
        if isinstance(event, SessionStarted) and session:
            yield session
            session = []
        session.append(event)
    if session:
        yield session


def _turns(events: List[Event]) -> List[Turn]:
    turns: List[Turn] = []
    current: Optional[Turn] = None
    for event in events:
        if isinstance(event, UserUttered):
            current = Turn(event) if is_typed(event) else None
            if current:
                turns.append(current)
        elif current and isinstance(event, ActionExecuted) and event.action_name and event.action_name != LISTEN:
            current.actions.append(event.action_name)
        elif current and isinstance(event, BotUttered):
            current.responses.append((event.metadata or {}).get("utter_action") or "")
    return turns


def _advice(events: List[Event]) -> List[Tuple[str, Optional[str]]]:
    outcomes: List[Tuple[str, Optional[str]]] = []
    active, requested, last_action = None, None, None
    for event in events:
        if isinstance(event, ActionExecuted):
            last_action = event.action_name
        elif isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
            requested = event.value
        elif isinstance(event, ActiveLoop):
            if active == ADVICE_FORM and event.name != ADVICE_FORM:
                outcomes.append(("stopped", requested) if last_action == DEACTIVATE_LOOP else ("completed", None))
            active = event.name
    if active == ADVICE_FORM:
        outcomes.append(("left", requested))
    return outcomes


def conversations(tracker: DialogueStateTracker) -> List[Conversation]:
    """The conversations (sessions with a typed user message) of one stored tracker, oldest first."""
    found = []
    for events in sessions(tracker.events):
        turns = _turns(events)
        if turns:
            found.append(Conversation(tracker.sender_id, turns[0].message.timestamp, events, turns, _advice(events)))
    return found
