"""Never leave the user without an answer.

When a custom action fails (the action server is down, or an action raises), Rasa
logs the error, drops the action's events and goes on, often without saying
anything. `answer_or_hand_off` wraps a channel's message handler: if the assistant
sent nothing for a user message, or handling it raised, it sends the handoff to
Erhvervsstyrelsen instead.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import OutputChannel, UserMessage

from actions.contact import handoff_text

logger = logging.getLogger(__name__)

HANDOFF_ON_SILENCE = handoff_text("on_silence")  # from knowledge/contact.yml, the one source


class _CountingOutput(OutputChannel):
    """Passes every response on to `inner`, counting them; Rasa sees `inner`'s name."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:
        """The wrapped channel's name, so channel-specific responses still apply."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Counts the response and sends it through the wrapped channel."""
        self.sent += 1
        await self.inner.send_response(recipient_id, message)


def answer_or_hand_off(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler so that every user message gets at least one reply.

    Args:
        on_new_message: the handler Rasa gives an input channel's blueprint.

    Returns:
        A handler that calls it, and sends HANDOFF_ON_SILENCE (a Danish text with the
        phone number) if the assistant sent no response, logging a warning. An exception
        is logged by its type only (never with the user's text) and counts as silence.
    """

    async def handle(message: UserMessage) -> None:
        output = _CountingOutput(message.output_channel)
        message.output_channel = output
        try:
            await on_new_message(message)
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            logger.error(
                "Handling a message from %s failed: %s at %s:%s.",
                message.sender_id, type(error).__name__, where.filename, where.lineno,
            )
        if output.sent == 0:
            logger.warning(
                "No reply to a message from %s (a custom action may have failed; is the action "
                "server running?). Sent the handoff instead.",
                message.sender_id,
            )
            await output.inner.send_text_message(message.sender_id, HANDOFF_ON_SILENCE)

    return handle
