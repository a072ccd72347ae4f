"""The guided advice form steps aside when the action server cannot be reached.

While a form is active, Rasa gives it every message first; the form asks the action
server (validate_advice_form) to check what it extracted, and only if it "rejects" the
message do the rules answer it (e.g. a knowledge question: utter_faq, data/rules/advice.yml).
When the action server is down, that call raises instead, Rasa drops the form's events
and the message goes unanswered, even a knowledge question the assistant can answer
without the action server. `install` makes the form's validation turn an unreachable
action server into a rejection when the message gave the form nothing to fill, so the
rules answer it; a message with something to fill still fails (the guard hands off).
Installed when the channels package is imported, i.e. in the Rasa server.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

from rasa.core.actions.action import ActionExecutionRejection
from rasa.core.actions.forms import FormAction
from rasa.shared.exceptions import RasaException

from channels.patching import wrap_once

logger = logging.getLogger(__name__)


def install() -> None:
    """Wraps FormAction.validate_slots once (see the module docstring)."""

    def steps_aside(original: Any) -> Any:
        async def validate_slots(self: FormAction, slot_candidates: Dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            try:
                return await original(self, slot_candidates, *args, **kwargs)
            except ActionExecutionRejection:
                raise
            except RasaException as error:
                if slot_candidates:
                    raise
                logger.warning("%s: the action server failed (%s); letting the rules answer.", self.name(), error)
                raise ActionExecutionRejection(self.name(), "the action server cannot validate") from error

        return validate_slots

    wrap_once(FormAction, "validate_slots", steps_aside)
