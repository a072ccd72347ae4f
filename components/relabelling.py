"""The base of the project's rule-based relabelling components (EndingFirst, PersonFirst).

Each of them reads the intent the classifiers gave a message and its text, and may put
another intent first (components.question_first.put_first). They have nothing to learn
or configure, so Rasa's graph needs only `create` and `process`, shared here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message


class Relabelling(GraphComponent):
    """A stateless component that relabels messages one by one (`relabel`)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Relabelling:
        """The component; it has nothing to learn or configure."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Calls `relabel` for each message with its intent name (or None) and text; returns the messages."""
        for message in messages:
            self.relabel(message, (message.get(INTENT) or {}).get("name"), message.get(TEXT) or "")
        return messages

    def relabel(self, message: Message, intent: Any, text: str) -> None:
        """Puts another intent first in `message` where the subclass's rule says so.

        Raises:
            NotImplementedError: in this base class.
        """
        raise NotImplementedError
