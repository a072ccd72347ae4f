"""channels/policy_window: the policies see the same recent dialogue states of a long
conversation as with Rasa's full featurisation, so they predict the same actions."""

import asyncio
import os
from pathlib import Path

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from channels.policy_window import KEPT_ACTIONS, RecentStatesTracker

ROOT = Path(__file__).parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
COMPARED = KEPT_ACTIONS - 2  # states at the end that must be the same (> TED's max_history 5, any rule)
SOURCES = [*sorted((ROOT / "data" / "stories").glob("*.yml")), *sorted((ROOT / "data" / "rules").glob("*.yml")),
           ROOT / "tests" / "test_stories.yml"]


def long_conversation():
    """The steps of all stories, rules and test stories one after the other, twice, as one
    session with an `action_listen` before each user message, as Rasa's trackers have it:
    about 400 actions, forms and slots included; the actions of every other rule hidden
    from the ML policies, as RulePolicy marks the turns it predicted."""
    events = []
    for source in SOURCES * 2:
        for number, step in enumerate(YAMLStoryReader(DOMAIN).read_from_file(str(source))):
            hidden = "rules" in source.parts and bool(number % 2)
            for event in step.events:
                if isinstance(event, SessionStarted) or (isinstance(event, ActionExecuted) and event.action_name == "..."):
                    continue
                if isinstance(event, UserUttered):
                    events.append(ActionExecuted(ACTION_LISTEN_NAME, hide_rule_turn=hidden))
                elif isinstance(event, ActionExecuted):
                    event = ActionExecuted(event.action_name, hide_rule_turn=hidden)
                events.append(event)
    return events


EVENTS = long_conversation()
ACTION_POSITIONS = [index for index, event in enumerate(EVENTS) if isinstance(event, ActionExecuted)]


def test_the_long_conversation_is_long_and_has_hidden_turns():
    assert len(ACTION_POSITIONS) > 10 * KEPT_ACTIONS // 2
    assert any(EVENTS[index].hide_rule_turn for index in ACTION_POSITIONS)


@pytest.mark.parametrize("options", [
    {},  # RulePolicy
    {"ignore_rule_only_turns": True, "rule_only_data": {"slots": ["requested_slot"], "loops": ["advice_form"]}},
    {"omit_unset_slots": True},
], ids=["rules", "ml-policies", "omit-unset-slots"])
def test_recent_states_are_those_of_the_whole_conversation(options):
    checked = 0
    for end in ACTION_POSITIONS[::5]:  # the tracker just before an action is predicted
        tracker = DialogueStateTracker.from_events("window", EVENTS[:end], slots=DOMAIN.slots)
        full = DOMAIN.states_for_tracker_history(tracker, **options)
        recent = DOMAIN.states_for_tracker_history(RecentStatesTracker.view(tracker), **options)
        assert recent[-COMPARED:] == full[-COMPARED:], f"at event {end}"
        assert len(recent) >= min(len(full), COMPARED)
        checked += len(recent) < len(full) - 10
    assert checked > 30  # most trackers were featurised from a recent message on


def test_a_short_conversation_is_featurised_whole():
    tracker = DialogueStateTracker.from_events("window", EVENTS[:ACTION_POSITIONS[KEPT_ACTIONS // 2]], slots=DOMAIN.slots)
    assert DOMAIN.states_for_tracker_history(RecentStatesTracker.view(tracker)) == DOMAIN.states_for_tracker_history(tracker)


def test_the_view_shares_the_tracker_and_reads_as_it():
    tracker = DialogueStateTracker.from_events("window", EVENTS[:ACTION_POSITIONS[100]], slots=DOMAIN.slots)
    view = RecentStatesTracker.view(tracker)
    assert view.events is tracker.events and view.current_slot_values() == tracker.current_slot_values()
    assert view.latest_message == tracker.latest_message and view.active_loop_name == tracker.active_loop_name
    assert type(tracker) is DialogueStateTracker


def typed_messages():
    """The user messages of tests/test_stories.yml (typed conversations: questions, the form, endings) in order."""
    steps = YAMLStoryReader(DOMAIN).read_from_file(str(ROOT / "tests" / "test_stories.yml"))
    return [event.text for step in steps for event in step.events if isinstance(event, UserUttered) and event.text]


async def predictions_compared(model, action_url, texts):
    """Sends `texts` as one conversation to an in-process Agent; at every prediction the
    policies predict on the whole tracker and on the recent view. Returns the pairs of
    (action, confidence) of both, in order."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    pairs = []
    original = MessageProcessor._predict_next_with_tracker

    def both(self, tracker):
        if tracker.followup_action:
            return original(self, tracker)
        recent = original(self, RecentStatesTracker.view(tracker))
        full = original(self, tracker)
        name = self.domain.action_names_or_texts
        pairs.append(((name[full.max_confidence_index], round(full.max_confidence, 6), full.policy_name),
                      (name[recent.max_confidence_index], round(recent.max_confidence, 6), recent.policy_name)))
        return full

    agent = Agent.load(str(model), action_endpoint=EndpointConfig(action_url, token=os.environ.get("ACTION_SERVER_TOKEN")))
    MessageProcessor._predict_next_with_tracker = both
    try:
        for text in texts:
            await agent.handle_text(text, sender_id="policy-window")
    finally:
        MessageProcessor._predict_next_with_tracker = original
    return pairs


def test_the_policies_predict_the_same_on_a_long_typed_conversation(model, actions_service):
    texts = typed_messages() * 2  # about 70 messages in one session
    action_url = actions_service.health_url.replace("/health", "/webhook")
    pairs = asyncio.run(predictions_compared(model, action_url, texts))
    assert len(pairs) > 2 * len(texts)
    assert [full for full, _ in pairs] == [recent for _, recent in pairs]
