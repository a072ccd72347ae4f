"""The action server gets the recent part of the conversation and the domain's slots and forms only.

Rasa 3.6 sends every call of the action server the whole session's events and the whole
domain (about 200 KB of JSON with this assistant's responses), and the SDK parses both:
at turn 50 a call cost several times what it cost at turn 1 (docs/benchmarks.md). What
the actions read is the latest messages (follow-ups look back for the question asked
before, the form for what the latest message set) and the current slots, and the SDK's
FormValidationAction reads the domain's `slots` and `forms`. So `install` makes Rasa's
RemoteAction send:

- the events of the last ACTION_SERVER_TURNS user messages, after one SlotSet per slot
  with the value it had before them (so "the value before the latest message" holds);
  the tracker's current slots, latest message and active loop are sent as Rasa sends them;
- the domain's `slots` and `forms`.

An action that needs more of the past than ACTION_SERVER_TURNS messages must read it
from the slots. Installed when the channels package is imported, i.e. in the Rasa server.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from rasa.core.actions.action import RemoteAction

from channels.patching import wrap_once

ACTION_SERVER_TURNS = 10  # user messages of events sent; a follow-up refers to the last few answers
DOMAIN_KEYS = ("slots", "forms")  # what rasa_sdk's FormValidationAction reads of the domain


def recent_events(events: List[Dict[str, Any]], turns: int = ACTION_SERVER_TURNS) -> List[Dict[str, Any]]:
    """The events from the `turns`-th last user message on, after the slot values set before it.

    Args:
        events: a tracker's events as dicts (Rasa's `current_state`), oldest first.
        turns: user messages to keep, at least 1.

    Returns:
        `events` itself if it holds at most `turns` user messages; else one "slot" event
        per slot set before the cut (its last value, in the order of those last settings),
        then the events from the cut on.
    """
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if len(users) <= turns:
        return events
    cut = users[-turns]
    last_set: Dict[str, Dict[str, Any]] = {}
    for event in events[:cut]:
        if event.get("event") == "slot":
            name = str(event.get("name"))
            last_set.pop(name, None)  # re-inserted last: keeps the order of last settings
            last_set[name] = event
    return [*last_set.values(), *events[cut:]]


def slim_payload(payload: Dict[str, Any], turns: int = ACTION_SERVER_TURNS) -> Dict[str, Any]:
    """An action-server request (Rasa's `_action_call_format`) with recent events and a slim domain.

    Args:
        payload: {"next_action", "sender_id", "tracker": {..., "events": [...]}, "version", "domain"?}.
        turns: see `recent_events`.

    Returns:
        A new dict; the tracker's events trimmed by `recent_events`, the domain (if sent)
        reduced to DOMAIN_KEYS. `payload` is not changed.
    """
    tracker = payload.get("tracker") or {}
    slimmed = {**payload, "tracker": {**tracker, "events": recent_events(tracker.get("events") or [], turns)}}
    if "domain" in payload:
        slimmed["domain"] = {key: payload["domain"][key] for key in DOMAIN_KEYS if key in payload["domain"]}
    return slimmed


def install() -> None:
    """Wraps RemoteAction._action_call_format once (see the module docstring)."""

    def slimmed(original: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
        return lambda self, *args, **kwargs: slim_payload(original(self, *args, **kwargs))

    wrap_once(RemoteAction, "_action_call_format", slimmed)
