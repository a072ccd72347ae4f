"""The policies featurise only the recent part of a long conversation.

For every prediction Rasa 3.6 turns the whole session into dialogue states, one per
action (`Domain.states_for_tracker_history`, called by each policy), although the
MemoizationPolicy reads the last 4 of them and the TEDPolicy the last 5 (`max_history`),
and RulePolicy's rules, which span at most one user message, the last few. So the cost of
a message grew with the conversation (docs/benchmarks.md). `install` makes Rasa's
`MessageProcessor` hand the policies a view of the tracker whose past states start at a
recent user message, before which at least KEPT_ACTIONS actions shown to the ML policies
follow: the replay for the states starts there from the slots and active loop of that
moment (see `RecentStatesTracker` for why the states are then the same). The predictions
are the same as long as no policy reads more than the last KEPT_ACTIONS - 2 states
(`tests/test_policy_window.py` checks the states on 90 prefixes of a long conversation
and the predictions on a long typed one). This project has no `conversation_start` rules;
such a rule would still match only at the start, since a view always holds more states
than any rule.

Installed when the channels package is imported, i.e. in the Rasa server.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Generator, List, Optional, Tuple

from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    FollowupAction,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from channels.patching import wrap_once

KEPT_ACTIONS = 20  # > max_history (TEDPolicy 5) and any rule's states, with room for hidden rule turns


def user_turn_to_start_at(events: List[Event], kept_actions: int = KEPT_ACTIONS) -> Optional[int]:
    """The index of the latest user message in `events` after which come at least
    `kept_actions` actions shown to the ML policies, and where Rasa's featurisation
    carries nothing over from the turns before (see `RecentStatesTracker`); None if none.

    Args:
        events: a tracker's applied events, oldest first.
        kept_actions: actions (not hidden from the ML policies) to keep after the message.
    """
    actions = [index for index, event in enumerate(events) if isinstance(event, ActionExecuted)]
    shown = [index for index in actions if not events[index].hide_rule_turn]
    if len(shown) < kept_actions:
        return None
    for position in range(len(actions) - 1, 1, -1):
        before, listen, after = (events[index] for index in actions[position - 2:position + 1])
        if actions[position] > shown[-kept_actions] or listen.action_name != ACTION_LISTEN_NAME:
            continue
        users = [index for index in range(actions[position - 1], actions[position]) if isinstance(events[index], UserUttered)]
        if (users and not listen.hide_rule_turn and not after.hide_rule_turn
                and before.action_name != _active_loop_before(events, actions[position - 1])
                and not any(isinstance(e, FollowupAction) for e in events[actions[position - 2]:actions[position]])):
            return users[0]
    return None


def _active_loop_before(events: List[Event], index: int) -> Optional[str]:
    """The name of the loop active before `events[index]`, or None."""
    return next((event.name for event in reversed(events[:index]) if isinstance(event, ActiveLoop)), None)


class RecentStatesTracker(DialogueStateTracker):
    """A tracker whose past states (`generate_all_prior_trackers`) start at a recent user message.

    Rasa builds one dialogue state per action from a copy of the tracker replayed event by
    event, and carries only this from turn to turn: whether the last turn was hidden from
    the ML policies, the last shown action, and the user part of the last state, which a
    state whose previous action is `action_listen` does not take over. So the states from
    the first action after a user message on are the same when the replay starts at that
    message from the slots and the active loop as they were, provided that message came
    right after a shown `action_listen` that was not a form's, and the action after it is
    shown too (`user_turn_to_start_at`). Made by `view`; shares the events and slots of
    the tracker it views, so it must be read only (the policies do).
    """

    kept_actions = KEPT_ACTIONS

    @classmethod
    def view(cls, tracker: DialogueStateTracker) -> RecentStatesTracker:
        """A shallow copy of `tracker` of this class (nothing is copied but the attribute dict)."""
        recent = copy.copy(tracker)
        recent.__class__ = cls
        return recent

    def generate_all_prior_trackers(self) -> Generator[Tuple[DialogueStateTracker, bool], None, None]:
        """Rasa's prior trackers from the action after `user_turn_to_start_at`'s message on;
        all of them if there is no such message.

        Yields:
            (the tracker before the action, whether the action's turn is hidden), as Rasa.
        """
        events = self.applied_events()
        start = user_turn_to_start_at(events, self.kept_actions)
        tracker = DialogueStateTracker.init_copy(self)
        if start is not None:
            slots: Dict[str, Any] = {}
            for event in events[:start]:
                if isinstance(event, SlotSet):
                    slots[event.key] = event.value
                elif isinstance(event, AllSlotsReset):
                    slots.clear()
            loop = _active_loop_before(events, start)
            for event in [*(SlotSet(key, value) for key, value in slots.items()),
                          *([ActiveLoop(loop)] if loop else []), ActionExecuted(ACTION_LISTEN_NAME)]:
                tracker.update(event)
            events = events[start:]
        for event in events:
            if isinstance(event, ActionExecuted):
                yield tracker, event.hide_rule_turn
            tracker.update(event)
        yield tracker, False


def install() -> None:
    """Wraps MessageProcessor._predict_next_with_tracker once (see the module docstring).

    A tracker with a follow-up action goes as it is: Rasa clears that action on it.
    """

    def on_recent_states(original: Callable[..., Any]) -> Callable[..., Any]:
        def predict(self: MessageProcessor, tracker: DialogueStateTracker) -> Any:
            return original(self, tracker if tracker.followup_action else RecentStatesTracker.view(tracker))

        return predict

    wrap_once(MessageProcessor, "_predict_next_with_tracker", on_recent_states)
